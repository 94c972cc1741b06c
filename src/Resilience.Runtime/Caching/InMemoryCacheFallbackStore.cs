namespace Resilience;

/// <summary>
/// The default <see cref="ICacheFallbackStore"/>: a thread-safe in-process dictionary holding at most
/// <see cref="MaxEntries"/> entries; entries past their stale time are dropped, then the least recently used.
/// </summary>
public sealed class InMemoryCacheFallbackStore : ICacheFallbackStore
{
    /// <summary>Creates the store.</summary>
    /// <param name="maxEntries">The most entries kept; at least 1. Default 10 000.</param>
    /// <param name="timeProvider">The clock used to drop expired entries; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    public InMemoryCacheFallbackStore(int maxEntries = 10_000, TimeProvider? timeProvider = null) => throw new NotImplementedException();

    /// <summary>The most entries kept.</summary>
    public int MaxEntries => throw new NotImplementedException();

    /// <summary>Entries held now.</summary>
    public int Count => throw new NotImplementedException();

    /// <inheritdoc />
    public bool TryGet(string key, out CacheFallbackEntry entry) => throw new NotImplementedException();

    /// <inheritdoc />
    public void Set(string key, CacheFallbackEntry entry) => throw new NotImplementedException();
}
