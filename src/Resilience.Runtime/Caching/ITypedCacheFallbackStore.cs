namespace Resilience;

/// <summary>
/// An <see cref="ICacheFallbackStore"/> that needs the result type to read or write an entry, because it serializes
/// results (a store shared between machines). <see cref="CacheFallbackStrategy"/> calls these generic members instead of
/// the object-based ones of <see cref="ICacheFallbackStore"/> when its store implements this interface.
/// </summary>
public interface ITypedCacheFallbackStore : ICacheFallbackStore
{
    /// <summary>Looks up <paramref name="key"/> for a result of type <typeparamref name="T"/>.</summary>
    /// <typeparam name="T">The result type of the call the key belongs to.</typeparam>
    /// <param name="key">The cache key.</param>
    /// <param name="lookup">Whether the lookup looks for a fresh result (every call) or a stale one (a failed call).</param>
    /// <param name="entry">The entry, when found; its <see cref="CacheFallbackEntry.Value"/> is a <typeparamref name="T"/> or null.</param>
    /// <returns><see langword="true"/> when an entry was found (fresh or stale).</returns>
    bool TryGet<T>(string key, CacheFallbackLookup lookup, out CacheFallbackEntry entry);

    /// <summary>Stores or replaces the entry for <paramref name="key"/>.</summary>
    /// <typeparam name="T">The result type of the call the key belongs to.</typeparam>
    /// <param name="key">The cache key.</param>
    /// <param name="entry">The entry; its <see cref="CacheFallbackEntry.Value"/> is a <typeparamref name="T"/> or null.</param>
    void Set<T>(string key, CacheFallbackEntry entry);

    /// <summary>Looks up <paramref name="key"/> for a result of type <typeparamref name="T"/>; by default by its text (<see cref="CacheKey.ToString"/>, allocated).</summary>
    /// <typeparam name="T">The result type of the call the key belongs to.</typeparam>
    /// <param name="key">The cache key.</param>
    /// <param name="lookup">Whether the lookup looks for a fresh result (every call) or a stale one (a failed call).</param>
    /// <param name="entry">The entry, when found; its <see cref="CacheFallbackEntry.Value"/> is a <typeparamref name="T"/> or null.</param>
    /// <returns><see langword="true"/> when an entry was found (fresh or stale).</returns>
    bool TryGet<T>(in CacheKey key, CacheFallbackLookup lookup, out CacheFallbackEntry entry) => TryGet<T>(key.ToString(), lookup, out entry);

    /// <summary>Stores or replaces the entry for <paramref name="key"/>; by default under its text (<see cref="CacheKey.ToString"/>, allocated).</summary>
    /// <typeparam name="T">The result type of the call the key belongs to.</typeparam>
    /// <param name="key">The cache key.</param>
    /// <param name="entry">The entry; its <see cref="CacheFallbackEntry.Value"/> is a <typeparamref name="T"/> or null.</param>
    void Set<T>(in CacheKey key, CacheFallbackEntry entry) => Set<T>(key.ToString(), entry);
}

/// <summary>Why <see cref="CacheFallbackStrategy"/> looks up a key in an <see cref="ITypedCacheFallbackStore"/>.</summary>
public enum CacheFallbackLookup
{
    /// <summary>Before a call, for a fresh result that answers without calling (only when <c>Ttl</c> is positive).</summary>
    Fresh,

    /// <summary>After a failed call, for a result that answers the failure.</summary>
    Stale,
}
