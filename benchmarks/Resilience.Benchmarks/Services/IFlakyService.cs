namespace Resilience.Benchmarks.Services;

/// <summary>Scenario "retry that succeeds on the second attempt" with zero delay.</summary>
public interface IFlakyService
{
    /// <summary>Fails every other call (a faulted task), so every retried sequence is one failure then one success.</summary>
    [Retry(MaxRetries = Settings.MaxRetries, DelayMs = 0, Backoff = BackoffType.Constant, Jitter = 0)]
    ValueTask<int> GetAsync(int id, CancellationToken cancellationToken);
}
