namespace Resilience.Benchmarks.Services;

/// <summary>
/// Scenario "retry + circuit breaker" with the breaker in consecutive-failures mode (the default trip policy), beside
/// <see cref="IRetryBreakerService"/>'s ratio mode. Polly v8 has no such breaker, so it is compared with the ratio pipeline.
/// </summary>
public interface IConsecutiveBreakerService
{
    /// <summary>Returns <paramref name="id"/>.</summary>
    [Retry(MaxRetries = Settings.MaxRetries, DelayMs = Settings.RetryDelayMs, Backoff = BackoffType.Exponential, Jitter = Settings.RetryJitter)]
    [CircuitBreaker(FailureThreshold = Settings.FailureThreshold, BreakDurationMs = Settings.BreakDurationMs)]
    ValueTask<int> GetAsync(int id, CancellationToken cancellationToken);
}
