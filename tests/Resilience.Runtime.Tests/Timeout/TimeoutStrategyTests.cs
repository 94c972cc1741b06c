using Microsoft.Extensions.Time.Testing;

namespace Resilience.Runtime.Tests.Timeout;

[Collection(StressCollection.Name)]
public sealed class TimeoutStrategyTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromMilliseconds(100);
    private readonly FakeTimeProvider _clock = new();

    private TimeoutStrategy Strategy(TimeSpan? timeout = null) => new("test.timeout", timeout ?? Limit, _clock);

    [Fact]
    public void Token_is_cancelled_exactly_when_the_clock_reaches_the_timeout()
    {
        TimeoutStrategy timeout = Strategy();
        using TimeoutScope scope = timeout.Start(CancellationToken.None);

        _clock.Advance(Limit - TimeSpan.FromTicks(1));
        Assert.False(scope.Token.IsCancellationRequested);
        Assert.False(scope.IsExpired);

        _clock.Advance(TimeSpan.FromTicks(1));
        Assert.True(scope.Token.IsCancellationRequested);
        Assert.True(scope.IsExpired);
    }

    [Fact]
    public void Expiry_is_reported_for_a_cancelable_caller_that_did_not_cancel()
    {
        TimeoutStrategy timeout = Strategy();
        using var caller = new CancellationTokenSource();
        using TimeoutScope scope = timeout.Start(caller.Token);

        _clock.Advance(Limit);

        Assert.True(scope.IsExpired);
        Assert.False(caller.IsCancellationRequested);
        Assert.Equal("test.timeout", timeout.CreateException().InstanceName);
        Assert.Equal(Limit, timeout.CreateException().Timeout);
    }

    [Fact]
    public void Caller_cancellation_cancels_the_token_at_once_and_is_not_an_expiry()
    {
        TimeoutStrategy timeout = Strategy();
        using var caller = new CancellationTokenSource();
        using TimeoutScope scope = timeout.Start(caller.Token);

        caller.Cancel();
        Assert.True(scope.Token.IsCancellationRequested);
        Assert.False(scope.IsExpired);

        _clock.Advance(Limit * 2); // the timer firing later does not turn it into an expiry: the caller wins
        Assert.False(scope.IsExpired);
    }

    [Fact]
    public void An_already_cancelled_caller_gets_a_cancelled_token_that_is_not_an_expiry()
    {
        TimeoutStrategy timeout = Strategy();
        using var caller = new CancellationTokenSource();
        caller.Cancel();

        using TimeoutScope scope = timeout.Start(caller.Token);

        Assert.Equal(caller.Token, scope.Token); // the caller's own token: no pooled source is taken
        Assert.True(scope.Token.IsCancellationRequested);
        Assert.False(scope.IsExpired);
        _clock.Advance(Limit);
        Assert.False(scope.IsExpired);
    }

    [Fact]
    public void A_disposed_scope_stops_its_timer()
    {
        TimeoutStrategy timeout = Strategy();
        TimeoutScope scope = timeout.Start(CancellationToken.None);
        CancellationToken token = scope.Token;

        _clock.Advance(Limit / 2);
        scope.Dispose();
        _clock.Advance(Limit * 2);

        Assert.False(token.IsCancellationRequested);
    }

    [Fact]
    public void After_Dispose_the_token_source_is_reused_with_a_fresh_timer()
    {
        TimeoutStrategy timeout = Strategy();
        TimeoutScope first = timeout.Start(CancellationToken.None);
        CancellationToken firstToken = first.Token;
        _clock.Advance(Limit / 2);
        first.Dispose();

        using TimeoutScope second = timeout.Start(CancellationToken.None);

        Assert.Equal(firstToken, second.Token); // same source, back from the pool
        Assert.False(second.Token.IsCancellationRequested);

        // The first scope's deadline (t = 100 ms) passes without effect; the second one's (t = 150 ms) counts.
        _clock.Advance(Limit / 2);
        Assert.False(second.Token.IsCancellationRequested);
        _clock.Advance(Limit / 2 - TimeSpan.FromTicks(1));
        Assert.False(second.Token.IsCancellationRequested);
        _clock.Advance(TimeSpan.FromTicks(1));
        Assert.True(second.IsExpired);
    }

    [Fact]
    public void An_expired_source_is_not_returned_to_the_pool()
    {
        TimeoutStrategy timeout = Strategy();
        TimeoutScope expired = timeout.Start(CancellationToken.None);
        CancellationToken expiredToken = expired.Token;
        _clock.Advance(Limit);
        Assert.True(expired.IsExpired);
        expired.Dispose();

        using TimeoutScope next = timeout.Start(CancellationToken.None);

        Assert.NotEqual(expiredToken, next.Token);
        Assert.False(next.Token.IsCancellationRequested);
        Assert.False(next.IsExpired);
    }

    [Fact]
    public void A_source_cancelled_by_the_caller_is_not_returned_to_the_pool()
    {
        TimeoutStrategy timeout = Strategy();
        using var caller = new CancellationTokenSource();
        TimeoutScope cancelled = timeout.Start(caller.Token);
        CancellationToken cancelledToken = cancelled.Token;
        caller.Cancel();
        cancelled.Dispose();

        using TimeoutScope next = timeout.Start(CancellationToken.None);

        Assert.NotEqual(cancelledToken, next.Token);
        Assert.False(next.Token.IsCancellationRequested);
    }

    [Fact]
    public void Disposing_unlinks_the_caller_token()
    {
        TimeoutStrategy timeout = Strategy();
        using var caller = new CancellationTokenSource();
        TimeoutScope first = timeout.Start(caller.Token);
        first.Dispose();

        using TimeoutScope reused = timeout.Start(CancellationToken.None);
        Assert.Equal(first.Token, reused.Token);

        caller.Cancel(); // the first scope's caller must no longer reach the reused source
        Assert.False(reused.Token.IsCancellationRequested);
    }

    [Fact]
    public void A_second_Dispose_of_the_same_scope_does_nothing()
    {
        TimeoutStrategy timeout = Strategy();
        TimeoutScope first = timeout.Start(CancellationToken.None);
        first.Dispose();
        using TimeoutScope reused = timeout.Start(CancellationToken.None);

        first.Dispose(); // must neither stop the reused source's timer nor pool it a second time

        using TimeoutScope other = timeout.Start(CancellationToken.None);
        Assert.NotEqual(reused.Token, other.Token);
        _clock.Advance(Limit);
        Assert.True(reused.IsExpired);
        Assert.True(other.IsExpired);
    }

    [Fact]
    public void A_default_scope_is_inert()
    {
        TimeoutScope scope = default;

        Assert.Equal(CancellationToken.None, scope.Token);
        Assert.False(scope.IsExpired);
        scope.Dispose();
        scope.Dispose();
    }

    [Fact]
    public void Concurrent_scopes_each_keep_their_own_deadline()
    {
        TimeoutStrategy timeout = Strategy();
        TimeoutScope a = timeout.Start(CancellationToken.None);
        _clock.Advance(TimeSpan.FromMilliseconds(30));
        TimeoutScope b = timeout.Start(CancellationToken.None);
        _clock.Advance(TimeSpan.FromMilliseconds(70));

        Assert.True(a.IsExpired);
        Assert.False(b.Token.IsCancellationRequested);
        _clock.Advance(TimeSpan.FromMilliseconds(30));
        Assert.True(b.IsExpired);
        a.Dispose();
        b.Dispose();
    }

    public static TheoryData<double> InvalidTimeouts => new() { 0, -1, -100, (double)int.MaxValue + 1, TimeSpan.FromDays(30).TotalMilliseconds };

    [Theory]
    [MemberData(nameof(InvalidTimeouts))]
    public void Constructor_rejects_a_timeout_outside_the_supported_range(double milliseconds)
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => new TimeoutStrategy("t", TimeSpan.FromMilliseconds(milliseconds), _clock));

        Assert.Equal("timeout", ex.ParamName);
        Assert.StartsWith($"Timeout must be in (0, 2147483647] ms; got {milliseconds.ToString(System.Globalization.CultureInfo.InvariantCulture)} ms.", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_accepts_the_edges_and_checks_the_name()
    {
        Assert.Equal(TimeSpan.FromTicks(1), new TimeoutStrategy("t", TimeSpan.FromTicks(1), _clock).Timeout);
        Assert.Equal(TimeSpan.FromMilliseconds(int.MaxValue), new TimeoutStrategy("t", TimeSpan.FromMilliseconds(int.MaxValue), _clock).Timeout);
        Assert.Throws<ArgumentNullException>(() => new TimeoutStrategy(null!, Limit));
        Assert.Throws<ArgumentException>(() => new TimeoutStrategy("", Limit));
    }

    // The production clock: nothing waits on it (the timeout is an hour and every scope ends at once).
    [Fact]
    public void Start_and_Dispose_allocate_nothing_after_warm_up_with_a_non_cancelable_caller()
    {
        var timeout = new TimeoutStrategy("system", TimeSpan.FromHours(1), TimeProvider.System);

        Assert.Equal(0, MeasureCycles(timeout, CancellationToken.None));
    }

    [Fact]
    public void Start_and_Dispose_allocate_nothing_after_warm_up_with_a_cancelable_caller()
    {
        var timeout = new TimeoutStrategy("system", TimeSpan.FromHours(1), TimeProvider.System);
        using var caller = new CancellationTokenSource();

        Assert.Equal(0, MeasureCycles(timeout, caller.Token));
    }

    [Fact]
    public void On_the_fake_clock_a_cycle_allocates_nothing_either()
    {
        // FakeTimeProvider's ITimer.Change allocates (56 bytes in 10.x), but in steady state no use touches the timer:
        // the one set by the first use is still due before every later deadline.
        TimeoutStrategy timeout = Strategy(TimeSpan.FromHours(1));
        using var caller = new CancellationTokenSource();

        Assert.Equal(0, MeasureCycles(timeout, CancellationToken.None));
        Assert.Equal(0, MeasureCycles(timeout, caller.Token));
    }

    [Fact]
    public async Task Stress_no_scope_ever_starts_cancelled_under_concurrent_cancellation_and_expiry()
    {
        TimeSpan limit = TimeSpan.FromMilliseconds(5);
        TimeoutStrategy timeout = Strategy(limit);
        const int Workers = 4;
        const int Iterations = 20_000;
        var callers = new CancellationTokenSource[Workers];
        for (int w = 0; w < Workers; w++)
        {
            callers[w] = new CancellationTokenSource();
        }

        int violations = 0, expiries = 0, callerCancels = 0, running = Workers;
        var tasks = new List<Task>();

        // Time and foreign cancellations race with the workers' Start/Dispose. Started first: on two cores the workers
        // can otherwise finish before the thread pool runs this task.
        tasks.Add(Task.Run(() =>
        {
            var random = new Random(-1);
            while (Volatile.Read(ref running) > 0)
            {
                _clock.Advance(TimeSpan.FromMilliseconds(1));
                if (random.Next(4) == 0)
                {
                    Volatile.Read(ref callers[random.Next(Workers)]).Cancel();
                    Interlocked.Increment(ref callerCancels);
                }

                Thread.Yield();
            }
        }));

        for (int w = 0; w < Workers; w++)
        {
            int worker = w;
            tasks.Add(Task.Run(() =>
            {
                var random = new Random(worker);
                CancellationTokenSource caller = callers[worker];
                for (int i = 0; i < Iterations; i++)
                {
                    if (caller.IsCancellationRequested)
                    {
                        caller = new CancellationTokenSource();
                        Volatile.Write(ref callers[worker], caller);
                    }

                    long started = _clock.GetTimestamp();
                    TimeoutScope scope = timeout.Start(random.Next(3) == 0 ? CancellationToken.None : caller.Token);
                    if (scope.Token.IsCancellationRequested
                        && !caller.IsCancellationRequested
                        && !(scope.IsExpired && _clock.GetElapsedTime(started) >= limit))
                    {
                        Interlocked.Increment(ref violations);
                    }

                    if (random.Next(16) == 0)
                    {
                        caller.Cancel();
                    }

                    int roll = random.Next(8);
                    if (roll == 0)
                    {
                        _clock.Advance(limit); // expires this scope and, concurrently, other workers' scopes
                    }
                    else if (roll == 1)
                    {
                        Thread.Yield();
                    }

                    if (scope.IsExpired)
                    {
                        Interlocked.Increment(ref expiries);
                    }

                    scope.Dispose();
                }

                Interlocked.Decrement(ref running);
            }));
        }

        await Task.WhenAll(tasks).WaitAsync(TimeSpan.FromSeconds(30)); // safety net against a hang only
        Assert.Equal(0, violations);
        Assert.True(expiries > 0, "no timeout fired during the run");
        Assert.True(callerCancels > 0, "no foreign cancellation happened during the run");

        // The pool survived: a fresh scope starts uncancelled and still expires exactly on time.
        using TimeoutScope last = timeout.Start(CancellationToken.None);
        Assert.False(last.Token.IsCancellationRequested);
        _clock.Advance(limit - TimeSpan.FromTicks(1));
        Assert.False(last.Token.IsCancellationRequested);
        _clock.Advance(TimeSpan.FromTicks(1));
        Assert.True(last.IsExpired);
    }

    private static long MeasureCycles(TimeoutStrategy timeout, CancellationToken callerToken)
    {
        for (int i = 0; i < 1_000; i++)
        {
            timeout.Start(callerToken).Dispose();
        }

        return AllocationProbe.Least(() =>
        {
            for (int i = 0; i < 10_000; i++)
            {
                TimeoutScope scope = timeout.Start(callerToken);
                if (scope.Token.IsCancellationRequested)
                {
                    throw new InvalidOperationException("a fresh scope was cancelled");
                }

                scope.Dispose();
            }
        });
    }
}
