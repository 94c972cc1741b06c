namespace Resilience;

/// <summary>
/// Where <see cref="CacheFallbackAttribute"/> keeps results. The default, <see cref="InMemoryCacheFallbackStore"/>,
/// is bounded in size; implement this over <c>HybridCache</c> or <c>IDistributedCache</c> to share results between
/// machines. Implementations must be thread-safe.
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
}
