using Resilience.EndToEnd.Tests.Infrastructure;

namespace Resilience.EndToEnd.Tests;

public interface IStatusApi
{
    [Retry(MaxRetries = 2, DelayMs = 10, Backoff = BackoffType.Constant, Jitter = 0, HandleResult = nameof(IsServerError))]
    [CircuitBreaker(FailureThreshold = 1, BreakDurationMs = 5_000)]
    Task<int> GetStatusAsync(CancellationToken cancellationToken);

    static bool IsServerError(int status) => status >= 500;
}

public sealed class ScriptedStatusApi : IStatusApi
{
    public AttemptLog Log { get; } = new();

    public Func<int, int> Script { get; set; } = static _ => 200;

    public Task<int> GetStatusAsync(CancellationToken cancellationToken) => Task.FromResult(Script(Log.Record(cancellationToken)));
}

public sealed class HandleResultTests : IDisposable
{
    private readonly Clock _clock = new();
    private readonly ScriptedStatusApi _inner = new();
    private readonly StatusApiResilient _proxy;

    public HandleResultTests() => _proxy = new StatusApiResilient(_inner, _clock.Registry);

    public void Dispose() => _clock.Dispose();

    private CircuitBreaker Breaker =>
        _clock.Registry.TryGetCircuitBreaker("Resilience.EndToEnd.Tests.IStatusApi.GetStatusAsync", out CircuitBreaker? breaker)
            ? breaker
            : throw new InvalidOperationException("no breaker");

    [Fact]
    public async Task A_result_marked_as_failure_is_retried_after_the_backoff_delay()
    {
        _inner.Script = static attempt => attempt <= 2 ? 503 : 200;

        Task<int> call = _proxy.GetStatusAsync(CancellationToken.None);
        await _clock.AdvanceToAttempt(10, _inner.Log, 2);
        await _clock.AdvanceToAttempt(10, _inner.Log, 3);

        Assert.Equal(200, await Clock.Finish(call));
        Assert.Equal(0, Breaker.Counts.Failures);
        Assert.Equal(1, Breaker.Counts.Successes);
    }

    [Fact]
    public async Task When_every_result_is_a_failure_the_last_one_is_returned_and_the_breaker_counts_it_once()
    {
        _inner.Script = static attempt => 500 + attempt;

        Task<int> call = _proxy.GetStatusAsync(CancellationToken.None);
        await _clock.AdvanceToAttempt(10, _inner.Log, 2);
        await _clock.AdvanceToAttempt(10, _inner.Log, 3);

        Assert.Equal(503, await Clock.Finish(call)); // a failed result is returned, not thrown
        Assert.Equal(1, Breaker.Counts.Failures);
        Assert.Equal(CircuitState.Open, Breaker.State);

        await Assert.ThrowsAsync<BrokenCircuitException>(() => Clock.Finish(_proxy.GetStatusAsync(CancellationToken.None)));
        Assert.Equal(3, _inner.Log.Count);
    }

    [Fact]
    public async Task A_result_not_marked_as_failure_is_returned_at_once()
    {
        _inner.Script = static _ => 404;

        Assert.Equal(404, await Clock.Finish(_proxy.GetStatusAsync(CancellationToken.None)));
        Assert.Equal(1, _inner.Log.Count);
        Assert.Equal(1, Breaker.Counts.Successes);
    }
}
