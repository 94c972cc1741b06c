using Resilience.EndToEnd.Tests.Infrastructure;

namespace Resilience.EndToEnd.Tests;

public interface IRetryFaults
{
    // A retry delay longer than the timeout: the timeout cuts it.
#pragma warning disable RES0009 // worst-case retry delays exceed the timeout
    [Timeout(100)]
    [Retry(MaxRetries = 3, DelayMs = 500, Backoff = BackoffType.Constant, Jitter = 0)]
    Task<int> CutByTimeoutAsync(CancellationToken cancellationToken);
#pragma warning restore RES0009

    [Retry(MaxRetries = 3, DelayMs = 500, Backoff = BackoffType.Constant, Jitter = 0)]
    Task<int> RetriedAsync(CancellationToken cancellationToken);

    [Retry(MaxRetries = 3, DelayMs = 500, Backoff = BackoffType.Constant, Jitter = 0)]
    [CircuitBreaker(FailureThreshold = 1, BreakDurationMs = 60_000)]
    Task<int> BreakerAsync(CancellationToken cancellationToken);

    [Retry(MaxRetries = 1, Policy = typeof(SixtyDaysPolicy))]
    Task<int> HugeDelayAsync(CancellationToken cancellationToken);

    [Retry(MaxRetries = 1, Policy = typeof(NegativeDelayPolicy))]
    Task<int> NegativeDelayAsync(CancellationToken cancellationToken);

    [Retry(MaxRetries = 1, Policy = typeof(NaNDelayPolicy))]
    Task<int> NaNDelayAsync(CancellationToken cancellationToken);

    [Retry(MaxRetries = 3, DelayMs = 10, Jitter = 0)]
    Task<int> PermanentAsync(CancellationToken cancellationToken);
}

public sealed class SixtyDaysPolicy : IRetryPolicy
{
    public bool ShouldRetry(Exception exception, int attempt) => true;

    public TimeSpan GetDelay(int attempt) => TimeSpan.FromDays(60);
}

public sealed class NegativeDelayPolicy : IRetryPolicy
{
    public bool ShouldRetry(Exception exception, int attempt) => true;

    public TimeSpan GetDelay(int attempt) => TimeSpan.FromMilliseconds(-5);
}

/// <summary>A policy computing its delay in floating point that got NaN: cast to ticks it is no valid delay.</summary>
public sealed class NaNDelayPolicy : IRetryPolicy
{
    public bool ShouldRetry(Exception exception, int attempt) => true;

    public TimeSpan GetDelay(int attempt) => TimeSpan.FromTicks(unchecked((long)(double.NaN * attempt)) is var ticks && ticks != 0 ? ticks : -1);
}

/// <summary>Fails while <see cref="FailuresLeft"/> is positive, then answers the attempt number.</summary>
public sealed class FailingRetryFaults : IRetryFaults
{
    public AttemptLog Log { get; } = new();

    public int FailuresLeft { get; set; } = int.MaxValue;

    public Func<Exception> Error { get; set; } = static () => new InvalidOperationException("real failure");

    public Task<int> CutByTimeoutAsync(CancellationToken cancellationToken) => Next(cancellationToken);

    public Task<int> RetriedAsync(CancellationToken cancellationToken) => Next(cancellationToken);

    public Task<int> BreakerAsync(CancellationToken cancellationToken) => Next(cancellationToken);

    public Task<int> HugeDelayAsync(CancellationToken cancellationToken) => Next(cancellationToken);

    public Task<int> NegativeDelayAsync(CancellationToken cancellationToken) => Next(cancellationToken);

    public Task<int> NaNDelayAsync(CancellationToken cancellationToken) => Next(cancellationToken);

    public Task<int> PermanentAsync(CancellationToken cancellationToken) => Next(cancellationToken);

    private Task<int> Next(CancellationToken token)
    {
        int attempt = Log.Record(token);
        if (FailuresLeft > 0)
        {
            FailuresLeft--;
            return Task.FromException<int>(Error());
        }

        return Task.FromResult(attempt);
    }
}

/// <summary>
/// Retries counted are retries made (<c>OnRetry</c> fires when the retry starts, after its delay); a custom policy's
/// odd delay never replaces the real failure; a permanent error is found inside wrapping exceptions.
/// </summary>
[Collection(TelemetryAndAllocationCollection.Name)]
public sealed class RetryUnderFaultsTests : IDisposable
{
    private readonly Clock _clock = new();
    private readonly FailingRetryFaults _inner = new();
    private readonly RetryFaultsResilient _proxy;
    private readonly List<RetryEventArgs> _retries = [];

    public RetryUnderFaultsTests()
    {
        _proxy = new RetryFaultsResilient(_inner, _clock.Registry);
        _clock.Registry.OnRetry += (_, e) =>
        {
            lock (_retries)
            {
                _retries.Add(e);
            }
        };
    }

    public void Dispose() => _clock.Dispose();

    private int Retries
    {
        get
        {
            lock (_retries)
            {
                return _retries.Count;
            }
        }
    }

    [Fact]
    public async Task A_retry_is_reported_when_it_is_made_after_its_delay()
    {
        _inner.FailuresLeft = 1;
        Task<int> call = _proxy.RetriedAsync(CancellationToken.None);
        Assert.Equal(0, Retries); // waiting for the delay: no retry made yet

        await _clock.AdvanceToAttempt(500, _inner.Log, 2);
        Assert.Equal(2, await Clock.Finish(call));
        RetryEventArgs retry = Assert.Single(_retries);
        Assert.Equal(1, retry.Attempt);
        Assert.Equal(TimeSpan.FromMilliseconds(500), retry.Delay);
        Assert.IsType<InvalidOperationException>(retry.Exception);
    }

    [Fact]
    public async Task A_delay_cut_short_by_the_timeout_is_no_retry()
    {
        Task<int> call = _proxy.CutByTimeoutAsync(CancellationToken.None);
        _clock.Advance(100);

        await Assert.ThrowsAsync<ResilienceTimeoutException>(() => Clock.Finish(call));
        Assert.Equal(1, _inner.Log.Count);
        Assert.Equal(0, Retries);
    }

    [Fact]
    public async Task A_delay_cut_short_by_the_caller_is_no_retry()
    {
        using var caller = new CancellationTokenSource();
        Task<int> call = _proxy.RetriedAsync(caller.Token);
        caller.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Clock.Finish(call));
        Assert.Equal(1, _inner.Log.Count);
        Assert.Equal(0, Retries);
    }

    [Fact]
    public async Task A_retry_the_opened_breaker_stops_after_its_delay_is_no_retry()
    {
        // First: attempts at 0, 500, 1000, 1500 ms; it ends at 1500 ms and opens the breaker (threshold 1).
        // Second: attempts at 250, 750, 1250 ms; its third retry's delay ends at 1750 ms with the breaker open, so that
        // retry is never made.
        Task<int> first = _proxy.BreakerAsync(CancellationToken.None);
        _clock.Advance(250);
        Task<int> second = _proxy.BreakerAsync(CancellationToken.None);
        for (int elapsed = 250; elapsed < 2_000; elapsed += 250)
        {
            _clock.Advance(250);
        }

        await Assert.ThrowsAsync<InvalidOperationException>(() => Clock.Finish(first));
        await Assert.ThrowsAsync<InvalidOperationException>(() => Clock.Finish(second));
        Assert.Equal(7, _inner.Log.Count);
        Assert.Equal(5, Retries); // every reported retry reached the inner service
    }

    [Fact]
    public async Task A_policy_delay_of_sixty_days_is_waited_as_the_longest_delay_and_keeps_the_real_failure()
    {
        Assert.Equal(TimeSpan.FromMilliseconds(int.MaxValue), RetryStrategy.LongestDelay);
        Task<int> call = _proxy.HugeDelayAsync(CancellationToken.None);
        Assert.False(call.IsCompleted); // not Task.Delay's ArgumentOutOfRangeException in place of the failure

        _clock.Advance(int.MaxValue - 1);
        Assert.Equal(1, _inner.Log.Count);
        _clock.Advance(1);
        await _inner.Log.WhenCount(2);
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => Clock.Finish(call));
        Assert.Equal("real failure", error.Message);
        Assert.Equal(RetryStrategy.LongestDelay, Assert.Single(_retries).Delay);
    }

    [Fact]
    public async Task Negative_and_NaN_policy_delays_retry_at_once_and_keep_the_real_failure()
    {
        var negative = await Assert.ThrowsAsync<InvalidOperationException>(() => Clock.Finish(_proxy.NegativeDelayAsync(CancellationToken.None)));
        var nan = await Assert.ThrowsAsync<InvalidOperationException>(() => Clock.Finish(_proxy.NaNDelayAsync(CancellationToken.None)));

        Assert.Equal("real failure", negative.Message);
        Assert.Equal("real failure", nan.Message);
        Assert.Equal(4, _inner.Log.Count); // two attempts each, no time passed
        Assert.All(_retries, r => Assert.Equal(TimeSpan.Zero, r.Delay));
    }

    [Fact]
    public async Task A_permanent_error_wrapped_in_another_exception_is_not_retried()
    {
        _inner.Error = static () => new InvalidOperationException("outer", new PermanentException(new ArgumentException("bad input")));
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => Clock.Finish(_proxy.PermanentAsync(CancellationToken.None)));

        Assert.Equal("outer", error.Message);
        Assert.Equal(1, _inner.Log.Count);
    }

    [Fact]
    public async Task A_permanent_error_inside_an_AggregateException_is_not_retried()
    {
        _inner.Error = static () => new AggregateException(new TimeoutException(), new PermanentException("not found"));
        await Assert.ThrowsAsync<AggregateException>(() => Clock.Finish(_proxy.PermanentAsync(CancellationToken.None)));

        Assert.Equal(1, _inner.Log.Count);
    }
}
