namespace Resilience;

/// <summary>Fresh-hit and stale-on-failure lookups over an <see cref="ICacheFallbackStore"/>, for generated code.</summary>
public sealed class CacheFallbackStrategy
{
    /// <summary>Creates the strategy.</summary>
    /// <param name="name">The strategy's name.</param>
    /// <param name="options">Settings; validated here.</param>
    /// <param name="store">Where results are kept.</param>
    /// <param name="timeProvider">The clock; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    public CacheFallbackStrategy(string name, CacheFallbackOptions options, ICacheFallbackStore store, TimeProvider? timeProvider = null) => throw new NotImplementedException();

    /// <summary>The strategy's name.</summary>
    public string Name => throw new NotImplementedException();

    /// <summary>Raised when a stale result answered a failed call, with the key and the failure.</summary>
    public event EventHandler<StaleResultServedEventArgs>? StaleResultServed;

    /// <summary>Returns a result younger than the TTL, if any.</summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="key">The cache key.</param>
    /// <param name="value">The result.</param>
    public bool TryGetFresh<T>(string key, out T value) => throw new NotImplementedException();

    /// <summary>Returns a result still inside the stale TTL to answer <paramref name="exception"/>, if any; never for the caller's own cancellation.</summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="key">The cache key.</param>
    /// <param name="exception">The failure to answer.</param>
    /// <param name="callerToken">The caller's token.</param>
    /// <param name="value">The result.</param>
    public bool TryGetStale<T>(string key, Exception exception, CancellationToken callerToken, out T value) => throw new NotImplementedException();

    /// <summary>Remembers a successful result.</summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="key">The cache key.</param>
    /// <param name="value">The result.</param>
    public void Store<T>(string key, T value) => throw new NotImplementedException();

    private void OnStaleResultServed(StaleResultServedEventArgs args) => StaleResultServed?.Invoke(this, args);
}
