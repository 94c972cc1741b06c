namespace Resilience.Benchmarks.Services;

/// <summary>Scenario "contention": one proxy (one bulkhead, one breaker) called from many threads at once.</summary>
public interface IContendedService
{
    /// <summary>Returns <paramref name="id"/>.</summary>
    [Bulkhead(MaxConcurrency = Settings.MaxConcurrency)]
    [CircuitBreaker(FailureRatio = Settings.FailureRatio, MinimumThroughput = Settings.MinimumThroughput, SamplingDurationMs = Settings.SamplingDurationMs, BreakDurationMs = Settings.BreakDurationMs)]
    ValueTask<int> GetAsync(int id, CancellationToken cancellationToken);
}
