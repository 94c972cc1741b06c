namespace Resilience.Benchmarks.Services;

/// <summary>Scenario "rate limit + bulkhead + timeout + circuit breaker + retry", with limits that never reject.</summary>
public interface IFullStackService
{
    /// <summary>Returns <paramref name="id"/>.</summary>
    [RateLimit(PermitLimit = Settings.PermitLimit, WindowMs = Settings.WindowMs)]
    [Bulkhead(MaxConcurrency = Settings.MaxConcurrency)]
    [Timeout(Settings.TimeoutMs)]
    [CircuitBreaker(FailureRatio = Settings.FailureRatio, MinimumThroughput = Settings.MinimumThroughput, SamplingDurationMs = Settings.SamplingDurationMs, BreakDurationMs = Settings.BreakDurationMs)]
    [Retry(MaxRetries = Settings.MaxRetries, DelayMs = Settings.RetryDelayMs, Backoff = BackoffType.Exponential, Jitter = Settings.RetryJitter)]
    ValueTask<int> GetAsync(int id, CancellationToken cancellationToken);
}
