namespace Resilience.Benchmarks.Services;

/// <summary>Scenario "timeout + circuit breaker + retry": the timeout bounds the whole breaker + retry sequence.</summary>
public interface ITimeoutBreakerRetryService
{
    /// <summary>Returns <paramref name="id"/>.</summary>
    [Timeout(Settings.TimeoutMs)]
    [CircuitBreaker(FailureRatio = Settings.FailureRatio, MinimumThroughput = Settings.MinimumThroughput, SamplingDurationMs = Settings.SamplingDurationMs, BreakDurationMs = Settings.BreakDurationMs)]
    [Retry(MaxRetries = Settings.MaxRetries, DelayMs = Settings.RetryDelayMs, Backoff = BackoffType.Exponential, Jitter = Settings.RetryJitter)]
    ValueTask<int> GetAsync(int id, CancellationToken cancellationToken);
}
