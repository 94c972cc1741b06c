namespace Resilience;

/// <summary>
/// One rate limit per key (per tenant, per user), each as <see cref="RateLimitStrategy"/> describes. Keys unused for
/// <see cref="RateLimitOptions.KeyIdleTimeout"/> are evicted and at most <see cref="RateLimitOptions.MaxKeys"/> are
/// kept, so memory stays bounded however many distinct keys pass. A <see langword="null"/> key is a key of its own.
/// </summary>
/// <typeparam name="TKey">The key type.</typeparam>
public sealed class KeyedRateLimitStrategy<TKey> : IDisposable
    where TKey : notnull
{
    /// <summary>Creates the limit.</summary>
    /// <param name="name">The limit's name, used in <see cref="RateLimitRejectedException"/>.</param>
    /// <param name="options">Settings; validated here.</param>
    /// <param name="timeProvider">The clock; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    public KeyedRateLimitStrategy(string name, RateLimitOptions options, TimeProvider? timeProvider = null) => throw new NotImplementedException();

    /// <summary>The limit's name.</summary>
    public string Name => throw new NotImplementedException();

    /// <summary>Keys currently held.</summary>
    public int KeyCount => throw new NotImplementedException();

    /// <summary>Takes a permit for <paramref name="key"/> if one is available now; never waits.</summary>
    /// <param name="key">The partition key.</param>
    public bool TryAcquire(TKey? key) => throw new NotImplementedException();

    /// <summary>Takes a permit for <paramref name="key"/>, waiting in its queue if there is room; throws <see cref="RateLimitRejectedException"/> otherwise.</summary>
    /// <param name="key">The partition key.</param>
    /// <param name="cancellationToken">Ends the wait.</param>
    public ValueTask AcquireAsync(TKey? key, CancellationToken cancellationToken) => throw new NotImplementedException();

    /// <summary>Takes a permit for <paramref name="key"/>, blocking in its queue if there is room; for synchronous methods.</summary>
    /// <param name="key">The partition key.</param>
    /// <param name="cancellationToken">Ends the wait.</param>
    public void Acquire(TKey? key, CancellationToken cancellationToken) => throw new NotImplementedException();

    /// <inheritdoc />
    public void Dispose() => throw new NotImplementedException();
}
