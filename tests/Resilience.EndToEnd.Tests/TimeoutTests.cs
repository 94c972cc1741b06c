using Resilience.EndToEnd.Tests.Infrastructure;

namespace Resilience.EndToEnd.Tests;

public interface ITimedService
{
    [Timeout(1_000)]
    [CircuitBreaker(FailureThreshold = 5, BreakDurationMs = 60_000)]
    [Retry(MaxRetries = 5, DelayMs = 100, Backoff = BackoffType.Constant, Jitter = 0)]
    Task<int> FetchAsync(CancellationToken cancellationToken);

    // Deliberately a retry delay longer than the timeout: the test shows the timeout ending a pending delay.
#pragma warning disable RES0009 // worst-case retry delays exceed the timeout
    [Timeout(300)]
    [Retry(MaxRetries = 5, DelayMs = 500, Backoff = BackoffType.Constant, Jitter = 0)]
    ValueTask<int> SlowRetryAsync(CancellationToken cancellationToken);
#pragma warning restore RES0009
}

public sealed class ScriptedTimedService : ITimedService
{
    public AttemptLog Log { get; } = new();

    public Func<int, CancellationToken, Task<int>> Script { get; set; } = static (n, _) => Task.FromResult(n);

    public Task<int> FetchAsync(CancellationToken cancellationToken) => Script(Log.Record(cancellationToken), cancellationToken);

    public ValueTask<int> SlowRetryAsync(CancellationToken cancellationToken) => new(Script(Log.Record(cancellationToken), cancellationToken));

    /// <summary>A call that never completes on its own: it ends only when <paramref name="token"/> is cancelled.</summary>
    public static Task<int> Hang(CancellationToken token) => Pending.Until<int>(token);
}

public sealed class TimeoutTests : IDisposable
{
    private readonly Clock _clock = new();
    private readonly ScriptedTimedService _inner = new();
    private readonly TimedServiceResilient _proxy;

    public TimeoutTests() => _proxy = new TimedServiceResilient(_inner, _clock.Registry);

    public void Dispose() => _clock.Dispose();

    [Fact]
    public async Task The_timeout_bounds_the_whole_retry_sequence_and_cancels_the_inner_token()
    {
        _inner.Script = static (n, token) => n == 1 ? Task.FromException<int>(new InvalidOperationException("first")) : ScriptedTimedService.Hang(token);

        Task<int> call = _proxy.FetchAsync(CancellationToken.None);
        await _clock.AdvanceToAttempt(100, _inner.Log, 2); // the retry delay runs inside the timeout: 100 ms spent
        CancellationToken secondAttemptToken = _inner.Log.Tokens[1];
        Assert.False(secondAttemptToken.IsCancellationRequested);

        _clock.Advance(899);
        Assert.False(call.IsCompleted);
        Assert.False(secondAttemptToken.IsCancellationRequested);
        _clock.Advance(1);

        var error = await Assert.ThrowsAsync<ResilienceTimeoutException>(() => Clock.Finish(call));
        Assert.True(secondAttemptToken.IsCancellationRequested);
        Assert.Equal(TimeSpan.FromMilliseconds(1_000), error.Timeout);
        Assert.Equal("Resilience.EndToEnd.Tests.ITimedService.FetchAsync", error.InstanceName);
        Assert.IsAssignableFrom<OperationCanceledException>(error.InnerException);

        _clock.Advance(10_000);
        Assert.Equal(2, _inner.Log.Count); // no attempt starts after the timeout
    }

    [Fact]
    public async Task A_timeout_is_one_breaker_failure_counted_as_a_timeout()
    {
        _inner.Script = static (_, token) => ScriptedTimedService.Hang(token);

        Task<int> call = _proxy.FetchAsync(CancellationToken.None);
        _clock.Advance(1_000);
        await Assert.ThrowsAsync<ResilienceTimeoutException>(() => Clock.Finish(call));

        Assert.True(_clock.Registry.TryGetCircuitBreaker("Resilience.EndToEnd.Tests.ITimedService.FetchAsync", out CircuitBreaker? breaker));
        Assert.Equal(1, breaker.Counts.Failures);
        Assert.Equal(1, breaker.Counts.Timeouts);
        Assert.Equal(1, _inner.Log.Count);
    }

    [Fact]
    public async Task The_timeout_ends_a_pending_retry_delay_and_no_further_attempt_starts()
    {
        _inner.Script = static (n, _) => Task.FromException<int>(new InvalidOperationException($"attempt {n}"));

        ValueTask<int> call = _proxy.SlowRetryAsync(CancellationToken.None);
        Assert.Equal(1, _inner.Log.Count);
        _clock.Advance(299);
        Assert.False(call.IsCompleted);
        _clock.Advance(1);

        await Assert.ThrowsAsync<ResilienceTimeoutException>(() => Clock.Finish(call.AsTask()));
        _clock.Advance(10_000);
        Assert.Equal(1, _inner.Log.Count);
    }

    [Fact]
    public async Task The_inner_gets_the_linked_token_not_the_callers()
    {
        using var caller = new CancellationTokenSource();
        Assert.Equal(1, await Clock.Finish(_proxy.FetchAsync(caller.Token)));

        CancellationToken seen = _inner.Log.Tokens[0];
        Assert.NotEqual(caller.Token, seen);
        Assert.True(seen.CanBeCanceled);
    }
}
