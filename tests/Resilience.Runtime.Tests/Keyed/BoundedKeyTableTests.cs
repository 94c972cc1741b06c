using System.Runtime.CompilerServices;
using Microsoft.Extensions.Time.Testing;

namespace Resilience.Runtime.Tests.Keyed;

/// <summary>
/// <c>BoundedKeyTable</c> through a derived table whose values say directly whether they are idle, at rest and how long
/// their state still matters: the exact instant a key counts as idle, the order of eviction (idle, at rest, least
/// recently used), the churn memory (its exact end, and a slot keeping the latest time written to it), keys added
/// concurrently, null keys, reconfiguration and disposal. Written for the edits that survived mutation testing
/// (docs/testing.md).
/// </summary>
public sealed class BoundedKeyTableTests
{
    private readonly FakeTimeProvider _clock = new();

    [Fact]
    public void A_key_unused_for_exactly_the_idle_timeout_is_idle_and_one_tick_less_is_not()
    {
        using var table = new TestTable(_clock, maxKeys: 10, idleTimeout: TimeSpan.FromMinutes(10));
        table.GetOrAdd(new Key("a"));

        _clock.Advance(TimeSpan.FromMinutes(10) - TimeSpan.FromTicks(1));
        table.SweepIdle();
        Assert.Equal(1, table.Count);

        _clock.Advance(TimeSpan.FromTicks(1));
        table.SweepIdle();
        Assert.Equal(0, table.Count);
        Assert.Single(table.Removed);
    }

    [Fact]
    public void A_use_restarts_the_idle_time_and_a_lookup_does_not()
    {
        using var table = new TestTable(_clock, maxKeys: 10, idleTimeout: TimeSpan.FromMinutes(10));
        table.GetOrAdd(new Key("used"));
        table.GetOrAdd(new Key("looked-up"));

        _clock.Advance(TimeSpan.FromMinutes(6));
        table.GetOrAdd(new Key("used"));
        Assert.True(table.TryGetValue(new Key("looked-up"), out _));
        Assert.False(table.TryGetValue(new Key("never"), out Value? missing));
        Assert.Null(missing);

        _clock.Advance(TimeSpan.FromMinutes(4));
        table.SweepIdle();
        Assert.True(table.TryGetValue(new Key("used"), out _));
        Assert.False(table.TryGetValue(new Key("looked-up"), out _));
    }

    [Fact]
    public void A_key_whose_value_refuses_to_retire_stays_however_long_it_is_idle()
    {
        using var table = new TestTable(_clock, maxKeys: 10, idleTimeout: TimeSpan.FromSeconds(10));
        Value busy = table.GetOrAdd(new Key("busy"));
        busy.MayRetire = false;

        _clock.Advance(TimeSpan.FromHours(1));
        table.SweepIdle();
        Assert.Equal(1, table.Count);

        busy.MayRetire = true;
        table.SweepIdle();
        Assert.Equal(0, table.Count);
    }

    [Fact]
    public void The_same_key_gets_the_same_value_and_null_is_a_key_of_its_own()
    {
        using var table = new TestTable(_clock, maxKeys: 10, idleTimeout: TimeSpan.FromMinutes(1));

        Value a = table.GetOrAdd(new Key("a"));
        Value nothing = table.GetOrAdd(null);

        Assert.Same(a, table.GetOrAdd(new Key("a")));
        Assert.Same(nothing, table.GetOrAdd(null));
        Assert.NotSame(a, nothing);
        Assert.True(table.TryGetValue(null, out Value? found));
        Assert.Same(nothing, found);
        Assert.Equal(2, table.Count);
        Assert.Equal(2, table.Created);
    }

    [Fact]
    public void Keys_at_rest_are_evicted_before_older_keys_that_are_not()
    {
        using var table = new TestTable(_clock, maxKeys: 10, idleTimeout: TimeSpan.FromHours(1));
        for (int i = 0; i < 10; i++)
        {
            Value value = table.GetOrAdd(new Key("k" + i));
            value.AtRest = i == 9; // only the most recent is at rest
        }

        table.GetOrAdd(new Key("new")); // 10 held: down to 9 (one goes), then the new key

        Assert.Equal(10, table.Count);
        Assert.False(table.TryGetValue(new Key("k9"), out _));
        Assert.True(table.TryGetValue(new Key("k0"), out _));
    }

    [Fact]
    public void Among_keys_at_rest_the_least_recently_used_go_first()
    {
        using var table = new TestTable(_clock, maxKeys: 10, idleTimeout: TimeSpan.FromHours(1));
        for (int i = 0; i < 10; i++)
        {
            table.GetOrAdd(new Key("k" + i)).AtRest = true;
        }

        table.GetOrAdd(new Key("k0")); // the oldest becomes the most recent (same timestamp)
        table.GetOrAdd(new Key("k1"));
        table.GetOrAdd(new Key("new"));

        Assert.True(table.TryGetValue(new Key("k0"), out _));
        Assert.True(table.TryGetValue(new Key("k1"), out _));
        Assert.False(table.TryGetValue(new Key("k2"), out _)); // the one evicted
        Assert.True(table.TryGetValue(new Key("k3"), out _));
    }

    [Fact]
    public void An_overflow_evicts_idle_keys_first_and_then_only_as_many_as_needed()
    {
        using var table = new TestTable(_clock, maxKeys: 10, idleTimeout: TimeSpan.FromMinutes(1));
        for (int i = 0; i < 5; i++)
        {
            table.GetOrAdd(new Key("old" + i));
        }

        _clock.Advance(TimeSpan.FromMinutes(1));
        for (int i = 0; i < 5; i++)
        {
            table.GetOrAdd(new Key("recent" + i));
        }

        table.GetOrAdd(new Key("new")); // the five idle keys go; nothing else has to

        Assert.Equal(6, table.Count);
        for (int i = 0; i < 5; i++)
        {
            Assert.True(table.TryGetValue(new Key("recent" + i), out _));
            Assert.False(table.TryGetValue(new Key("old" + i), out _));
        }
    }

    [Fact]
    public void A_key_evicted_with_state_that_matters_comes_back_drained_until_exactly_then()
    {
        using var table = new TestTable(_clock, maxKeys: 1, idleTimeout: TimeSpan.FromHours(1));
        table.GetOrAdd(new Key("a")).Pending = TimeSpan.FromSeconds(5).Ticks; // FakeTimeProvider: timestamp = TimeSpan ticks

        table.GetOrAdd(new Key("b")); // evicts a at t = 0: a's state matters until 5 s
        table.GetOrAdd(new Key("b")).Pending = 0;
        Assert.True(table.GetOrAdd(new Key("a")).Drained); // back at 0 s: drained (b evicted, nothing pending)

        _clock.Advance(TimeSpan.FromSeconds(5) - TimeSpan.FromTicks(1));
        table.GetOrAdd(new Key("b"));
        Assert.True(table.GetOrAdd(new Key("a")).Drained); // one tick before 5 s: still drained

        _clock.Advance(TimeSpan.FromTicks(1));
        table.GetOrAdd(new Key("b"));
        Assert.False(table.GetOrAdd(new Key("a")).Drained); // at 5 s: a fresh value
    }

    [Fact]
    public void A_key_evicted_with_nothing_pending_comes_back_fresh()
    {
        using var table = new TestTable(_clock, maxKeys: 1, idleTimeout: TimeSpan.FromHours(1));
        table.GetOrAdd(new Key("a"));

        table.GetOrAdd(new Key("b"));

        Assert.False(table.GetOrAdd(new Key("a")).Drained);
    }

    [Fact]
    public void A_slot_keeps_the_latest_time_written_to_it()
    {
        // Every key hashes alike: one slot.
        using var table = new TestTable(_clock, maxKeys: 1, idleTimeout: TimeSpan.FromHours(1));
        table.GetOrAdd(new Key("a", hash: 7)).Pending = TimeSpan.FromSeconds(10).Ticks;
        table.GetOrAdd(new Key("b", hash: 7)).Pending = TimeSpan.FromSeconds(1).Ticks; // a out: slot until 10 s
        table.GetOrAdd(new Key("c", hash: 7)); // b out: until 1 s, which must not shorten 10 s

        _clock.Advance(TimeSpan.FromSeconds(9));
        Assert.True(table.GetOrAdd(new Key("d", hash: 7)).Drained);

        _clock.Advance(TimeSpan.FromSeconds(1));
        Assert.False(table.GetOrAdd(new Key("e", hash: 7)).Drained);
    }

    [Fact]
    public void A_later_time_replaces_an_earlier_one_in_a_slot()
    {
        using var table = new TestTable(_clock, maxKeys: 1, idleTimeout: TimeSpan.FromHours(1));
        table.GetOrAdd(new Key("a", hash: 7)).Pending = TimeSpan.FromSeconds(1).Ticks;
        table.GetOrAdd(new Key("b", hash: 7)).Pending = TimeSpan.FromSeconds(10).Ticks; // a out: until 1 s
        table.GetOrAdd(new Key("c", hash: 7)); // b out: until 10 s

        _clock.Advance(TimeSpan.FromSeconds(5));
        Assert.True(table.GetOrAdd(new Key("d", hash: 7)).Drained);
    }

    [Fact]
    public void A_state_that_matters_forever_keeps_its_key_drained_without_overflowing()
    {
        using var table = new TestTable(_clock, maxKeys: 1, idleTimeout: TimeSpan.FromHours(1));
        table.GetOrAdd(new Key("a")).Pending = long.MaxValue;
        table.GetOrAdd(new Key("b"));

        _clock.Advance(TimeSpan.FromDays(3650));
        Assert.True(table.GetOrAdd(new Key("a")).Drained);
    }

    [Fact]
    public void Values_removed_by_the_sweep_by_an_overflow_and_by_Dispose_are_each_released_once()
    {
        var table = new TestTable(_clock, maxKeys: 2, idleTimeout: TimeSpan.FromMinutes(1));
        Value idle = table.GetOrAdd(new Key("idle"));
        _clock.Advance(TimeSpan.FromMinutes(1));
        table.SweepIdle();
        Value first = table.GetOrAdd(new Key("first"));
        Value second = table.GetOrAdd(new Key("second"));
        table.GetOrAdd(new Key("third")); // evicts "first"
        table.Dispose();
        table.Dispose();

        Assert.Equal(4, table.Removed.Count);
        Assert.Equal(new[] { idle, first }, table.Removed.Take(2));
        Assert.Contains(second, table.Removed);
        Assert.Equal(0, table.Count);
        Assert.Throws<ObjectDisposedException>(() => table.GetOrAdd(new Key("later")));
        table.SweepIdle(); // does nothing
        table.Reconfigure(new Settings(2), 5, TimeSpan.FromMinutes(2)); // does nothing
        Assert.Equal(4, table.Removed.Count);
    }

    [Fact]
    public void The_timer_sweeps_every_half_idle_timeout_and_stops_with_Dispose()
    {
        var table = new TestTable(_clock, maxKeys: 10, idleTimeout: TimeSpan.FromMinutes(10));
        table.GetOrAdd(new Key("a"));
        _clock.Advance(TimeSpan.FromMinutes(5));
        table.GetOrAdd(new Key("b"));

        _clock.Advance(TimeSpan.FromMinutes(5)); // sweep at 10 min: a idle for 10
        Assert.False(table.TryGetValue(new Key("a"), out _));
        Assert.True(table.TryGetValue(new Key("b"), out _));

        table.Dispose();
        Assert.Equal(0, table.Count);
    }

    [Fact]
    public void Reconfigure_changes_the_settings_of_new_keys_and_of_the_held_ones()
    {
        using var table = new TestTable(_clock, maxKeys: 10, idleTimeout: TimeSpan.FromMinutes(1));
        Value held = table.GetOrAdd(new Key("held"));

        table.Reconfigure(new Settings(2), 10, TimeSpan.FromMinutes(1));

        Assert.Equal(2, held.Settings.Version);
        Assert.Equal(2, table.GetOrAdd(new Key("new")).Settings.Version);
    }

    [Fact]
    public void A_larger_MaxKeys_takes_effect_at_once()
    {
        using var table = new TestTable(_clock, maxKeys: 2, idleTimeout: TimeSpan.FromHours(1));
        table.GetOrAdd(new Key("a"));
        table.GetOrAdd(new Key("b"));
        table.GetOrAdd(new Key("c")); // evicts a: 2 held
        Assert.Equal(2, table.Count);

        table.Reconfigure(new Settings(1), 20, TimeSpan.FromHours(1));
        for (int i = 0; i < 18; i++)
        {
            table.GetOrAdd(new Key("n" + i));
        }

        Assert.Equal(20, table.Count);
        table.GetOrAdd(new Key("overflow")); // 20 held: down to 18, plus the new one
        Assert.Equal(19, table.Count);
        Assert.False(table.TryGetValue(new Key("b"), out _));
        Assert.True(table.TryGetValue(new Key("n17"), out _));
    }

    [Fact]
    public void Keys_added_at_once_from_many_threads_get_one_value_each()
    {
        for (int round = 0; round < 100; round++)
        {
            using var table = new TestTable(_clock, maxKeys: 100, idleTimeout: TimeSpan.FromMinutes(1));
            var values = new Value[4];
            using var start = new Barrier(values.Length);
            Thread[] threads = Enumerable.Range(0, values.Length).Select(i => new Thread(() =>
            {
                start.SignalAndWait();
                values[i] = table.GetOrAdd(new Key("same"));
            })).ToArray();
            foreach (Thread thread in threads)
            {
                thread.Start();
            }

            foreach (Thread thread in threads)
            {
                thread.Join();
            }

            Assert.All(values, value => Assert.Same(values[0], value));
            Assert.Equal(1, table.Count);
            Assert.Equal(1, table.Created);
        }
    }

    [Fact]
    public void A_use_of_a_held_key_makes_it_the_most_recent_within_one_clock_tick()
    {
        using var table = new TestTable(_clock, maxKeys: 2, idleTimeout: TimeSpan.FromHours(1));
        table.GetOrAdd(new Key("a"));
        table.GetOrAdd(new Key("b"));
        table.GetOrAdd(new Key("a"));

        table.GetOrAdd(new Key("c")); // b is the least recently used

        Assert.True(table.TryGetValue(new Key("a"), out _));
        Assert.False(table.TryGetValue(new Key("b"), out _));
    }

    [Fact]
    public void The_sweep_timer_is_created_without_the_creators_execution_context_and_the_creators_flow_is_left_as_it_was()
    {
        // A system timer captures the execution context flowing at its creation (and keeps its AsyncLocal values alive).
        var clock = new RecordingClock();
        using (new TestTable(clock, maxKeys: 10, idleTimeout: TimeSpan.FromMinutes(1)))
        {
            Assert.Equal(new[] { true }, clock.FlowSuppressedAtCreation);
            Assert.False(ExecutionContext.IsFlowSuppressed());
        }

        using (ExecutionContext.SuppressFlow())
        {
            using (new TestTable(clock, maxKeys: 10, idleTimeout: TimeSpan.FromMinutes(1)))
            {
                Assert.Equal(new[] { true, true }, clock.FlowSuppressedAtCreation);
                Assert.True(ExecutionContext.IsFlowSuppressed()); // the caller's own suppression is not undone
            }
        }

        Assert.False(ExecutionContext.IsFlowSuppressed());
    }

    [Fact]
    public void Dispose_disposes_the_sweep_timer_once()
    {
        var clock = new RecordingClock();
        var table = new TestTable(clock, maxKeys: 10, idleTimeout: TimeSpan.FromMinutes(1));
        Assert.Equal(0, clock.TimersDisposed);

        table.Dispose();
        table.Dispose();

        Assert.Equal(1, clock.TimersDisposed);
    }

    [Fact]
    public void A_key_swept_as_idle_with_state_that_matters_comes_back_drained()
    {
        using var table = new TestTable(_clock, maxKeys: 10, idleTimeout: TimeSpan.FromMinutes(1));
        table.GetOrAdd(new Key("a")).Pending = TimeSpan.FromMinutes(5).Ticks;

        _clock.Advance(TimeSpan.FromMinutes(1)); // the timer sweeps: a leaves, its state matters until 6 min
        Assert.False(table.TryGetValue(new Key("a"), out _));

        Assert.True(table.GetOrAdd(new Key("a")).Drained);
    }

    [Fact]
    public void An_idle_key_evicted_by_an_overflow_does_not_take_the_place_of_a_least_recently_used_one()
    {
        using var table = new TestTable(_clock, maxKeys: 20, idleTimeout: TimeSpan.FromMinutes(10));
        _clock.Advance(TimeSpan.FromMinutes(1));
        table.GetOrAdd(new Key("old"));
        for (int minute = 2; minute <= 11; minute++)
        {
            _clock.Advance(TimeSpan.FromMinutes(1)); // minute by minute: the timer's sweep at 10 min sees 10 min
        }

        // 11 min: old is idle, the next timer sweep is at 15 min
        for (int i = 0; i < 19; i++)
        {
            table.GetOrAdd(new Key("r" + i));
        }

        table.GetOrAdd(new Key("new")); // 20 held: old goes as idle, then r0 to get down to 18

        Assert.Equal(19, table.Count);
        Assert.False(table.TryGetValue(new Key("old"), out _));
        Assert.False(table.TryGetValue(new Key("r0"), out _));
        Assert.True(table.TryGetValue(new Key("r1"), out _));
    }

    [Fact]
    public void A_value_evicted_by_an_overflow_is_not_kept_alive_by_the_table()
    {
        using var table = new TestTable(_clock, maxKeys: 2, idleTimeout: TimeSpan.FromHours(1));
        WeakReference evicted = AddAndOverflow(table);

        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();

        Assert.False(evicted.IsAlive);
        Assert.Equal(2, table.Count);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static WeakReference AddAndOverflow(TestTable table)
    {
        var evicted = new WeakReference(table.GetOrAdd(new Key("a")));
        table.GetOrAdd(new Key("b"));
        table.GetOrAdd(new Key("c")); // evicts a
        Assert.False(table.TryGetValue(new Key("a"), out _));
        table.Removed.Clear();
        return evicted;
    }

    /// <summary>A fake clock that records, for each timer created, whether execution context flow was suppressed, and counts disposals.</summary>
    private sealed class RecordingClock : FakeTimeProvider
    {
        private int _disposed;

        public List<bool> FlowSuppressedAtCreation { get; } = [];

        public int TimersDisposed => Volatile.Read(ref _disposed);

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            FlowSuppressedAtCreation.Add(ExecutionContext.IsFlowSuppressed());
            return new CountedTimer(this, base.CreateTimer(callback, state, dueTime, period));
        }

        private sealed class CountedTimer(RecordingClock owner, ITimer inner) : ITimer
        {
            public bool Change(TimeSpan dueTime, TimeSpan period) => inner.Change(dueTime, period);

            public void Dispose()
            {
                Interlocked.Increment(ref owner._disposed);
                inner.Dispose();
            }

            public ValueTask DisposeAsync()
            {
                Dispose();
                return default;
            }
        }
    }

    /// <summary>A key whose hash code can be chosen, so that several keys share a slot of the churn memory.</summary>
    private sealed class Key(string name, int? hash = null) : IEquatable<Key>
    {
        public string Name { get; } = name;

        public bool Equals(Key? other) => other is not null && other.Name == Name;

        public override bool Equals(object? obj) => Equals(obj as Key);

        public override int GetHashCode() => hash ?? StringComparer.Ordinal.GetHashCode(Name);
    }

    private sealed record Settings(int Version);

    private sealed class Value(Settings settings)
    {
        public Settings Settings { get; set; } = settings;

        public bool MayRetire { get; set; } = true;

        public bool AtRest { get; set; }

        public long Pending { get; set; }

        public bool Drained { get; set; }
    }

    private sealed class TestTable(TimeProvider clock, int maxKeys, TimeSpan idleTimeout)
        : BoundedKeyTable<Key, Value, Settings>(new object(), clock, new Settings(1), maxKeys, idleTimeout)
    {
        private int _created;

        public List<Value> Removed { get; } = [];

        public int Created => Volatile.Read(ref _created);

        protected override Value CreateValueLocked(Settings settings)
        {
            Interlocked.Increment(ref _created);
            return new Value(settings);
        }

        protected override bool TryRetireIfIdleLocked(Value value) => value.MayRetire;

        protected override void OnRemovedLocked(Value value) => Removed.Add(value);

        protected override long RetireLocked(Value value)
        {
            OnRemovedLocked(value);
            return value.Pending;
        }

        protected override bool IsAtRestLocked(Value value) => value.AtRest;

        protected override void StartDrainedLocked(Value value) => value.Drained = true;

        protected override void ReconfigureValueLocked(Value value, Settings settings) => value.Settings = settings;
    }
}
