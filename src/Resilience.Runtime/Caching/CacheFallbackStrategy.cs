namespace Resilience;

/// <summary>Fresh-hit and stale-on-failure lookups over an <see cref="ICacheFallbackStore"/>, for generated code.</summary>
/// <remarks>
/// A result stored at time <c>t</c> is fresh while <c>now &lt; t + Ttl</c> and may answer a failure while
/// <c>now &lt; t + Ttl + StaleTtl</c>. An entry whose value is not of the requested type (another call stored
/// something else under the key) is ignored. Storing boxes value-type results; lookups allocate nothing. A store that
/// implements <see cref="ITypedCacheFallbackStore"/> is called through its generic members, with the result type.
/// </remarks>
public sealed class CacheFallbackStrategy
{
    private readonly string _name;
    private readonly ICacheFallbackStore _store;
    private readonly ITypedCacheFallbackStore? _typedStore;
    private readonly TimeProvider _timeProvider;
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
        _timeProvider = timeProvider ?? TimeProvider.System;
        _settings = new Settings(options.Ttl, options.StaleTtl);
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
    /// <param name="key">The cache key.</param>
    /// <param name="value">The result.</param>
    public bool TryGetFresh<T>(string key, out T value)
    {
        if (Volatile.Read(ref _settings).Ttl > TimeSpan.Zero
            && Lookup<T>(key, CacheFallbackLookup.Fresh, out CacheFallbackEntry entry)
            && _timeProvider.GetUtcNow() < entry.FreshUntil
            && TryCast(entry.Value, out value))
        {
            return true;
        }

        value = default!;
        return false;
    }

    /// <summary>Returns a result still inside the stale TTL to answer <paramref name="exception"/>, if any; never for the caller's own cancellation.</summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="key">The cache key.</param>
    /// <param name="exception">The failure to answer.</param>
    /// <param name="callerToken">The caller's token.</param>
    /// <param name="value">The result.</param>
    public bool TryGetStale<T>(string key, Exception exception, CancellationToken callerToken, out T value)
    {
        ArgumentNullException.ThrowIfNull(exception);
        if (!ResilienceOutcome.IsCallerCancellation(exception, callerToken) && Lookup<T>(key, CacheFallbackLookup.Stale, out CacheFallbackEntry entry))
        {
            DateTimeOffset now = _timeProvider.GetUtcNow();
            if (now < entry.StaleUntil && TryCast(entry.Value, out value))
            {
                if (StaleResultServed is not null)
                {
                    OnStaleResultServed(new StaleResultServedEventArgs(key, exception, now - entry.StoredAt));
                }

                return true;
            }
        }

        value = default!;
        return false;
    }

    /// <summary>Remembers a successful result.</summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="key">The cache key.</param>
    /// <param name="value">The result.</param>
    public void Store<T>(string key, T value)
    {
        Settings settings = Volatile.Read(ref _settings);
        DateTimeOffset now = _timeProvider.GetUtcNow();
        DateTimeOffset freshUntil = AddSaturating(now, settings.Ttl);
        DateTimeOffset staleUntil = AddSaturating(freshUntil, settings.StaleTtl);
        var entry = new CacheFallbackEntry(value, now, freshUntil, staleUntil);
        if (_typedStore is null)
        {
            _store.Set(key, entry);
        }
        else
        {
            _typedStore.Set<T>(key, entry);
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

    private bool Lookup<T>(string key, CacheFallbackLookup lookup, out CacheFallbackEntry entry)
        => _typedStore is null ? _store.TryGet(key, out entry) : _typedStore.TryGet<T>(key, lookup, out entry);

    private static bool TryCast<T>(object? stored, out T value)
    {
        if (stored is T typed)
        {
            value = typed;
            return true;
        }

        // A stored null answers callers whose T admits null (reference types and Nullable<>).
        value = default!;
        return stored is null && default(T) is null;
    }

    private static DateTimeOffset AddSaturating(DateTimeOffset time, TimeSpan span)
        => DateTimeOffset.MaxValue - time <= span ? DateTimeOffset.MaxValue : time + span;

    private void OnStaleResultServed(StaleResultServedEventArgs args) => StaleResultServed?.Invoke(this, args);

    /// <summary>Both TTLs, swapped as one.</summary>
    private sealed class Settings(TimeSpan ttl, TimeSpan staleTtl)
    {
        public TimeSpan Ttl { get; } = ttl;

        public TimeSpan StaleTtl { get; } = staleTtl;
    }
}
