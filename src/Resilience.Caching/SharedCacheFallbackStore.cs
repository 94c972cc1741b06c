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
    public bool TryGet<T>(string key, CacheFallbackLookup lookup, out CacheFallbackEntry entry) => _store.TryGet<T>(key, lookup, out entry);

    /// <inheritdoc />
    public void Set<T>(string key, CacheFallbackEntry entry) => _store.Set<T>(key, entry);

    /// <summary>Looks up the in-memory tier only: without the result type nothing can be read from the shared cache.</summary>
    /// <param name="key">The cache key.</param>
    /// <param name="entry">The entry, when found.</param>
    public bool TryGet(string key, out CacheFallbackEntry entry) => _store.TryGetLocal(key, out entry);

    /// <summary>Stores in the in-memory tier only: without the result type nothing can be written to the shared cache.</summary>
    /// <param name="key">The cache key.</param>
    /// <param name="entry">The entry.</param>
    public void Set(string key, CacheFallbackEntry entry) => _store.SetLocal(key, entry);

    /// <inheritdoc />
    public void Dispose() => _store.Dispose();
}
