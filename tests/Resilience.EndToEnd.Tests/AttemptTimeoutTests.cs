using Resilience.EndToEnd.Tests.Infrastructure;

namespace Resilience.EndToEnd.Tests;

public interface ISlowService
{
    [Retry(MaxRetries = 2, DelayMs = 10, Backoff = BackoffType.Constant, Jitter = 0, AttemptTimeoutMs = 100)]
    Task<int> FetchAsync(CancellationToken cancellationToken);
}

public sealed class ScriptedSlowService : ISlowService
{
    public AttemptLog Log { get; } = new();

    /// <summary>Attempts up to this number hang until their token is cancelled; later ones answer at once.</summary>
    public int SlowAttempts { get; set; }

    public Task<int> FetchAsync(CancellationToken cancellationToken)
    {
        int n = Log.Record(cancellationToken);
        return n <= SlowAttempts ? Pending.Until<int>(cancellationToken) : Task.FromResult(n * 10);
    }
}

public sealed class AttemptTimeoutTests : IDisposable
{
    private readonly Clock _clock = new();
    private readonly ScriptedSlowService _inner = new();
    private readonly SlowServiceResilient _proxy;

    public AttemptTimeoutTests() => _proxy = new SlowServiceResilient(_inner, _clock.Registry);

    public void Dispose() => _clock.Dispose();

    [Fact]
    public async Task A_slow_attempt_is_cancelled_after_AttemptTimeoutMs_and_retried()
    {
        _inner.SlowAttempts = 1;

        Task<int> call = _proxy.FetchAsync(CancellationToken.None);
        await _inner.Log.WhenCount(1);
        _clock.Advance(99);
        Assert.False(_inner.Log.Tokens[0].IsCancellationRequested);
        _clock.Advance(1);
        Assert.True(_inner.Log.Tokens[0].IsCancellationRequested);
        await _clock.AdvanceToAttempt(10, _inner.Log, 2);

        Assert.Equal(20, await Clock.Finish(call));
        Assert.False(_inner.Log.Tokens[1].IsCancellationRequested);
    }

    [Fact]
    public async Task When_every_attempt_is_slow_the_caller_gets_the_attempt_timeout_after_all_retries()
    {
        _inner.SlowAttempts = int.MaxValue;

        Task<int> call = _proxy.FetchAsync(CancellationToken.None);
        await _inner.Log.WhenCount(1);
        _clock.Advance(100);
        await _clock.AdvanceToAttempt(10, _inner.Log, 2);
        _clock.Advance(100);
        await _clock.AdvanceToAttempt(10, _inner.Log, 3);
        _clock.Advance(100);

        var error = await Assert.ThrowsAsync<ResilienceTimeoutException>(() => Clock.Finish(call));
        Assert.Equal(TimeSpan.FromMilliseconds(100), error.Timeout);
        Assert.Equal(3, _inner.Log.Count);
    }

    [Fact]
    public async Task The_callers_cancellation_during_an_attempt_is_not_an_attempt_timeout_and_is_not_retried()
    {
        _inner.SlowAttempts = int.MaxValue;
        using var caller = new CancellationTokenSource();

        Task<int> call = _proxy.FetchAsync(caller.Token);
        await _inner.Log.WhenCount(1);
        caller.Cancel();

        var error = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Clock.Finish(call));
        Assert.IsNotType<ResilienceTimeoutException>(error);
        _clock.Advance(1_000);
        Assert.Equal(1, _inner.Log.Count);
    }
}
