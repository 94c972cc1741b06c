using Microsoft.Extensions.Time.Testing;
using Resilience;

namespace Resilience.Runtime.Tests.Caching;

public sealed class InMemoryCacheFallbackStoreTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero));

    [Fact]
    public void TryGet_returns_the_entry_until_exactly_StaleUntil_then_drops_it()
    {
        var store = new InMemoryCacheFallbackStore(10, _time);
        DateTimeOffset now = _time.GetUtcNow();
        var entry = new CacheFallbackEntry("v", now, now.AddSeconds(1), now.AddSeconds(10));
        store.Set("k", entry);

        _time.Advance(TimeSpan.FromSeconds(10) - TimeSpan.FromTicks(1));
        Assert.True(store.TryGet("k", out CacheFallbackEntry found));
        Assert.Equal(entry, found);

        _time.Advance(TimeSpan.FromTicks(1));
        Assert.False(store.TryGet("k", out _));
        Assert.Equal(0, store.Count);
    }

    [Fact]
    public void Set_replaces_the_entry_of_an_existing_key()
    {
        var store = new InMemoryCacheFallbackStore(10, _time);
        store.Set("k", Entry("old", TimeSpan.FromMinutes(1)));
        store.Set("k", Entry("new", TimeSpan.FromMinutes(1)));

        Assert.True(store.TryGet("k", out CacheFallbackEntry found));
        Assert.Equal("new", found.Value);
        Assert.Equal(1, store.Count);
    }

    [Fact]
    public void Set_of_an_already_expired_entry_keeps_nothing_and_removes_the_old_one()
    {
        var store = new InMemoryCacheFallbackStore(10, _time);
        store.Set("k", Entry("old", TimeSpan.FromMinutes(1)));

        store.Set("k", Entry("expired", TimeSpan.Zero));
        store.Set("other", Entry("expired", TimeSpan.Zero));

        Assert.False(store.TryGet("k", out _));
        Assert.Equal(0, store.Count);
    }

    [Fact]
    public void Size_stays_bounded_under_100_000_distinct_inserts_and_keeps_the_newest()
    {
        var store = new InMemoryCacheFallbackStore(1_000, _time);

        for (int i = 0; i < 100_000; i++)
        {
            store.Set("key" + i, Entry(i, TimeSpan.FromHours(1)));
            if (store.Count > 1_000)
            {
                Assert.Fail($"Count {store.Count} exceeded MaxEntries after insert {i}.");
            }
        }

        Assert.Equal(1_000, store.Count);
        Assert.True(store.TryGet("key99999", out CacheFallbackEntry newest));
        Assert.Equal(99_999, newest.Value);
        Assert.True(store.TryGet("key99000", out _));
        Assert.False(store.TryGet("key98999", out _));
    }

    [Fact]
    public void When_full_the_least_recently_used_entry_is_evicted()
    {
        var store = new InMemoryCacheFallbackStore(3, _time);
        store.Set("a", Entry("a", TimeSpan.FromHours(1)));
        store.Set("b", Entry("b", TimeSpan.FromHours(1)));
        store.Set("c", Entry("c", TimeSpan.FromHours(1)));
        Assert.True(store.TryGet("a", out _)); // a is now more recent than b

        store.Set("d", Entry("d", TimeSpan.FromHours(1)));

        Assert.False(store.TryGet("b", out _));
        Assert.True(store.TryGet("a", out _));
        Assert.True(store.TryGet("c", out _));
        Assert.True(store.TryGet("d", out _));
        Assert.Equal(3, store.Count);
    }

    [Fact]
    public void When_full_expired_entries_are_dropped_before_live_ones()
    {
        var store = new InMemoryCacheFallbackStore(3, _time);
        store.Set("short", Entry("short", TimeSpan.FromSeconds(5)));
        store.Set("b", Entry("b", TimeSpan.FromHours(1)));
        store.Set("c", Entry("c", TimeSpan.FromHours(1)));
        Assert.True(store.TryGet("short", out _)); // most recently used, but about to expire
        _time.Advance(TimeSpan.FromSeconds(5));

        store.Set("d", Entry("d", TimeSpan.FromHours(1)));

        Assert.Equal(3, store.Count);
        Assert.True(store.TryGet("b", out _)); // the LRU live entry survived: the expired one made room
        Assert.True(store.TryGet("c", out _));
        Assert.True(store.TryGet("d", out _));
    }

    [Fact]
    public void Parallel_Set_and_TryGet_keep_the_store_consistent_and_bounded()
    {
        const int maxEntries = 64;
        var store = new InMemoryCacheFallbackStore(maxEntries, _time);
        int mismatches = 0;

        Parallel.For(0, 8, new ParallelOptions { MaxDegreeOfParallelism = 8 }, worker =>
        {
            var random = new Random(worker);
            for (int i = 0; i < 40_000; i++)
            {
                int k = random.Next(200);
                string key = "k" + k;
                if ((i & 1) == 0)
                {
                    store.Set(key, Entry(k, TimeSpan.FromHours(1)));
                }
                else if (store.TryGet(key, out CacheFallbackEntry entry) && (int)entry.Value! != k)
                {
                    Interlocked.Increment(ref mismatches);
                }
            }
        });

        Assert.Equal(0, mismatches);
        Assert.Equal(maxEntries, store.Count);
        int found = 0;
        for (int k = 0; k < 200; k++)
        {
            if (store.TryGet("k" + k, out CacheFallbackEntry entry))
            {
                Assert.Equal(k, entry.Value);
                found++;
            }
        }

        Assert.Equal(maxEntries, found);
    }

    [Fact]
    public void Constructor_rejects_a_non_positive_size()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => new InMemoryCacheFallbackStore(0, _time));
        Assert.Contains("maxEntries must be at least 1", ex.Message, StringComparison.Ordinal);
        Assert.Equal(10_000, new InMemoryCacheFallbackStore().MaxEntries);
    }

    private CacheFallbackEntry Entry(object value, TimeSpan life)
    {
        DateTimeOffset now = _time.GetUtcNow();
        return new CacheFallbackEntry(value, now, now, now + life);
    }
}
