using Resilience.EndToEnd.Tests.Infrastructure;

namespace Resilience.EndToEnd.Tests;

public interface ICancellableService
{
    [Fallback(nameof(Fallback))]
    [CircuitBreaker(FailureThreshold = 1, BreakDurationMs = 60_000)]
    [Retry(MaxRetries = 3, DelayMs = 10, Backoff = BackoffType.Constant, Jitter = 0)]
    Task<string> PlainAsync(CancellationToken cancellationToken);

    [Fallback(nameof(Fallback))]
    [Timeout(5_000)]
    [CircuitBreaker(FailureThreshold = 1, BreakDurationMs = 60_000)]
    [Retry(MaxRetries = 3, DelayMs = 10, Backoff = BackoffType.Constant, Jitter = 0)]
    ValueTask<string> WithTimeoutAsync(CancellationToken cancellationToken);

    string Fallback(Exception error);
}

public sealed class CancellableService : ICancellableService
{
    public AttemptLog Log { get; } = new();

    public int FallbackCalls;

    /// <summary>When set, the first call fails and the retry delay is where the caller's cancellation lands.</summary>
    public bool FailFirst { get; set; }

    public Task<string> PlainAsync(CancellationToken cancellationToken) => Run(cancellationToken);

    public ValueTask<string> WithTimeoutAsync(CancellationToken cancellationToken) => new(Run(cancellationToken));

    public string Fallback(Exception error)
    {
        Interlocked.Increment(ref FallbackCalls);
        return "fallback";
    }

    private Task<string> Run(CancellationToken cancellationToken)
    {
        int n = Log.Record(cancellationToken);
        return FailFirst && n == 1
            ? Task.FromException<string>(new InvalidOperationException("first"))
            : Pending.Until<string>(cancellationToken);
    }
}

/// <summary>A caller's own cancellation is never retried, never counted by the breaker and never handed to the fallback.</summary>
public sealed class CancellationTests : IDisposable
{
    private const string Prefix = "Resilience.EndToEnd.Tests.ICancellableService.";

    private readonly Clock _clock = new();
    private readonly CancellableService _inner = new();
    private readonly CancellableServiceResilient _proxy;

    public CancellationTests() => _proxy = new CancellableServiceResilient(_inner, _clock.Registry);

    public void Dispose() => _clock.Dispose();

    private void AssertBreakerUntouched(string method)
    {
        Assert.True(_clock.Registry.TryGetCircuitBreaker(Prefix + method, out CircuitBreaker? breaker));
        Assert.Equal(0, breaker.Counts.Failures);
        Assert.Equal(CircuitState.Closed, breaker.State);
    }

    [Fact]
    public async Task Cancelling_a_pending_call_reaches_the_caller_after_one_attempt()
    {
        using var caller = new CancellationTokenSource();
        Task<string> call = _proxy.PlainAsync(caller.Token);
        await _inner.Log.WhenCount(1);

        caller.Cancel();

        var error = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Clock.Finish(call));
        Assert.Equal(caller.Token, error.CancellationToken);
        _clock.Advance(10_000);
        Assert.Equal(1, _inner.Log.Count);
        Assert.Equal(0, _inner.FallbackCalls);
        AssertBreakerUntouched(nameof(ICancellableService.PlainAsync));
    }

    [Fact]
    public async Task Cancelling_under_a_timeout_is_the_callers_cancellation_not_a_timeout()
    {
        using var caller = new CancellationTokenSource();
        ValueTask<string> call = _proxy.WithTimeoutAsync(caller.Token);
        await _inner.Log.WhenCount(1);

        caller.Cancel();

        var error = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Clock.Finish(call.AsTask()));
        Assert.IsNotType<ResilienceTimeoutException>(error);
        _clock.Advance(10_000);
        Assert.Equal(1, _inner.Log.Count);
        Assert.Equal(0, _inner.FallbackCalls);
        AssertBreakerUntouched(nameof(ICancellableService.WithTimeoutAsync));
    }

    [Fact]
    public async Task Cancelling_during_a_retry_delay_stops_the_sequence_at_once()
    {
        _inner.FailFirst = true;
        using var caller = new CancellationTokenSource();
        Task<string> call = _proxy.PlainAsync(caller.Token);
        Assert.Equal(1, _inner.Log.Count);

        caller.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Clock.Finish(call));
        _clock.Advance(10_000);
        Assert.Equal(1, _inner.Log.Count);
        Assert.Equal(0, _inner.FallbackCalls);
        AssertBreakerUntouched(nameof(ICancellableService.PlainAsync));
    }

    [Fact]
    public async Task An_already_cancelled_token_never_reaches_the_fallback()
    {
        using var caller = new CancellationTokenSource();
        caller.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Clock.Finish(_proxy.WithTimeoutAsync(caller.Token).AsTask()));

        Assert.Equal(0, _inner.FallbackCalls);
        AssertBreakerUntouched(nameof(ICancellableService.WithTimeoutAsync));
    }

    [Fact]
    public async Task Without_cancellation_the_same_failure_does_go_to_the_fallback()
    {
        // Control for the tests above: the fallback is wired and answers real failures.
        _inner.FailFirst = true;
        ValueTask<string> call = _proxy.WithTimeoutAsync(CancellationToken.None);
        await _clock.AdvanceToAttempt(10, _inner.Log, 2);
        _clock.Advance(5_000);

        Assert.Equal("fallback", await Clock.Finish(call.AsTask()));
        Assert.Equal(1, _inner.FallbackCalls);
    }
}
