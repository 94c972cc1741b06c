using Resilience.EndToEnd.Tests.Infrastructure;

namespace Resilience.EndToEnd.Tests;

public interface IRetryService
{
    [Retry(MaxRetries = 3, DelayMs = 100, Backoff = BackoffType.Exponential, Multiplier = 2, Jitter = 0)]
    Task<int> ExponentialAsync(CancellationToken cancellationToken);

    [Retry(MaxRetries = 3, DelayMs = 100, Backoff = BackoffType.Linear, Jitter = 0)]
    ValueTask<int> LinearAsync(CancellationToken cancellationToken);

    [Retry(MaxRetries = 2, DelayMs = 50, Backoff = BackoffType.Constant, Jitter = 0)]
    Task<int> ConstantAsync(CancellationToken cancellationToken);

    [Retry(MaxRetries = 3, DelayMs = 10, Backoff = BackoffType.Constant, Jitter = 0, RetryOn = new[] { typeof(TimeoutException) })]
    Task<int> FilteredAsync(CancellationToken cancellationToken);
}

/// <summary>An inner service whose every call records itself and then runs the test's script.</summary>
public sealed class ScriptedRetryService : IRetryService
{
    public AttemptLog Log { get; } = new();

    /// <summary>Given the 1-based attempt number, returns the result or throws.</summary>
    public Func<int, int> Script { get; set; } = static attempt => attempt;

    public Task<int> ExponentialAsync(CancellationToken cancellationToken) => Task.FromResult(Script(Log.Record(cancellationToken)));

    public ValueTask<int> LinearAsync(CancellationToken cancellationToken) => new(Script(Log.Record(cancellationToken)));

    public Task<int> ConstantAsync(CancellationToken cancellationToken) => Task.FromResult(Script(Log.Record(cancellationToken)));

    public Task<int> FilteredAsync(CancellationToken cancellationToken) => Task.FromResult(Script(Log.Record(cancellationToken)));

    /// <summary>A script that throws a fresh <see cref="InvalidOperationException"/> on the first <paramref name="failures"/> attempts.</summary>
    public static Func<int, int> FailThenSucceed(int failures, int result = 42) =>
        attempt => attempt <= failures ? throw new InvalidOperationException($"attempt {attempt}") : result;
}

public sealed class RetryTests : IDisposable
{
    private readonly Clock _clock = new();
    private readonly ScriptedRetryService _inner = new();
    private readonly RetryServiceResilient _proxy;

    public RetryTests() => _proxy = new RetryServiceResilient(_inner, _clock.Registry);

    public void Dispose() => _clock.Dispose();

    [Fact]
    public async Task Exponential_backoff_waits_exactly_100_200_400_ms_of_fake_time_before_the_success()
    {
        _inner.Script = ScriptedRetryService.FailThenSucceed(3);

        Task<int> call = _proxy.ExponentialAsync(CancellationToken.None);

        Assert.Equal(1, _inner.Log.Count);
        await _clock.AdvanceToAttempt(100, _inner.Log, 2);
        await _clock.AdvanceToAttempt(200, _inner.Log, 3);
        Assert.False(call.IsCompleted);
        await _clock.AdvanceToAttempt(400, _inner.Log, 4);
        Assert.Equal(42, await Clock.Finish(call));
        Assert.Equal(4, _inner.Log.Count);
    }

    [Fact]
    public async Task Linear_backoff_waits_100_200_300_ms()
    {
        _inner.Script = ScriptedRetryService.FailThenSucceed(3, result: 7);

        ValueTask<int> call = _proxy.LinearAsync(CancellationToken.None);

        await _clock.AdvanceToAttempt(100, _inner.Log, 2);
        await _clock.AdvanceToAttempt(200, _inner.Log, 3);
        await _clock.AdvanceToAttempt(300, _inner.Log, 4);
        Assert.Equal(7, await Clock.Finish(call.AsTask()));
    }

    [Fact]
    public async Task A_success_on_the_first_attempt_completes_synchronously_without_waiting()
    {
        Task<int> call = _proxy.ExponentialAsync(CancellationToken.None);

        Assert.True(call.IsCompletedSuccessfully);
        Assert.Equal(1, await call);
        Assert.Equal(1, _inner.Log.Count);
    }

    [Fact]
    public async Task Exhausted_retries_rethrow_the_last_attempts_exception()
    {
        _inner.Script = ScriptedRetryService.FailThenSucceed(int.MaxValue);

        Task<int> call = _proxy.ConstantAsync(CancellationToken.None);
        await _clock.AdvanceToAttempt(50, _inner.Log, 2);
        await _clock.AdvanceToAttempt(50, _inner.Log, 3);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => Clock.Finish(call));
        Assert.Equal("attempt 3", error.Message);

        _clock.Advance(10_000);
        Assert.Equal(3, _inner.Log.Count); // MaxRetries = 2: three attempts, never a fourth
    }

    [Fact]
    public async Task A_PermanentException_is_not_retried()
    {
        _inner.Script = static _ => throw new PermanentException("bad input");

        Task<int> call = _proxy.ExponentialAsync(CancellationToken.None);

        var error = await Assert.ThrowsAsync<PermanentException>(() => Clock.Finish(call));
        Assert.Equal("bad input", error.Message);
        _clock.Advance(10_000);
        Assert.Equal(1, _inner.Log.Count);
    }

    [Fact]
    public async Task RetryOn_retries_only_the_listed_exception_types()
    {
        _inner.Script = static attempt => attempt == 1 ? throw new TimeoutException("listed") : throw new ArgumentException("not listed");

        Task<int> call = _proxy.FilteredAsync(CancellationToken.None);
        await _clock.AdvanceToAttempt(10, _inner.Log, 2);

        var error = await Assert.ThrowsAsync<ArgumentException>(() => Clock.Finish(call));
        Assert.Equal("not listed", error.Message);
        _clock.Advance(10_000);
        Assert.Equal(2, _inner.Log.Count);
    }
}
