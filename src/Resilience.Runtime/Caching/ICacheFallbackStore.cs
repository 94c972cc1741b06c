namespace Resilience;

/// <summary>
/// Where <see cref="CacheFallbackAttribute"/> keeps results. The default, <see cref="InMemoryCacheFallbackStore"/>,
/// is bounded in size. The Resilience.Caching package shares results between machines over <c>HybridCache</c> or
/// <c>IDistributedCache</c>; a store that serializes results implements <see cref="ITypedCacheFallbackStore"/>.
/// Register a store in the container (<c>services.AddSingleton&lt;ICacheFallbackStore&gt;(...)</c>) and
/// <c>AddResilienceRegistry</c> uses it. Implementations must be thread-safe.
/// </summary>
public interface ICacheFallbackStore
{
    /// <summary>Looks up <paramref name="key"/>.</summary>
    /// <param name="key">The cache key.</param>
    /// <param name="entry">The entry, when found.</param>
    /// <returns><see langword="true"/> when an entry was found (fresh or stale).</returns>
    bool TryGet(string key, out CacheFallbackEntry entry);

    /// <summary>Stores or replaces the entry for <paramref name="key"/>.</summary>
    /// <param name="key">The cache key.</param>
    /// <param name="entry">The entry.</param>
    void Set(string key, CacheFallbackEntry entry);

    /// <summary>Looks up <paramref name="key"/>; by default by its text (<see cref="CacheKey.ToString"/>, allocated).</summary>
    /// <param name="key">The cache key.</param>
    /// <param name="entry">The entry, when found.</param>
    /// <returns><see langword="true"/> when an entry was found (fresh or stale).</returns>
    bool TryGet(in CacheKey key, out CacheFallbackEntry entry) => TryGet(key.ToString(), out entry);

    /// <summary>Stores or replaces the entry for <paramref name="key"/>; by default under its text (<see cref="CacheKey.ToString"/>, allocated).</summary>
    /// <param name="key">The cache key.</param>
    /// <param name="entry">The entry.</param>
    void Set(in CacheKey key, CacheFallbackEntry entry) => Set(key.ToString(), entry);
}
