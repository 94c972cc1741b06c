using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;

namespace Resilience.Caching;

/// <summary>
/// What <see cref="DistributedCacheFallbackStore"/> and <see cref="HybridCacheFallbackStore"/> share: an
/// <see cref="ICacheFallbackStore"/> with an in-memory tier in front of a cache shared between processes. They differ
/// only in how they read and write the shared cache. See docs/caching.md for what it guarantees.
/// </summary>
public abstract class SharedCacheFallbackStore : ITypedCacheFallbackStore, IDisposable
{
    private readonly SharedStore _store;

    private protected SharedCacheFallbackStore(
        ISharedTier tier,
        SharedCacheFallbackStoreOptions options,
        TimeProvider? timeProvider,
        ILoggerFactory? loggerFactory,
        IMeterFactory? meterFactory)
        => _store = new SharedStore(tier, options, timeProvider, loggerFactory, meterFactory);

    /// <summary>
    /// Whether the shared cache is used now: <see langword="false"/> until the first background read (which makes the
    /// connection) answers, and after a failure until a background check finds it back.
    /// </summary>
    public bool IsSharedCacheAvailable => _store.IsAvailable;

    /// <summary>The engine, for tests.</summary>
    internal SharedStore Engine => _store;

    /// <inheritdoc />
    public bool TryGet<T>(string key, CacheFallbackLookup lookup, out CacheFallbackEntry entry)
    {
        ArgumentNullException.ThrowIfNull(key);
        return _store.TryGet<T>(CacheKey.FromText(key), lookup, out entry);
    }

    /// <summary>
    /// Looks up <paramref name="key"/> for a result of type <typeparamref name="T"/>. A fresh result in the in-memory tier
    /// answers a fresh lookup without making the key's text; the shared cache is read under the text.
    /// </summary>
    /// <typeparam name="T">The result type of the call the key belongs to.</typeparam>
    /// <param name="key">The cache key.</param>
    /// <param name="lookup">Whether the lookup looks for a fresh result (every call) or a stale one (a failed call).</param>
    /// <param name="entry">The entry, when found.</param>
    public bool TryGet<T>(in CacheKey key, CacheFallbackLookup lookup, out CacheFallbackEntry entry) => _store.TryGet<T>(key, lookup, out entry);

    /// <inheritdoc />
    public void Set<T>(string key, CacheFallbackEntry entry)
    {
        ArgumentNullException.ThrowIfNull(key);
        _store.Set<T>(CacheKey.FromText(key), entry);
    }

    /// <summary>Stores the entry in the in-memory tier, and in the shared cache under the key's text when a write is due.</summary>
    /// <typeparam name="T">The result type of the call the key belongs to.</typeparam>
    /// <param name="key">The cache key.</param>
    /// <param name="entry">The entry.</param>
    public void Set<T>(in CacheKey key, CacheFallbackEntry entry) => _store.Set<T>(key, entry);

    /// <summary>Looks up the in-memory tier only: without the result type nothing can be read from the shared cache.</summary>
    /// <param name="key">The cache key.</param>
    /// <param name="entry">The entry, when found.</param>
    public bool TryGet(string key, out CacheFallbackEntry entry)
    {
        ArgumentNullException.ThrowIfNull(key);
        return _store.TryGetLocal(CacheKey.FromText(key), out entry);
    }

    /// <summary>Looks up the in-memory tier only: without the result type nothing can be read from the shared cache.</summary>
    /// <param name="key">The cache key.</param>
    /// <param name="entry">The entry, when found.</param>
    public bool TryGet(in CacheKey key, out CacheFallbackEntry entry) => _store.TryGetLocal(key, out entry);

    /// <summary>Stores in the in-memory tier only: without the result type nothing can be written to the shared cache.</summary>
    /// <param name="key">The cache key.</param>
    /// <param name="entry">The entry.</param>
    public void Set(string key, CacheFallbackEntry entry)
    {
        ArgumentNullException.ThrowIfNull(key);
        _store.SetLocal(CacheKey.FromText(key), entry);
    }

    /// <summary>Stores in the in-memory tier only: without the result type nothing can be written to the shared cache.</summary>
    /// <param name="key">The cache key.</param>
    /// <param name="entry">The entry.</param>
    public void Set(in CacheKey key, CacheFallbackEntry entry) => _store.SetLocal(key, entry);

    /// <inheritdoc />
    public void Dispose() => _store.Dispose();
}
