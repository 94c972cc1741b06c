using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Time.Testing;

namespace Resilience.Runtime.Tests.Hedging;

/// <summary>
/// The hedging race driven step by step (no caller loop in between), written for the edits that survived the fifth
/// mutation pass (docs/testing.md): the delay restarting for every hedge, two failures before the caller looks again,
/// an answer after the winner, a caller that cancels after a failure, the wins counted only for hedges, the timer a race
/// uses (none with a zero delay, disposed at the end), the strategy's clock, the settings checked on reload, and the
/// pooled token sources when many calls end at once.
/// </summary>
public sealed class HedgeMutationTests2
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);
    private readonly CountingClock _clock = new();

    [Fact]
    public async Task A_hedge_started_by_a_failure_restarts_the_delay_and_the_race_disposes_its_only_timer()
    {
        var hedge = new HedgeStrategy("h", new HedgeOptions { Delay = TimeSpan.FromSeconds(1), MaxHedges = 2, OnFailure = true }, _clock);
        HedgeScope scope = hedge.Start(CancellationToken.None);
        var first = new TaskCompletionSource<int>();
        HedgeRace race = scope.Race(new ValueTask<int>(first.Task));

        _clock.Advance(TimeSpan.FromMilliseconds(500));
        first.SetException(new InvalidOperationException("first"));
        Assert.True(await race.NextAsync()); // the failure: a hedge at once, at 0.5 s
        var second = new TaskCompletionSource<int>();
        race.Add(new ValueTask<int>(second.Task));

        _clock.Advance(TimeSpan.FromMilliseconds(500)); // 1 s: the first attempt's delay would end now
        ValueTask<bool> next = race.NextAsync();
        Assert.False(next.IsCompleted); // the second attempt has run only 0.5 s

        _clock.Advance(TimeSpan.FromMilliseconds(500)); // 1.5 s: a full delay after the second attempt started
        Assert.True(await next.AsTask().WaitAsync(Wait));
        var third = new TaskCompletionSource<int>();
        race.Add(new ValueTask<int>(third.Task));
        third.SetResult(3);

        Assert.False(await race.NextAsync().AsTask().WaitAsync(Wait));
        Assert.Null(race.Error);
        Assert.Equal(3, race.GetResult<int>());
        Assert.Equal(1, _clock.TimersCreated);
        Assert.Equal(1, _clock.TimersDisposed);
        scope.Dispose();
    }

    [Fact]
    public async Task A_race_with_a_zero_delay_uses_no_timer()
    {
        var hedge = new HedgeStrategy("h", new HedgeOptions { Delay = TimeSpan.Zero, MaxHedges = 2 }, _clock);
        HedgeScope scope = hedge.Start(CancellationToken.None);
        var attempts = new List<TaskCompletionSource<int>> { new() };
        HedgeRace race = scope.Race(new ValueTask<int>(attempts[0].Task));
        while (await race.NextAsync().AsTask().WaitAsync(Wait))
        {
            attempts.Add(new TaskCompletionSource<int>());
            race.Add(new ValueTask<int>(attempts[^1].Task));
            if (attempts.Count == 3)
            {
                attempts[1].SetResult(2);
            }
        }

        Assert.Equal(3, race.Started);
        Assert.Equal(2, race.GetResult<int>());
        Assert.Equal(0, _clock.TimersCreated);
        Assert.True(scope.Token.IsCancellationRequested); // two losers were still running
        scope.Dispose();
    }

    [Fact]
    public async Task Two_failures_before_the_caller_looks_again_still_start_the_next_hedge()
    {
        var hedge = new HedgeStrategy("h", new HedgeOptions { Delay = TimeSpan.FromHours(1), MaxHedges = 3, OnFailure = true }, _clock);
        HedgeScope scope = hedge.Start(CancellationToken.None);
        var first = new TaskCompletionSource<int>();
        HedgeRace race = scope.Race(new ValueTask<int>(first.Task));
        _clock.Advance(TimeSpan.FromHours(1));
        Assert.True(await race.NextAsync().AsTask().WaitAsync(Wait));
        var second = new TaskCompletionSource<int>();
        race.Add(new ValueTask<int>(second.Task));

        first.SetException(new InvalidOperationException("first"));
        second.SetException(new InvalidOperationException("second"));

        Assert.True(await race.NextAsync().AsTask().WaitAsync(Wait)); // a third attempt is due, not the end of the call
        race.Add(new ValueTask<int>(7));
        Assert.False(await race.NextAsync().AsTask().WaitAsync(Wait));
        Assert.Equal(7, race.GetResult<int>());
        scope.Dispose();
    }

    [Fact]
    public async Task The_first_answer_wins_even_when_another_answers_before_the_caller_looks_again()
    {
        using var registry = new ResilienceRegistry(_clock);
        using var counts = new HedgeCounts(registry);
        HedgeStrategy hedge = registry.GetOrAddHedge("reads", new HedgeOptions { Delay = TimeSpan.FromSeconds(1), MaxHedges = 1 });
        HedgeScope scope = hedge.Start(CancellationToken.None);
        var first = new TaskCompletionSource<int>();
        HedgeRace race = scope.Race(new ValueTask<int>(first.Task));
        _clock.Advance(TimeSpan.FromSeconds(1));
        Assert.True(await race.NextAsync().AsTask().WaitAsync(Wait));
        var second = new TaskCompletionSource<int>();
        race.Add(new ValueTask<int>(second.Task));

        second.SetResult(2);
        first.SetResult(1);

        Assert.False(await race.NextAsync().AsTask().WaitAsync(Wait));
        Assert.Equal(2, race.GetResult<int>());
        Assert.Equal(1, counts.Get("resilience.hedge.wins|reads"));
        scope.Dispose();
    }

    [Fact]
    public async Task A_win_of_the_first_attempt_after_a_hedge_started_is_not_a_hedge_win()
    {
        using var registry = new ResilienceRegistry(_clock);
        using var counts = new HedgeCounts(registry);
        HedgeStrategy hedge = registry.GetOrAddHedge("reads", new HedgeOptions { Delay = TimeSpan.FromSeconds(1), MaxHedges = 1 });
        HedgeScope scope = hedge.Start(CancellationToken.None);
        var first = new TaskCompletionSource<int>();
        HedgeRace race = scope.Race(new ValueTask<int>(first.Task));
        _clock.Advance(TimeSpan.FromSeconds(1));
        Assert.True(await race.NextAsync().AsTask().WaitAsync(Wait));
        race.Add(new ValueTask<int>(new TaskCompletionSource<int>().Task));

        first.SetResult(1);

        Assert.False(await race.NextAsync().AsTask().WaitAsync(Wait));
        Assert.Equal(1, race.GetResult<int>());
        Assert.Equal(1, counts.Get("resilience.hedge.attempts|reads"));
        Assert.Equal(0, counts.Get("resilience.hedge.wins|reads"));
        scope.Dispose();
    }

    [Fact]
    public async Task A_caller_that_cancels_after_a_failure_gets_a_cancellation_and_a_late_answer_counts_no_win()
    {
        using var registry = new ResilienceRegistry(_clock);
        using var counts = new HedgeCounts(registry);
        HedgeStrategy hedge = registry.GetOrAddHedge("reads", new HedgeOptions { Delay = TimeSpan.FromSeconds(1), MaxHedges = 1 });
        using var caller = new CancellationTokenSource();
        HedgeScope scope = hedge.Start(caller.Token);
        var first = new TaskCompletionSource<int>();
        HedgeRace race = scope.Race(new ValueTask<int>(first.Task));
        _clock.Advance(TimeSpan.FromSeconds(1));
        Assert.True(await race.NextAsync().AsTask().WaitAsync(Wait));
        var second = new TaskCompletionSource<int>(); // ignores its token
        race.Add(new ValueTask<int>(second.Task));
        first.SetException(new InvalidOperationException("first"));

        ValueTask<bool> next = race.NextAsync();
        caller.Cancel(); // the second attempt still runs: the caller gave up, not the downstream
        Assert.False(await next.AsTask().WaitAsync(Wait));
        Assert.IsAssignableFrom<OperationCanceledException>(race.Error);

        second.SetResult(2); // after the race: neither a winner nor a counted win
        Assert.IsAssignableFrom<OperationCanceledException>(race.Error);
        Assert.Equal(0, counts.Get("resilience.hedge.wins|reads"));
        scope.Dispose();
    }

    [Fact]
    public async Task The_delay_runs_on_the_strategys_clock()
    {
        var hedge = new HedgeStrategy("h", new HedgeOptions { Delay = TimeSpan.FromHours(1), MaxHedges = 1 }, _clock);
        HedgeScope scope = hedge.Start(CancellationToken.None);
        HedgeRace race = scope.Race(new ValueTask<int>(new TaskCompletionSource<int>().Task));
        ValueTask<bool> next = race.NextAsync();
        Assert.False(next.IsCompleted);

        _clock.Advance(TimeSpan.FromHours(1));

        Assert.True(await next.AsTask().WaitAsync(Wait)); // an hour on the fake clock, not on the system's
        race.Add(new ValueTask<int>(5));
        Assert.False(await race.NextAsync().AsTask().WaitAsync(Wait));
        Assert.Equal(5, race.GetResult<int>());
        scope.Dispose();
    }

    [Fact]
    public void Reloaded_settings_are_validated_and_invalid_ones_change_nothing()
    {
        var hedge = new HedgeStrategy("h", new HedgeOptions { Delay = TimeSpan.FromSeconds(1), MaxHedges = 2 }, _clock);

        Assert.Throws<ArgumentOutOfRangeException>(() => hedge.Reconfigure(new HedgeOptions { Delay = TimeSpan.FromSeconds(1), MaxHedges = -1 }));

        Assert.Equal(2, hedge.Options.MaxHedges);
    }

    [Fact]
    public void Many_calls_ending_at_once_dispose_cleanly_and_later_concurrent_calls_never_share_a_token()
    {
        var hedge = new HedgeStrategy("h", new HedgeOptions { Delay = TimeSpan.Zero, MaxHedges = 1 }, _clock);
        var scopes = new HedgeScope[200]; // more than the pool holds on any machine
        for (int i = 0; i < scopes.Length; i++)
        {
            scopes[i] = hedge.Start(CancellationToken.None);
        }

        for (int i = 0; i < scopes.Length; i++)
        {
            scopes[i].Dispose();
        }

        var tokens = new HashSet<CancellationToken>();
        var open = new HedgeScope[scopes.Length];
        for (int i = 0; i < open.Length; i++)
        {
            open[i] = hedge.Start(CancellationToken.None);
            Assert.True(tokens.Add(open[i].Token), $"call {i} got the token of another running call");
        }

        for (int i = 0; i < open.Length; i++)
        {
            open[i].Dispose();
        }
    }

    [Fact]
    public async Task A_call_that_cancels_its_losers_does_not_cancel_a_concurrent_call()
    {
        var hedge = new HedgeStrategy("h", new HedgeOptions { Delay = TimeSpan.Zero, MaxHedges = 1 }, _clock);
        HedgeScope earlier = hedge.Start(CancellationToken.None);
        earlier.Dispose(); // its source goes back to the pool

        HedgeScope a = hedge.Start(CancellationToken.None);
        HedgeScope b = hedge.Start(CancellationToken.None);
        var first = new TaskCompletionSource<int>();
        HedgeRace race = a.Race(new ValueTask<int>(first.Task));
        Assert.True(await race.NextAsync().AsTask().WaitAsync(Wait));
        race.Add(new ValueTask<int>(new TaskCompletionSource<int>().Task));
        first.SetResult(1);
        Assert.False(await race.NextAsync().AsTask().WaitAsync(Wait)); // the second attempt loses: a's token is cancelled

        Assert.True(a.Token.IsCancellationRequested);
        Assert.False(b.Token.IsCancellationRequested);
        a.Dispose();
        b.Dispose();
    }

    private sealed class CountingClock : FakeTimeProvider
    {
        private int _created;
        private int _disposed;

        public int TimersCreated => Volatile.Read(ref _created);

        public int TimersDisposed => Volatile.Read(ref _disposed);

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            Interlocked.Increment(ref _created);
            return new CountedTimer(this, base.CreateTimer(callback, state, dueTime, period));
        }

        private sealed class CountedTimer(CountingClock owner, ITimer inner) : ITimer
        {
            private int _done;

            public bool Change(TimeSpan dueTime, TimeSpan period) => inner.Change(dueTime, period);

            public void Dispose()
            {
                if (Interlocked.Exchange(ref _done, 1) == 0)
                {
                    Interlocked.Increment(ref owner._disposed);
                }

                inner.Dispose();
            }

            public ValueTask DisposeAsync()
            {
                Dispose();
                return default;
            }
        }
    }

    /// <summary>The registry's hedge counters, summed per instrument and instance.</summary>
    private sealed class HedgeCounts : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly ConcurrentDictionary<string, long> _counts = new();

        public HedgeCounts(ResilienceRegistry registry)
        {
            _listener.InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter == registry.Telemetry.Meter && instrument.Name.StartsWith("resilience.hedge.", StringComparison.Ordinal))
                {
                    l.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
            {
                foreach (KeyValuePair<string, object?> tag in tags)
                {
                    if (tag.Key == "resilience.instance")
                    {
                        _counts.AddOrUpdate(instrument.Name + "|" + tag.Value, value, (_, v) => v + value);
                    }
                }
            });
            _listener.Start();
        }

        public long Get(string key) => _counts.TryGetValue(key, out long value) ? value : 0;

        public void Dispose() => _listener.Dispose();
    }
}
