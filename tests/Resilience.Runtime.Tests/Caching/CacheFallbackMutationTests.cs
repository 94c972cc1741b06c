using Microsoft.Extensions.Time.Testing;

namespace Resilience.Runtime.Tests.Caching;

/// <summary>
/// Scenarios that mutation testing (docs/testing.md) showed no other test covering: argument checks, the exact instant
/// an entry expires in the store, the sweep of expired entries, the order of least-recently-used eviction, deadlines
/// that would pass <see cref="DateTimeOffset.MaxValue"/>, and what a reload to a zero TTL does to stored results.
/// </summary>
public sealed class CacheFallbackMutationTests
{
    private static readonly TimeSpan Hour = TimeSpan.FromHours(1);
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero));

    [Fact]
    public void The_strategy_names_a_missing_argument()
    {
        var options = new CacheFallbackOptions { Ttl = Hour };
        var store = new InMemoryCacheFallbackStore(10, _time);

        Assert.Equal("name", Assert.Throws<ArgumentNullException>(() => new CacheFallbackStrategy(null!, options, store, _time)).ParamName);
        Assert.Equal("options", Assert.Throws<ArgumentNullException>(() => new CacheFallbackStrategy("c", null!, store, _time)).ParamName);
        Assert.Equal("store", Assert.Throws<ArgumentNullException>(() => new CacheFallbackStrategy("c", options, null!, _time)).ParamName);
        var strategy = new CacheFallbackStrategy("c", options, store, _time);
        Assert.Equal("exception", Assert.Throws<ArgumentNullException>(() => strategy.TryGetStale("k", null!, CancellationToken.None, out int _)).ParamName);
        Assert.Equal("options", Assert.Throws<ArgumentNullException>(() => strategy.Reconfigure(null!)).ParamName);
    }

    [Fact]
    public void The_strategy_exposes_its_name_and_settings()
    {
        var strategy = new CacheFallbackStrategy("rates", new CacheFallbackOptions { Ttl = Hour, StaleTtl = TimeSpan.FromMinutes(3) }, new InMemoryCacheFallbackStore(10, _time), _time);

        Assert.Equal("rates", strategy.Name);
        Assert.Equal(Hour, strategy.Ttl);
        Assert.Equal(TimeSpan.FromMinutes(3), strategy.StaleTtl);
    }

    [Fact]
    public void Without_a_clock_the_strategy_and_the_store_use_the_system_clock()
    {
        var store = new InMemoryCacheFallbackStore(10);
        var strategy = new CacheFallbackStrategy("c", new CacheFallbackOptions { Ttl = Hour }, store);
        DateTimeOffset before = DateTimeOffset.UtcNow;

        strategy.Store("k", 7);

        Assert.True(strategy.TryGetFresh("k", out int fresh));
        Assert.Equal(7, fresh);
        Assert.True(store.TryGet("k", out CacheFallbackEntry entry));
        Assert.InRange(entry.StoredAt, before, DateTimeOffset.UtcNow);
    }

    [Fact]
    public void An_invalid_reload_is_refused_and_keeps_the_settings()
    {
        var strategy = new CacheFallbackStrategy("c", new CacheFallbackOptions { Ttl = Hour, StaleTtl = Hour }, new InMemoryCacheFallbackStore(10, _time), _time);

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => strategy.Reconfigure(new CacheFallbackOptions { Ttl = TimeSpan.FromSeconds(-1) }));

        Assert.Equal("Ttl", error.ParamName);
        Assert.Equal(Hour, strategy.Ttl);
        Assert.Equal(Hour, strategy.StaleTtl);
    }

    [Fact]
    public void A_reload_to_a_zero_ttl_stops_fresh_hits_at_once_but_stored_results_still_answer_failures()
    {
        var strategy = new CacheFallbackStrategy("c", new CacheFallbackOptions { Ttl = Hour, StaleTtl = Hour }, new InMemoryCacheFallbackStore(10, _time), _time);
        strategy.Store("k", 42);
        Assert.True(strategy.TryGetFresh("k", out int _));

        strategy.Reconfigure(new CacheFallbackOptions { Ttl = TimeSpan.Zero, StaleTtl = Hour });

        Assert.False(strategy.TryGetFresh("k", out int none)); // its fresh deadline is not over, but Ttl 0 turns fresh hits off
        Assert.Equal(0, none);
        Assert.True(strategy.TryGetStale("k", new TimeoutException(), CancellationToken.None, out int stale));
        Assert.Equal(42, stale);
    }

    [Fact]
    public void Deadlines_beyond_the_last_representable_time_saturate_instead_of_throwing()
    {
        var store = new InMemoryCacheFallbackStore(10, _time);
        var half = TimeSpan.FromTicks(TimeSpan.MaxValue.Ticks / 2);
        var strategy = new CacheFallbackStrategy("c", new CacheFallbackOptions { Ttl = half, StaleTtl = half }, store, _time);

        strategy.Store("k", 1);

        Assert.True(store.TryGet("k", out CacheFallbackEntry entry));
        Assert.Equal(DateTimeOffset.MaxValue, entry.FreshUntil);
        Assert.Equal(DateTimeOffset.MaxValue, entry.StaleUntil);
        Assert.True(strategy.TryGetFresh("k", out int fresh));
        Assert.Equal(1, fresh);
    }

    [Fact]
    public void A_stale_deadline_beyond_the_last_representable_time_saturates_alone()
    {
        var store = new InMemoryCacheFallbackStore(10, _time);
        var strategy = new CacheFallbackStrategy("c", new CacheFallbackOptions { Ttl = Hour, StaleTtl = TimeSpan.MaxValue - Hour }, store, _time);
        DateTimeOffset now = _time.GetUtcNow();

        strategy.Store("k", 1);

        Assert.True(store.TryGet("k", out CacheFallbackEntry entry));
        Assert.Equal(now + Hour, entry.FreshUntil);
        Assert.Equal(DateTimeOffset.MaxValue, entry.StaleUntil);
    }

    [Fact]
    public void The_age_of_a_stale_answer_is_measured_from_when_it_was_stored()
    {
        var strategy = new CacheFallbackStrategy("c", new CacheFallbackOptions { Ttl = TimeSpan.FromSeconds(1), StaleTtl = Hour }, new InMemoryCacheFallbackStore(10, _time), _time);
        _time.Advance(TimeSpan.FromMinutes(5)); // the age is not the time since the strategy was created
        strategy.Store("k", 1);
        TimeSpan? age = null;
        strategy.StaleResultServed += (_, args) => age = args.Age;

        _time.Advance(TimeSpan.FromSeconds(90));
        Assert.True(strategy.TryGetStale("k", new TimeoutException(), CancellationToken.None, out int _));

        Assert.Equal(TimeSpan.FromSeconds(90), age);
    }

    [Fact]
    public void The_store_names_a_missing_key()
    {
        var store = new InMemoryCacheFallbackStore(10, _time);

        Assert.Equal("key", Assert.Throws<ArgumentNullException>(() => store.TryGet(null!, out _)).ParamName);
        Assert.Equal("key", Assert.Throws<ArgumentNullException>(() => store.Set(null!, Entry(1, Hour))).ParamName);
    }

    [Fact]
    public void A_store_of_one_entry_is_valid_and_keeps_the_newest()
    {
        var store = new InMemoryCacheFallbackStore(1, _time);
        store.Set("a", Entry("a", Hour));
        store.Set("b", Entry("b", Hour));

        Assert.Equal(1, store.MaxEntries);
        Assert.Equal(1, store.Count);
        Assert.False(store.TryGet("a", out _));
        Assert.True(store.TryGet("b", out _));
        Assert.Equal("maxEntries", Assert.Throws<ArgumentOutOfRangeException>(() => new InMemoryCacheFallbackStore(-1, _time)).ParamName);
    }

    [Fact]
    public void Set_keeps_an_entry_until_the_instant_it_expires_and_not_from_that_instant()
    {
        var store = new InMemoryCacheFallbackStore(10, _time);
        DateTimeOffset now = _time.GetUtcNow();

        store.Set("expires-now", new CacheFallbackEntry(1, now, now, now));
        store.Set("one-tick-left", new CacheFallbackEntry(2, now, now, now.AddTicks(1)));

        Assert.Equal(1, store.Count);
        Assert.False(store.TryGet("expires-now", out _));
        Assert.True(store.TryGet("one-tick-left", out CacheFallbackEntry kept));
        Assert.Equal(2, kept.Value);

        // Replacing a live entry with one that expires now removes it.
        store.Set("one-tick-left", new CacheFallbackEntry(3, now, now, now));
        Assert.Equal(0, store.Count);
    }

    [Fact]
    public void When_full_an_entry_expiring_at_that_very_instant_is_swept_first()
    {
        var store = new InMemoryCacheFallbackStore(3, _time);
        store.Set("ends-at-5s", Entry("x", TimeSpan.FromSeconds(5)));
        store.Set("b", Entry("b", Hour));
        store.Set("c", Entry("c", Hour));
        Assert.True(store.TryGet("ends-at-5s", out _)); // the most recently used
        _time.Advance(TimeSpan.FromSeconds(5));         // exactly its stale deadline

        store.Set("d", Entry("d", Hour));

        Assert.Equal(3, store.Count);
        Assert.True(store.TryGet("b", out _));
        Assert.True(store.TryGet("c", out _));
        Assert.True(store.TryGet("d", out _));
    }

    [Fact]
    public void When_full_one_tick_before_an_entry_expires_the_least_recently_used_is_evicted_instead()
    {
        var store = new InMemoryCacheFallbackStore(3, _time);
        store.Set("ends-at-5s", Entry("x", TimeSpan.FromSeconds(5)));
        store.Set("b", Entry("b", Hour));
        store.Set("c", Entry("c", Hour));
        Assert.True(store.TryGet("ends-at-5s", out _));
        _time.Advance(TimeSpan.FromSeconds(5) - TimeSpan.FromTicks(1));

        store.Set("d", Entry("d", Hour));

        Assert.False(store.TryGet("b", out _));
        Assert.True(store.TryGet("ends-at-5s", out _));
        Assert.True(store.TryGet("c", out _));
        Assert.True(store.TryGet("d", out _));
    }

    [Fact]
    public void The_sweep_removes_every_expired_entry_wherever_it_is_in_the_recency_order()
    {
        var store = new InMemoryCacheFallbackStore(6, _time);
        store.Set("old-expiring", Entry(1, TimeSpan.FromSeconds(1)));  // tail
        store.Set("live-1", Entry(2, Hour));
        store.Set("mid-expiring", Entry(3, TimeSpan.FromSeconds(1)));  // middle
        store.Set("live-2", Entry(4, Hour));
        store.Set("live-3", Entry(5, Hour));
        store.Set("new-expiring", Entry(6, TimeSpan.FromSeconds(1)));  // head
        _time.Advance(TimeSpan.FromSeconds(1));

        store.Set("fresh", Entry(7, Hour));

        Assert.Equal(4, store.Count); // all three expired entries went, no live one
        foreach (string key in new[] { "live-1", "live-2", "live-3", "fresh" })
        {
            Assert.True(store.TryGet(key, out _), key);
        }
    }

    [Fact]
    public void After_a_sweep_the_next_sweep_waits_a_tenth_of_MaxEntries_insertions()
    {
        // MaxEntries 20: a sweep at most once per 2 insertions of new keys while full.
        var store = new InMemoryCacheFallbackStore(20, _time);
        store.Set("short", Entry("s", TimeSpan.FromSeconds(1)));
        for (int i = 1; i < 20; i++)
        {
            store.Set("k" + i, Entry(i, Hour));
        }

        Assert.True(store.TryGet("short", out _));       // the most recently used
        store.Set("k20", Entry(20, Hour));               // full: sweeps (nothing expired yet), evicts k1
        Assert.False(store.TryGet("k1", out _));
        _time.Advance(TimeSpan.FromSeconds(1));          // "short" has expired

        store.Set("k21", Entry(21, Hour));               // 1 insertion since the sweep: no sweep, evicts k2 (LRU)
        Assert.False(store.TryGet("k2", out _));
        Assert.Equal(20, store.Count);

        store.Set("k22", Entry(22, Hour));               // 2 insertions since: sweeps, "short" makes room
        Assert.Equal(20, store.Count);
        Assert.True(store.TryGet("k3", out _));
        Assert.False(store.TryGet("short", out _));
    }

    [Fact]
    public void Eviction_follows_the_recency_order_through_reads_and_rewrites_of_head_middle_and_tail()
    {
        var store = new InMemoryCacheFallbackStore(4, _time);
        foreach (string key in new[] { "a", "b", "c", "d" })
        {
            store.Set(key, Entry(key, Hour)); // recency, newest first: d c b a
        }

        Assert.True(store.TryGet("d", out _));   // head stays head:      d c b a
        Assert.True(store.TryGet("b", out _));   // middle to head:       b d c a
        store.Set("a", Entry("a2", Hour));      // tail rewritten, head: a b d c
        Assert.True(store.TryGet("c", out _));   // tail to head:         c a b d

        // Each new key evicts the least recently used; a miss (TryGet of an absent key) changes no order.
        store.Set("e", Entry("e", Hour));
        Assert.False(store.TryGet("d", out _));
        store.Set("f", Entry("f", Hour));
        Assert.False(store.TryGet("b", out _));
        store.Set("g", Entry("g", Hour));
        Assert.False(store.TryGet("a", out _));
        store.Set("h", Entry("h", Hour));
        Assert.False(store.TryGet("c", out _));

        Assert.Equal(4, store.Count);
        foreach (string key in new[] { "e", "f", "g", "h" })
        {
            Assert.True(store.TryGet(key, out _), key);
        }
    }

    private CacheFallbackEntry Entry(object value, TimeSpan life)
    {
        DateTimeOffset now = _time.GetUtcNow();
        return new CacheFallbackEntry(value, now, now, now + life);
    }
}
