using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Resilience.Caching.Tests;

/// <summary>The two tiers, over an in-process <see cref="IDistributedCache"/> (the Redis tests are in <see cref="RedisCacheTests"/>).</summary>
public sealed class SharedStoreTests
{
    private static readonly CacheFallbackOptions Settings = new() { Ttl = TimeSpan.FromSeconds(10), StaleTtl = TimeSpan.FromMinutes(5) };
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private readonly CountingCache _cache = new();

    [Fact]
    public void A_fresh_hit_by_a_CacheKey_allocates_nothing_and_finds_the_entry_its_text_finds()
    {
        using var store = Create();
        var strategy = new CacheFallbackStrategy("s", Settings, store, _time);
        CacheKey key = CacheKey.Of("Shop.IRates.GetAsync", "EUR", 3);
        strategy.Store(key, 42);
        Assert.True(strategy.TryGetFresh("Shop.IRates.GetAsync(\"EUR\", \"3\")", out int byText));
        Assert.Equal(42, byText);
        Assert.True(strategy.TryGetFresh(key, out int _));
        int reads = _cache.Reads;

        long allocated = AllocationProbe.Least(() =>
        {
            for (int i = 0; i < 1_000; i++)
            {
                strategy.TryGetFresh(CacheKey.Of("Shop.IRates.GetAsync", "EUR", 3), out int _);
            }
        });

        Assert.Equal(0, allocated);
        Assert.Equal(reads, _cache.Reads);
        Assert.True(store.TryGet(key, out CacheFallbackEntry local));
        Assert.Equal(42, local.Value);
        store.Set(CacheKey.Of("M", 1), local);
        Assert.True(store.TryGet("M(\"1\")", out _));
    }

    [Fact]
    public void A_fresh_hit_in_memory_allocates_nothing_and_reads_nothing_shared()
    {
        using var store = Create();
        var strategy = new CacheFallbackStrategy("s", Settings, store, _time);
        strategy.Store("value", 42);
        strategy.Store("reference", new Rates("EUR", 1m));
        Assert.True(strategy.TryGetFresh("value", out int _));
        Assert.True(strategy.TryGetFresh("reference", out Rates? _));
        int reads = _cache.Reads;

        long allocated = AllocationProbe.Least(() =>
        {
            for (int i = 0; i < 1_000; i++)
            {
                strategy.TryGetFresh("value", out int _);
                strategy.TryGetFresh("reference", out Rates? _);
            }
        });

        Assert.Equal(0, allocated);
        Assert.Equal(reads, _cache.Reads);
    }

    [Fact]
    public async Task A_result_stored_by_one_store_answers_a_failure_in_another()
    {
        using var writer = Create();
        using var reader = Create();
        new CacheFallbackStrategy("s", Settings, writer, _time).Store("k", new Rates("EUR", 0.9m));
        await _cache.WaitForWritesAsync(1);

        var strategy = new CacheFallbackStrategy("s", Settings, reader, _time);
        _time.Advance(TimeSpan.FromMinutes(1));
        Assert.False(strategy.TryGetFresh("k", out Rates? _));
        Assert.True(strategy.TryGetStale("k", new TimeoutException(), CancellationToken.None, out Rates? stale));
        Assert.Equal(new Rates("EUR", 0.9m), stale);
    }

    [Fact]
    public async Task A_stale_lookup_answers_with_the_newer_of_the_shared_and_the_in_memory_result()
    {
        using var old = Create(o => o.MinimumWriteInterval = TimeSpan.Zero);
        using var newer = Create(o => o.MinimumWriteInterval = TimeSpan.Zero);
        var oldStrategy = new CacheFallbackStrategy("s", Settings, old, _time);
        oldStrategy.Store("k", 1);
        await _cache.WaitForWritesAsync(1);
        _time.Advance(TimeSpan.FromSeconds(30));
        new CacheFallbackStrategy("s", Settings, newer, _time).Store("k", 2);
        await _cache.WaitForWritesAsync(2);

        Assert.True(oldStrategy.TryGetFresh("k", out int fresh), "the in-memory tier answers a fresh lookup");
        Assert.Equal(2, fresh); // its own result is no longer fresh: the shared one is read
        Assert.True(oldStrategy.TryGetStale("k", new TimeoutException(), CancellationToken.None, out int stale));
        Assert.Equal(2, stale);
    }

    [Fact]
    public async Task A_key_is_written_to_the_shared_cache_at_most_once_per_write_interval()
    {
        using var store = Create(o => o.MinimumWriteInterval = TimeSpan.FromSeconds(1));
        var strategy = new CacheFallbackStrategy("s", Settings, store, _time);

        strategy.Store("k", 1);
        await _cache.WaitForWritesAsync(1);
        for (int i = 2; i <= 10; i++)
        {
            _time.Advance(TimeSpan.FromMilliseconds(99));
            strategy.Store("k", i);
        }

        Assert.Equal(1, _cache.Writes);
        Assert.True(strategy.TryGetFresh("k", out int latest));
        Assert.Equal(10, latest); // memory has every result

        _time.Advance(TimeSpan.FromMilliseconds(110));
        strategy.Store("k", 11);
        await _cache.WaitForWritesAsync(2);
    }

    [Fact]
    public void A_shared_cache_that_does_not_answer_blocks_one_read_for_the_timeout_then_none()
    {
        var hanging = new CountingCache();
        using var store = new DistributedCacheFallbackStore(hanging, Options(o => o.OperationTimeout = TimeSpan.FromMilliseconds(100)), _time);
        Connected(store);
        hanging.Hang = true;
        var strategy = new CacheFallbackStrategy("s", Settings, store, _time);

        var watch = System.Diagnostics.Stopwatch.StartNew();
        Assert.False(strategy.TryGetStale("k", new TimeoutException(), CancellationToken.None, out Rates? _));
        Assert.InRange(watch.Elapsed, TimeSpan.FromMilliseconds(90), TimeSpan.FromSeconds(5));
        Assert.False(store.IsSharedCacheAvailable);

        watch.Restart();
        for (int i = 0; i < 100; i++)
        {
            Assert.False(strategy.TryGetStale("k", new TimeoutException(), CancellationToken.None, out Rates? _));
        }

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(1), $"100 reads while unavailable took {watch.Elapsed} (waiting would take 10 s)");
        Assert.Equal(2, hanging.Reads); // the first background read, then the one that hung

        strategy.Store("k", new Rates("EUR", 1m)); // kept in memory, nothing written
        Assert.Equal(0, hanging.Writes);
        Assert.True(strategy.TryGetStale("k", new TimeoutException(), CancellationToken.None, out Rates? local));
        Assert.Equal("EUR", local!.Base);
    }

    [Fact]
    public async Task After_the_retry_interval_a_background_read_finds_the_shared_cache_back()
    {
        var cache = new CountingCache { Fail = true };
        using var store = new DistributedCacheFallbackStore(cache, Options(o => o.RetryInterval = TimeSpan.FromSeconds(5)), _time);
        Connected(store);
        var strategy = new CacheFallbackStrategy("s", Settings, store, _time);
        Assert.False(strategy.TryGetStale("k", new TimeoutException(), CancellationToken.None, out int _));
        Assert.False(store.IsSharedCacheAvailable);

        cache.Fail = false;
        _time.Advance(TimeSpan.FromSeconds(4));
        strategy.TryGetStale("k", new TimeoutException(), CancellationToken.None, out int _);
        Assert.Equal(1, cache.Reads); // the first background read failed; the next check is not due yet

        _time.Advance(TimeSpan.FromSeconds(1));
        strategy.TryGetStale("k", new TimeoutException(), CancellationToken.None, out int _); // starts the check, does not wait for it
        for (int i = 0; i < 500 && !store.IsSharedCacheAvailable; i++)
        {
            await Task.Delay(10);
        }

        Assert.True(store.IsSharedCacheAvailable);
    }

    [Fact]
    public async Task Until_the_first_background_read_answers_calls_do_not_touch_the_shared_cache()
    {
        var hanging = new CountingCache { Hang = true };

        // A call that read the shared cache would wait the operation timeout, 10 s, far more than a loaded machine adds;
        // the hanging background read is given up after the retry interval, a minute, long after the test ends.
        using var store = new DistributedCacheFallbackStore(hanging, Options(o =>
        {
            o.OperationTimeout = TimeSpan.FromSeconds(10);
            o.RetryInterval = TimeSpan.FromMinutes(1);
        }), _time);
        var strategy = new CacheFallbackStrategy("s", Settings, store, _time);

        // The background read is issued from the thread pool (the store yields first): wait until it is, so that the
        // count below tells the calls' reads apart from it.
        for (int i = 0; i < 500 && hanging.Reads == 0; i++)
        {
            await Task.Delay(10);
        }

        Assert.Equal(1, hanging.Reads);
        Assert.Equal(SharedStore.Connecting, store.Engine.State);

        var watch = System.Diagnostics.Stopwatch.StartNew();
        strategy.Store("k", 1);
        Assert.True(strategy.TryGetStale("k", new TimeoutException(), CancellationToken.None, out int stale));
        Assert.False(strategy.TryGetStale("other", new TimeoutException(), CancellationToken.None, out int _));

        Assert.Equal(1, stale);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"took {watch.Elapsed} (a read waiting for the timeout would take 10 s)");
        Assert.Equal(1, hanging.Reads); // the background read only
        Assert.Equal(SharedStore.Connecting, store.Engine.State);
        Assert.False(store.IsSharedCacheAvailable);
    }

    [Fact]
    public void A_result_type_without_metadata_fails_with_what_to_register()
    {
        using var store = Create();
        var strategy = new CacheFallbackStrategy("s", Settings, store, _time);

        var error = Assert.Throws<InvalidOperationException>(() => strategy.Store("k", new Unregistered(1)));

        Assert.Contains("[JsonSerializable(typeof(Unregistered))]", error.Message, StringComparison.Ordinal);
        Assert.Contains("SharedCacheFallbackStoreOptions.TypeInfoResolver", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Options_without_a_resolver_are_rejected_with_what_to_set()
    {
        var error = Assert.Throws<ArgumentException>(() => new DistributedCacheFallbackStore(_cache, new SharedCacheFallbackStoreOptions()));

        Assert.Contains("TypeInfoResolver", error.Message, StringComparison.Ordinal);
        Assert.Contains("JsonSerializerContext", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_entry_of_another_shape_is_a_miss_not_a_failure()
    {
        await _cache.SetAsync("resilience:cache:k", [1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte)'{']);
        using var store = Create();

        Assert.False(new CacheFallbackStrategy("s", Settings, store, _time).TryGetStale("k", new TimeoutException(), CancellationToken.None, out Rates? _));
        Assert.True(store.IsSharedCacheAvailable);
    }

    private DistributedCacheFallbackStore Create(Action<SharedCacheFallbackStoreOptions>? configure = null)
    {
        var store = new DistributedCacheFallbackStore(_cache, Options(configure), _time);
        Connected(store);
        return store;
    }

    /// <summary>Waits (bounded) until the store's first background read answered or failed.</summary>
    internal static void Connected(DistributedCacheFallbackStore store)
    {
        for (int i = 0; i < 1_000 && store.Engine.State == SharedStore.Connecting; i++)
        {
            Thread.Sleep(5);
        }

        Assert.NotEqual(SharedStore.Connecting, store.Engine.State);
    }

    private static SharedCacheFallbackStoreOptions Options(Action<SharedCacheFallbackStoreOptions>? configure = null)
    {
        var options = new SharedCacheFallbackStoreOptions { TypeInfoResolver = TestJsonContext.Default };
        configure?.Invoke(options);
        return options;
    }

    /// <summary>An in-process distributed cache that counts reads and writes, and can fail or never answer.</summary>
    private sealed class CountingCache : IDistributedCache
    {
        private readonly MemoryDistributedCache _inner = new(Microsoft.Extensions.Options.Options.Create(new MemoryDistributedCacheOptions()));
        private int _reads;
        private int _writes;

        public bool Hang { get; set; }

        public bool Fail { get; set; }

        public int Reads => Volatile.Read(ref _reads);

        public int Writes => Volatile.Read(ref _writes);

        public async Task WaitForWritesAsync(int writes)
        {
            for (int i = 0; i < 500 && Writes < writes; i++)
            {
                await Task.Delay(10);
            }

            Assert.Equal(writes, Writes);
        }

        public byte[]? Get(string key) => throw new NotSupportedException("the store reads asynchronously");

        public Task<byte[]?> GetAsync(string key, CancellationToken token = default)
        {
            Interlocked.Increment(ref _reads);
            return Hang ? new TaskCompletionSource<byte[]?>().Task
                : Fail ? Task.FromException<byte[]?>(new IOException("shared cache down"))
                : _inner.GetAsync(key, token);
        }

        public void Set(string key, byte[] value, DistributedCacheEntryOptions options) => throw new NotSupportedException("the store writes asynchronously");

        public async Task SetAsync(string key, byte[] value, DistributedCacheEntryOptions options, CancellationToken token = default)
        {
            if (Hang || Fail)
            {
                throw new IOException("shared cache down");
            }

            await _inner.SetAsync(key, value, options, token);
            Interlocked.Increment(ref _writes);
        }

        public void Refresh(string key) => _inner.Refresh(key);

        public Task RefreshAsync(string key, CancellationToken token = default) => _inner.RefreshAsync(key, token);

        public void Remove(string key) => _inner.Remove(key);

        public Task RemoveAsync(string key, CancellationToken token = default) => _inner.RemoveAsync(key, token);
    }
}
