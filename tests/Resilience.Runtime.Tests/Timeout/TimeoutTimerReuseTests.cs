using Microsoft.Extensions.Time.Testing;

namespace Resilience.Runtime.Tests.Timeout;

/// <summary>
/// The pooled source leaves its timer running when a use ends: the next use reuses it when it is due at or before the
/// new deadline, an early wake-up waits for the rest, and an idle source's timer goes quiet.
/// </summary>
[Collection(StressCollection.Name)]
public sealed class TimeoutTimerReuseTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan Tick = TimeSpan.FromTicks(1);
    private readonly CountingClock _clock = new();

    [Fact]
    public void A_use_after_an_ended_use_times_out_exactly_at_its_own_deadline()
    {
        var timeout = new TimeoutStrategy("reuse", Limit, _clock);
        TimeoutScope first = timeout.Start(CancellationToken.None);
        _clock.Advance(TimeSpan.FromMilliseconds(40));
        first.Dispose();

        using TimeoutScope second = timeout.Start(CancellationToken.None); // deadline t = 140 ms
        Assert.Equal(first.Token, second.Token); // the same pooled source, its timer still due at t = 100 ms

        _clock.Advance(TimeSpan.FromMilliseconds(100) - Tick); // t = 140 ms - 1 tick, past the first deadline
        Assert.False(second.Token.IsCancellationRequested);
        Assert.False(second.IsExpired);

        _clock.Advance(Tick); // t = 140 ms
        Assert.True(second.Token.IsCancellationRequested);
        Assert.True(second.IsExpired);
    }

    [Fact]
    public void The_early_wake_up_for_an_ended_use_sets_the_timer_for_the_rest_of_the_next_use()
    {
        var timeout = new TimeoutStrategy("reuse", Limit, _clock);
        timeout.Start(CancellationToken.None).Dispose(); // sets the timer: due at t = 100 ms
        Assert.Equal(1, _clock.Changes);

        _clock.Advance(TimeSpan.FromMilliseconds(30));
        using TimeoutScope scope = timeout.Start(CancellationToken.None); // deadline t = 130 ms
        Assert.Equal(1, _clock.Changes); // already due before the new deadline: not touched

        _clock.Advance(TimeSpan.FromMilliseconds(70)); // t = 100 ms: the early wake-up
        Assert.Equal(1, _clock.Fires);
        Assert.Equal(2, _clock.Changes); // set again, for the remaining 30 ms
        Assert.Equal(TimeSpan.FromMilliseconds(30), _clock.LastDueTime);
        Assert.False(scope.Token.IsCancellationRequested);

        _clock.Advance(TimeSpan.FromMilliseconds(30) - Tick);
        Assert.False(scope.Token.IsCancellationRequested);
        _clock.Advance(Tick);
        Assert.True(scope.IsExpired);
        Assert.Equal(2, _clock.Fires);
    }

    [Fact]
    public void An_idle_source_timer_fires_once_more_and_then_goes_quiet()
    {
        var timeout = new TimeoutStrategy("idle", Limit, _clock);
        TimeoutScope scope = timeout.Start(CancellationToken.None);
        CancellationToken token = scope.Token;
        scope.Dispose();

        _clock.Advance(Limit * 10);
        Assert.Equal(1, _clock.Fires); // the wake-up for the ended use, which does nothing
        Assert.Equal(1, _clock.Changes); // and does not set the timer again
        Assert.False(token.IsCancellationRequested);

        _clock.Advance(Limit * 10);
        Assert.Equal(1, _clock.Fires);

        // The quiet timer is set again by the next use, which expires on time.
        using TimeoutScope next = timeout.Start(CancellationToken.None);
        Assert.Equal(token, next.Token);
        Assert.Equal(2, _clock.Changes);
        _clock.Advance(Limit - Tick);
        Assert.False(next.Token.IsCancellationRequested);
        _clock.Advance(Tick);
        Assert.True(next.IsExpired);
    }

    [Fact]
    public void In_steady_state_no_use_touches_the_timer()
    {
        var timeout = new TimeoutStrategy("steady", Limit, _clock);
        using var caller = new CancellationTokenSource();
        timeout.Start(CancellationToken.None).Dispose(); // warm-up: creates and sets the pooled source's timer
        int changes = _clock.Changes;
        Assert.Equal(1, changes);

        for (int i = 0; i < 1_000; i++)
        {
            timeout.Start(i % 2 == 0 ? CancellationToken.None : caller.Token).Dispose();
        }

        Assert.Equal(changes, _clock.Changes);
        Assert.Equal(1, _clock.TimersCreated);
    }

    [Fact]
    public void While_time_passes_the_timer_is_touched_about_once_per_timeout_not_once_per_use()
    {
        var timeout = new TimeoutStrategy("steady", Limit, _clock);
        timeout.Start(CancellationToken.None).Dispose();
        int changes = _clock.Changes;

        // 1,000 uses of 1 ms each: 1 s of clock time, i.e. 10 timeouts.
        for (int i = 0; i < 1_000; i++)
        {
            using TimeoutScope scope = timeout.Start(CancellationToken.None);
            _clock.Advance(TimeSpan.FromMilliseconds(1));
            Assert.False(scope.Token.IsCancellationRequested);
        }

        Assert.InRange(_clock.Changes - changes, 1, 11);
        Assert.InRange(_clock.Fires, 1, 11);
        Assert.Equal(1, _clock.TimersCreated);
    }

    [Fact]
    public void A_later_use_with_an_earlier_deadline_moves_the_timer_earlier()
    {
        // A shorter timeout set between two uses (reconfiguration) gives the second use a deadline before the one the
        // running timer is due at.
        var timeout = new TimeoutStrategy("shorter", Limit, _clock);
        timeout.Start(CancellationToken.None).Dispose(); // timer due at t = 100 ms
        timeout.Reconfigure(TimeSpan.FromMilliseconds(20));
        _clock.Advance(TimeSpan.FromMilliseconds(10));

        using TimeoutScope scope = timeout.Start(CancellationToken.None); // deadline t = 30 ms
        Assert.Equal(2, _clock.Changes);

        _clock.Advance(TimeSpan.FromMilliseconds(20) - Tick);
        Assert.False(scope.Token.IsCancellationRequested);
        _clock.Advance(Tick);
        Assert.True(scope.IsExpired);
    }

    [Fact]
    public void Retiring_an_expired_source_disposes_its_timer()
    {
        var timeout = new TimeoutStrategy("retire", Limit, _clock);
        TimeoutScope scope = timeout.Start(CancellationToken.None);
        _clock.Advance(Limit);
        Assert.True(scope.IsExpired);
        Assert.Equal(0, _clock.TimersDisposed);

        scope.Dispose();

        Assert.Equal(1, _clock.TimersDisposed);
    }

    [Fact]
    public void A_source_left_over_when_the_pool_is_full_has_its_running_timer_disposed()
    {
        var timeout = new TimeoutStrategy("full", Limit, _clock);
        var scopes = new TimeoutScope[80]; // more than the pool holds (at most 64)
        for (int i = 0; i < scopes.Length; i++)
        {
            scopes[i] = timeout.Start(CancellationToken.None);
        }

        for (int i = 0; i < scopes.Length; i++)
        {
            scopes[i].Dispose();
        }

        Assert.InRange(_clock.TimersDisposed, scopes.Length - 64, scopes.Length - 4);
        _clock.Advance(Limit * 2);
        Assert.Equal(scopes.Length - _clock.TimersDisposed, _clock.Fires); // only the pooled ones wake up, once
    }

    [Fact]
    public void The_pool_keeps_twice_as_many_sources_as_processors_within_4_to_64_plus_the_threads_spare_and_serves_them_all_again()
    {
        // The shared pool, plus the one idle source the thread that ended them keeps for its next start.
        int kept = Math.Clamp(Environment.ProcessorCount * 2, 4, 64) + 1;
        var timeout = new TimeoutStrategy("capacity", Limit, _clock);
        var scopes = new TimeoutScope[kept + 3];
        for (int i = 0; i < scopes.Length; i++)
        {
            scopes[i] = timeout.Start(CancellationToken.None);
        }

        for (int i = 0; i < scopes.Length; i++)
        {
            scopes[i].Dispose();
        }

        Assert.Equal(3, _clock.TimersDisposed); // exactly the three beyond the pool and the spare

        // As many scopes at once as the pool keeps: each gets a pooled source, none is created.
        int created = _clock.TimersCreated;
        var again = new TimeoutScope[kept];
        for (int i = 0; i < again.Length; i++)
        {
            again[i] = timeout.Start(CancellationToken.None);
        }

        Assert.Equal(created, _clock.TimersCreated);
        Assert.Equal(kept, again.Select(scope => scope.Token).Distinct().Count());

        // One more finds the pool empty.
        using TimeoutScope extra = timeout.Start(CancellationToken.None);
        Assert.Equal(created + 1, _clock.TimersCreated);
        foreach (TimeoutScope scope in again)
        {
            scope.Dispose();
        }
    }

    [Fact]
    public void Two_strategies_taking_turns_on_one_thread_reuse_their_own_sources_and_create_no_timer()
    {
        // The thread's spare holds one strategy's source at a time: starting the other strategy takes its own source from
        // its shared pool, and ending it moves the first one's spare back to the first one's pool.
        var first = new TimeoutStrategy("first", Limit, _clock);
        var second = new TimeoutStrategy("second", Limit * 2, _clock);
        first.Start(CancellationToken.None).Dispose();
        second.Start(CancellationToken.None).Dispose();
        int created = _clock.TimersCreated;
        Assert.Equal(2, created);

        for (int i = 0; i < 1_000; i++)
        {
            TimeoutStrategy timeout = i % 2 == 0 ? first : second;
            using TimeoutScope scope = timeout.Start(CancellationToken.None);
            Assert.False(scope.Token.IsCancellationRequested);
        }

        Assert.Equal(created, _clock.TimersCreated);
        Assert.Equal(0, _clock.TimersDisposed);

        // And each strategy's source still keeps its own limit.
        using TimeoutScope a = first.Start(CancellationToken.None);
        using TimeoutScope b = second.Start(CancellationToken.None);
        _clock.Advance(Limit);
        Assert.True(a.IsExpired);
        Assert.False(b.Token.IsCancellationRequested);
        _clock.Advance(Limit);
        Assert.True(b.IsExpired);
    }

    [Fact]
    public void A_scope_ended_on_another_thread_goes_back_to_the_thread_that_started_it()
    {
        var timeout = new TimeoutStrategy("handoff", Limit, _clock);
        timeout.Start(CancellationToken.None).Dispose(); // this thread's own source from now on
        TimeoutScope started = timeout.Start(CancellationToken.None);
        CancellationToken token = started.Token;
        CancellationToken startedThere = default;
        var other = new Thread(() =>
        {
            started.Dispose(); // ends there: the source is ready again for this thread, not taken by that one
            using TimeoutScope again = timeout.Start(CancellationToken.None);
            startedThere = again.Token;
        });
        other.Start();
        Assert.True(other.Join(TimeSpan.FromSeconds(30)));

        Assert.NotEqual(token, startedThere);
        Assert.Equal(2, _clock.TimersCreated);

        // This thread starts on its own source again: no new timer, the same token source.
        using TimeoutScope here = timeout.Start(CancellationToken.None);
        Assert.Equal(token, here.Token);
        Assert.Equal(2, _clock.TimersCreated);
    }

    [Fact]
    public void While_a_threads_own_source_runs_elsewhere_that_thread_starts_on_a_pooled_one_and_never_shares_it()
    {
        var timeout = new TimeoutStrategy("in-flight", Limit, _clock);
        timeout.Start(CancellationToken.None).Dispose();
        TimeoutScope inFlight = timeout.Start(CancellationToken.None); // the thread's own source, still running
        for (int i = 0; i < 100; i++)
        {
            using TimeoutScope meanwhile = timeout.Start(CancellationToken.None);
            Assert.NotEqual(inFlight.Token, meanwhile.Token);
        }

        Assert.Equal(2, _clock.TimersCreated); // the second source goes back to the shared pool and serves every start
        CancellationToken own = inFlight.Token;
        inFlight.Dispose();
        using TimeoutScope after = timeout.Start(CancellationToken.None);
        Assert.Equal(own, after.Token);
    }

    [Fact]
    public void Nested_scopes_of_one_strategy_on_one_thread_get_distinct_sources_and_reuse_them()
    {
        var timeout = new TimeoutStrategy("nested", Limit, _clock);
        for (int i = 0; i < 1_000; i++)
        {
            using TimeoutScope outer = timeout.Start(CancellationToken.None);
            using TimeoutScope inner = timeout.Start(CancellationToken.None);
            using TimeoutScope innermost = timeout.Start(CancellationToken.None);
            Assert.Equal(3, new[] { outer.Token, inner.Token, innermost.Token }.Distinct().Count());
        }

        Assert.Equal(3, _clock.TimersCreated);
        Assert.Equal(0, _clock.TimersDisposed);
    }

    [Fact]
    public void A_threads_own_source_that_expired_is_retired_and_the_thread_takes_a_new_one()
    {
        var timeout = new TimeoutStrategy("expired-own", Limit, _clock);
        TimeoutScope first = timeout.Start(CancellationToken.None);
        CancellationToken expiredToken = first.Token;
        _clock.Advance(Limit);
        Assert.True(first.IsExpired);
        first.Dispose();
        Assert.Equal(1, _clock.TimersDisposed);

        using TimeoutScope next = timeout.Start(CancellationToken.None);
        Assert.NotEqual(expiredToken, next.Token);
        Assert.False(next.Token.IsCancellationRequested);
        Assert.Equal(2, _clock.TimersCreated);
    }

    [Fact]
    public void A_threads_own_source_cancelled_by_the_caller_is_retired_and_never_serves_again()
    {
        var timeout = new TimeoutStrategy("cancelled-own", Limit, _clock);
        using var caller = new CancellationTokenSource();
        TimeoutScope first = timeout.Start(caller.Token);
        CancellationToken cancelledToken = first.Token;
        caller.Cancel();
        Assert.True(first.Token.IsCancellationRequested);
        Assert.False(first.IsExpired);
        first.Dispose();

        for (int i = 0; i < 10; i++)
        {
            using TimeoutScope next = timeout.Start(CancellationToken.None);
            Assert.NotEqual(cancelledToken, next.Token);
            Assert.False(next.Token.IsCancellationRequested);
        }

        Assert.Equal(2, _clock.TimersCreated);
        Assert.Equal(1, _clock.TimersDisposed);
    }

    [Fact]
    public async Task Stress_scopes_started_on_one_thread_and_ended_on_others_never_share_a_source()
    {
        // Starts on whatever thread runs the task, ends after an await on another: a thread's own source goes back to
        // it while that thread has started others meanwhile. A source serving two live scopes would show as a token
        // seen twice among the live ones, or as a scope cancelled by someone else's Dispose.
        var clock = new FakeTimeProvider();
        var timeout = new TimeoutStrategy("handoff-stress", TimeSpan.FromHours(1), clock);
        var live = new System.Collections.Concurrent.ConcurrentDictionary<CancellationToken, int>();
        int collisions = 0;
        int cancelled = 0;
        using var caller = new CancellationTokenSource();

        async Task Worker(int seed)
        {
            var random = new Random(seed);
            for (int i = 0; i < 2_000; i++)
            {
                TimeoutScope scope = timeout.Start(random.Next(4) == 0 ? caller.Token : CancellationToken.None);
                CancellationToken token = scope.Token;
                if (!live.TryAdd(token, 0))
                {
                    Interlocked.Increment(ref collisions);
                }

                if (random.Next(2) == 0)
                {
                    await Task.Yield();
                }

                if (token.IsCancellationRequested)
                {
                    Interlocked.Increment(ref cancelled);
                }

                live.TryRemove(token, out _);
                scope.Dispose();
            }
        }

        await Task.WhenAll(Enumerable.Range(0, 8).Select(seed => Task.Run(() => Worker(seed)))).WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(0, collisions);
        Assert.Equal(0, cancelled);
    }

    [Fact]
    public void After_an_early_wake_up_sets_the_timer_for_the_rest_of_a_use_the_next_use_leaves_it_alone()
    {
        var timeout = new TimeoutStrategy("rest", Limit, _clock);
        timeout.Start(CancellationToken.None).Dispose(); // timer due at t = 100 ms
        _clock.Advance(TimeSpan.FromMilliseconds(50));
        TimeoutScope running = timeout.Start(CancellationToken.None); // deadline t = 150 ms
        _clock.Advance(TimeSpan.FromMilliseconds(50)); // t = 100 ms: early wake-up, set again for t = 150 ms
        Assert.Equal(2, _clock.Changes);
        _clock.Advance(TimeSpan.FromMilliseconds(20));
        running.Dispose();

        // t = 120 ms: the timer is still due at t = 150 ms, before this use's deadline (t = 220 ms): not touched.
        using TimeoutScope next = timeout.Start(CancellationToken.None);
        Assert.Equal(2, _clock.Changes);

        _clock.Advance(TimeSpan.FromMilliseconds(100) - Tick);
        Assert.False(next.Token.IsCancellationRequested);
        _clock.Advance(Tick);
        Assert.True(next.IsExpired);
    }

    [Fact]
    public async Task Stress_no_use_expires_early_and_none_is_missed_while_pooled_timers_keep_running()
    {
        var clock = new FakeTimeProvider();
        TimeSpan limit = TimeSpan.FromMilliseconds(5);
        TimeSpan step = TimeSpan.FromMilliseconds(1);
        var timeout = new TimeoutStrategy("stress", limit, clock);
        const int Workers = 3;
        const int Iterations = 4_000;
        int early = 0, missed = 0, expiries = 0, running = Workers;
        var tasks = new List<Task>();

        // The single clock thread, started first: on two cores the workers could otherwise finish before it runs.
        tasks.Add(Task.Run(() =>
        {
            while (Volatile.Read(ref running) > 0)
            {
                clock.Advance(step);
                Thread.Yield();
            }
        }));

        for (int w = 0; w < Workers; w++)
        {
            int worker = w;
            tasks.Add(Task.Run(() =>
            {
                var random = new Random(worker);
                using var caller = new CancellationTokenSource(); // never cancelled
                for (int i = 0; i < Iterations; i++)
                {
                    long before = clock.GetTimestamp();
                    TimeoutScope scope = timeout.Start(random.Next(2) == 0 ? CancellationToken.None : caller.Token);
                    long after = clock.GetTimestamp();
                    long cancelledAt = long.MaxValue;
                    using (scope.Token.Register(() => Volatile.Write(ref cancelledAt, clock.GetTimestamp())))
                    {
                        if (random.Next(6) == 0 && Volatile.Read(ref missed) == 0)
                        {
                            // Hold this use until its time is up. FakeTimeProvider runs due callbacks on whichever thread
                            // wakes its waiters (the clock thread, or a worker inside ITimer.Change), so the expiry may
                            // come a little after the clock passed the deadline: wait for it, with a safety net on
                            // real time that only a use whose timer never fires reaches.
                            var safetyNet = System.Diagnostics.Stopwatch.StartNew();
                            while (!scope.Token.IsCancellationRequested
                                && (clock.GetElapsedTime(after) < limit + step + step || safetyNet.Elapsed < TimeSpan.FromSeconds(10)))
                            {
                                Thread.Yield();
                            }

                            if (!scope.Token.IsCancellationRequested)
                            {
                                Interlocked.Increment(ref missed);
                            }
                        }
                        else if (random.Next(2) == 0)
                        {
                            Thread.Yield();
                        }
                    }

                    // The registration is gone: cancelledAt is final. The deadline is at least before + limit.
                    if (scope.Token.IsCancellationRequested)
                    {
                        if (!scope.IsExpired || clock.GetElapsedTime(before, Volatile.Read(ref cancelledAt)) < limit)
                        {
                            Interlocked.Increment(ref early);
                        }

                        Interlocked.Increment(ref expiries);
                    }

                    scope.Dispose();
                    if (random.Next(4) == 0)
                    {
                        Thread.Yield(); // the source idles in the pool while the clock may wake its timer
                    }
                }

                Interlocked.Decrement(ref running);
            }));
        }

        await Task.WhenAll(tasks).WaitAsync(TimeSpan.FromSeconds(30)); // safety net against a hang only
        Assert.True(early == 0, $"{early} uses were cancelled before their deadline");
        Assert.True(missed == 0, $"{missed} uses were never cancelled although the clock passed their deadline");
        Assert.True(expiries > Iterations / 10, $"only {expiries} expiries");

        // The pool survived: a fresh use starts uncancelled and expires exactly on time.
        using TimeoutScope last = timeout.Start(CancellationToken.None);
        Assert.False(last.Token.IsCancellationRequested);
        clock.Advance(limit - Tick);
        Assert.False(last.Token.IsCancellationRequested);
        clock.Advance(Tick);
        Assert.True(last.IsExpired);
    }

    [Fact]
    public void Start_and_Dispose_allocate_nothing_after_warm_up_on_the_fake_clock()
    {
        var timeout = new TimeoutStrategy("alloc", TimeSpan.FromHours(1), new FakeTimeProvider());
        using var caller = new CancellationTokenSource();
        for (int i = 0; i < 1_000; i++)
        {
            timeout.Start(i % 2 == 0 ? CancellationToken.None : caller.Token).Dispose();
        }

        long allocated = AllocationProbe.Least(() =>
        {
            for (int i = 0; i < 10_000; i++)
            {
                timeout.Start(i % 2 == 0 ? CancellationToken.None : caller.Token).Dispose();
            }
        });

        Assert.Equal(0, allocated);
    }

    /// <summary>A fake clock whose timers count their <c>Change</c> calls, firings and disposals.</summary>
    private sealed class CountingClock : FakeTimeProvider
    {
        private int _changes;
        private int _fires;
        private int _created;
        private int _disposed;
        private long _lastDueTicks;

        public int Changes => Volatile.Read(ref _changes);

        public int Fires => Volatile.Read(ref _fires);

        public int TimersCreated => Volatile.Read(ref _created);

        public int TimersDisposed => Volatile.Read(ref _disposed);

        public TimeSpan LastDueTime => TimeSpan.FromTicks(Volatile.Read(ref _lastDueTicks));

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            Interlocked.Increment(ref _created);
            var timer = new CountingTimer(this, callback, state);
            timer.Inner = base.CreateTimer(static s => ((CountingTimer)s!).Fire(), timer, dueTime, period);
            return timer;
        }

        private sealed class CountingTimer(CountingClock clock, TimerCallback callback, object? state) : ITimer
        {
            public ITimer Inner { get; set; } = null!;

            public void Fire()
            {
                Interlocked.Increment(ref clock._fires);
                callback(state);
            }

            public bool Change(TimeSpan dueTime, TimeSpan period)
            {
                Interlocked.Increment(ref clock._changes);
                Volatile.Write(ref clock._lastDueTicks, dueTime.Ticks);
                return Inner.Change(dueTime, period);
            }

            public void Dispose()
            {
                Interlocked.Increment(ref clock._disposed);
                Inner.Dispose();
            }

            public ValueTask DisposeAsync()
            {
                Dispose();
                return ValueTask.CompletedTask;
            }
        }
    }
}
