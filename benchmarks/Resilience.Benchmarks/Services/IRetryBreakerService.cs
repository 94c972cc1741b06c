namespace Resilience.Benchmarks.Services;

/// <summary>Scenario "retry + circuit breaker": the most common stack.</summary>
public interface IRetryBreakerService
{
    /// <summary>Returns <paramref name="id"/>.</summary>
    [Retry(MaxRetries = Settings.MaxRetries, DelayMs = Settings.RetryDelayMs, Backoff = BackoffType.Exponential, Jitter = Settings.RetryJitter)]
    [CircuitBreaker(FailureRatio = Settings.FailureRatio, MinimumThroughput = Settings.MinimumThroughput, SamplingDurationMs = Settings.SamplingDurationMs, BreakDurationMs = Settings.BreakDurationMs)]
    ValueTask<int> GetAsync(int id, CancellationToken cancellationToken);
}
