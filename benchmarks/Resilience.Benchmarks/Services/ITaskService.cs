namespace Resilience.Benchmarks.Services;

/// <summary>Scenario "return shape <see cref="Task{TResult}"/>": retry + circuit breaker around a <c>Task&lt;int&gt;</c> method.</summary>
public interface ITaskService
{
    /// <summary>Returns <paramref name="id"/>, synchronously or asynchronously depending on the implementation.</summary>
    [Retry(MaxRetries = Settings.MaxRetries, DelayMs = Settings.RetryDelayMs, Backoff = BackoffType.Exponential, Jitter = Settings.RetryJitter)]
    [CircuitBreaker(FailureRatio = Settings.FailureRatio, MinimumThroughput = Settings.MinimumThroughput, SamplingDurationMs = Settings.SamplingDurationMs, BreakDurationMs = Settings.BreakDurationMs)]
    Task<int> GetAsync(int id, CancellationToken cancellationToken);
}
