namespace Resilience;

/// <summary>Fresh-hit and stale-on-failure lookups over an <see cref="ICacheFallbackStore"/>, for generated code.</summary>
/// <remarks>
/// A result stored at time <c>t</c> is fresh while <c>now &lt; t + Ttl</c> and may answer a failure while
/// <c>now &lt; t + Ttl + StaleTtl</c>. An entry whose value is not of the requested type (another call stored
/// something else under the key) is ignored. With the default <see cref="InMemoryCacheFallbackStore"/>, lookups allocate
/// nothing and a result is stored as its type (a value type is not boxed; see that store for when a store allocates).
/// Another store gets <see cref="CacheFallbackEntry"/> values (a value-type result is boxed) through its
/// <see cref="CacheKey"/> members, which by default use the key's text. A store that implements
/// <see cref="ITypedCacheFallbackStore"/> is called through its generic members, with the result type.
/// </remarks>
public sealed class CacheFallbackStrategy
{
    private readonly string _name;
    private readonly ICacheFallbackStore _store;
    private readonly ITypedCacheFallbackStore? _typedStore;
    private readonly InMemoryCacheFallbackStore? _memory;
    private readonly TimeProvider _timeProvider;
    private readonly ResilienceTelemetry? _telemetry;
    private Settings _settings;

    /// <summary>Creates the strategy.</summary>
    /// <param name="name">The strategy's name.</param>
    /// <param name="options">Settings; validated here.</param>
    /// <param name="store">Where results are kept.</param>
    /// <param name="timeProvider">The clock; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    public CacheFallbackStrategy(string name, CacheFallbackOptions options, ICacheFallbackStore store, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(store);
        options.Validate();
        _name = name;
        _store = store;
        _typedStore = store as ITypedCacheFallbackStore;
        _memory = store as InMemoryCacheFallbackStore;
        _timeProvider = timeProvider ?? TimeProvider.System;
        _settings = new Settings(options.Ttl, options.StaleTtl);
    }

    /// <summary>Creates the strategy logging the stale results it serves through <paramref name="telemetry"/>'s logger (a registry's), if it has one.</summary>
    internal CacheFallbackStrategy(string name, CacheFallbackOptions options, ICacheFallbackStore store, TimeProvider? timeProvider, ResilienceTelemetry? telemetry)
        : this(name, options, store, timeProvider)
    {
        _telemetry = telemetry;
    }

    /// <summary>How long a stored result is fresh (the current setting; it changes when configuration is reloaded).</summary>
    public TimeSpan Ttl => Volatile.Read(ref _settings).Ttl;

    /// <summary>How long after <see cref="Ttl"/> a stored result may answer a failure (the current setting).</summary>
    public TimeSpan StaleTtl => Volatile.Read(ref _settings).StaleTtl;

    /// <summary>The strategy's name.</summary>
    public string Name => _name;

    /// <summary>Raised when a stale result answered a failed call, with the key and the failure.</summary>
    public event EventHandler<StaleResultServedEventArgs>? StaleResultServed;

    /// <summary>Returns a result younger than the TTL, if any.</summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="key">The cache key's text.</param>
    /// <param name="value">The result.</param>
    public bool TryGetFresh<T>(string key, out T value) => TryGetFresh(CacheKey.FromText(key), out value);

    /// <summary>Returns a result younger than the TTL, if any.</summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="key">The cache key.</param>
    /// <param name="value">The result.</param>
    public bool TryGetFresh<T>(in CacheKey key, out T value)
    {
        if (Volatile.Read(ref _settings).Ttl > TimeSpan.Zero
            && Lookup(key, CacheFallbackLookup.Fresh, out value, out CacheFallbackEntry times)
            && _timeProvider.GetUtcNow() < times.FreshUntil)
        {
            return true;
        }

        value = default!;
        return false;
    }

    /// <summary>Returns a result still inside the stale TTL to answer <paramref name="exception"/>, if any; never for the caller's own cancellation.</summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="key">The cache key's text.</param>
    /// <param name="exception">The failure to answer.</param>
    /// <param name="callerToken">The caller's token.</param>
    /// <param name="value">The result.</param>
    public bool TryGetStale<T>(string key, Exception exception, CancellationToken callerToken, out T value)
        => TryGetStale(CacheKey.FromText(key), exception, callerToken, out value);

    /// <summary>Returns a result still inside the stale TTL to answer <paramref name="exception"/>, if any; never for the caller's own cancellation.</summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="key">The cache key.</param>
    /// <param name="exception">The failure to answer.</param>
    /// <param name="callerToken">The caller's token.</param>
    /// <param name="value">The result.</param>
    public bool TryGetStale<T>(in CacheKey key, Exception exception, CancellationToken callerToken, out T value)
    {
        ArgumentNullException.ThrowIfNull(exception);
        if (!ResilienceOutcome.IsCallerCancellation(exception, callerToken) && Lookup(key, CacheFallbackLookup.Stale, out value, out CacheFallbackEntry times))
        {
            DateTimeOffset now = _timeProvider.GetUtcNow();
            if (now < times.StaleUntil)
            {
                if (StaleResultServed is not null || _telemetry?.Logger is not null)
                {
                    OnStaleResultServed(new StaleResultServedEventArgs(key, exception, now - times.StoredAt));
                }

                return true;
            }
        }

        value = default!;
        return false;
    }

    /// <summary>Remembers a successful result.</summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="key">The cache key's text.</param>
    /// <param name="value">The result.</param>
    public void Store<T>(string key, T value) => Store(CacheKey.FromText(key), value);

    /// <summary>Remembers a successful result.</summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="key">The cache key.</param>
    /// <param name="value">The result.</param>
    public void Store<T>(in CacheKey key, T value)
    {
        Settings settings = Volatile.Read(ref _settings);
        DateTimeOffset now = _timeProvider.GetUtcNow();
        DateTimeOffset freshUntil = AddSaturating(now, settings.Ttl);
        DateTimeOffset staleUntil = AddSaturating(freshUntil, settings.StaleTtl);
        if (_memory is not null)
        {
            _memory.Set(key, value, new CacheFallbackEntry(null, now, freshUntil, staleUntil));
        }
        else if (_typedStore is null)
        {
            _store.Set(key, new CacheFallbackEntry(value, now, freshUntil, staleUntil));
        }
        else
        {
            _typedStore.Set<T>(key, new CacheFallbackEntry(value, now, freshUntil, staleUntil));
        }
    }

    /// <summary>
    /// Applies new TTLs to results stored from now on (configuration reload); results already stored keep the deadlines
    /// they were stored with.
    /// </summary>
    /// <param name="options">The new settings; validated here.</param>
    internal void Reconfigure(CacheFallbackOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Volatile.Write(ref _settings, new Settings(options.Ttl, options.StaleTtl));
    }

    /// <summary>The entry of <paramref name="key"/> whose value is a <typeparamref name="T"/>, with its times.</summary>
    private bool Lookup<T>(in CacheKey key, CacheFallbackLookup lookup, out T value, out CacheFallbackEntry times)
    {
        if (_memory is not null)
        {
            return _memory.TryGet(key, out value, out times);
        }

        if (_typedStore is null ? _store.TryGet(key, out times) : _typedStore.TryGet<T>(key, lookup, out times))
        {
            return InMemoryCacheFallbackStore.TryCast(times.Value, out value);
        }

        value = default!;
        return false;
    }

    private static DateTimeOffset AddSaturating(DateTimeOffset time, TimeSpan span)
        => DateTimeOffset.MaxValue - time <= span ? DateTimeOffset.MaxValue : time + span;

    private void OnStaleResultServed(StaleResultServedEventArgs args)
    {
        _telemetry?.OnStaleResultServed(_name, args);
        StaleResultServed?.Invoke(this, args);
    }

    /// <summary>Both TTLs, swapped as one.</summary>
    private sealed class Settings(TimeSpan ttl, TimeSpan staleTtl)
    {
        public TimeSpan Ttl { get; } = ttl;

        public TimeSpan StaleTtl { get; } = staleTtl;
    }
}
