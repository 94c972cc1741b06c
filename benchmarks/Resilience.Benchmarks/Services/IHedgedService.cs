namespace Resilience.Benchmarks.Services;

/// <summary>Scenario "hedge + retry + circuit breaker": <see cref="IRetryBreakerService"/> with <c>[Hedge]</c> in front.</summary>
public interface IHedgedService
{
    /// <summary>Returns <paramref name="id"/>.</summary>
    [Hedge(DelayMs = Settings.HedgeDelayMs, MaxHedges = 1)]
    [Retry(MaxRetries = Settings.MaxRetries, DelayMs = Settings.RetryDelayMs, Backoff = BackoffType.Exponential, Jitter = Settings.RetryJitter)]
    [CircuitBreaker(FailureRatio = Settings.FailureRatio, MinimumThroughput = Settings.MinimumThroughput, SamplingDurationMs = Settings.SamplingDurationMs, BreakDurationMs = Settings.BreakDurationMs)]
    ValueTask<int> GetAsync(int id, CancellationToken cancellationToken);
}
