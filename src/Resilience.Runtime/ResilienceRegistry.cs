using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Options;

namespace Resilience;

/// <summary>
/// Owns the named strategy instances, the clock and the cache store. The same name (per kind of strategy) returns the
/// same instance, so breakers, bulkheads and limits are shared across interfaces; asking for an existing name with
/// different settings throws, because two declarations disagree.
/// </summary>
/// <remarks>
/// <para>
/// Thread-safe. Each kind (breaker, retry, timeout, bulkhead, rate limit, cache fallback) is its own name space: a
/// breaker and a bulkhead may share a name. Keyed and unkeyed rate limits share the rate-limit name space.
/// Looking up an existing name takes no lock; an instance is created exactly once, under a lock, and never discarded.
/// </para>
/// <para>
/// Settings are read when an instance is created: later lookups are compared (with <c>Equals</c>) against the options
/// object passed at creation, so do not change an options object after handing it to the registry.
/// </para>
/// <para>
/// A registry given an <c>IOptionsMonitor&lt;ResilienceOptions&gt;</c> applies the configured overrides of a name on top
/// of the declared settings when it creates the instance, and reconfigures every instance it holds when the options
/// change; lookups still compare declared settings (see <see cref="ResilienceOptions"/>).
/// </para>
/// <para>
/// Disposing the registry disposes the rate limits and keyed circuit breakers it created, shuts down its worker-pool bulkheads (a registry created by
/// <see cref="ResilienceServiceCollectionExtensions.AddResilienceRegistry"/> is disposed with the service provider).
/// <see cref="Shared"/> ignores <see cref="Dispose"/>.
/// </para>
/// </remarks>
public sealed partial class ResilienceRegistry : IDisposable
{
    private static ResilienceRegistry? s_shared;

    // The registry is a facade over small typed parts: this map (every instance, keyed by kind and name, with its
    // declared settings and its kind's InstanceRules), the reload below (one loop over the map), the telemetry hub
    // (ResilienceRegistry.Telemetry.cs) and the inspection (ResilienceRegistry.Snapshot.cs).
    private readonly InstanceMap _instances = new();
    private readonly object _createLock = new();
    private readonly TimeProvider _timeProvider;
    private readonly ICacheFallbackStore _cacheStore;
    private readonly bool _isShared;
    private readonly IDisposable? _optionsSubscription;
    private ResilienceOptions? _overrides;
    private bool _disposed;

    /// <summary>Creates a registry.</summary>
    /// <param name="timeProvider">The clock of every instance it creates; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    /// <param name="cacheStore">Where cache fallbacks keep results; a new <see cref="InMemoryCacheFallbackStore"/> (10 000 entries, on <paramref name="timeProvider"/>) when <see langword="null"/>.</param>
    public ResilienceRegistry(TimeProvider? timeProvider = null, ICacheFallbackStore? cacheStore = null)
        : this(timeProvider, cacheStore, isShared: false)
    {
    }

    /// <summary>Creates a registry whose instances take the overrides of <paramref name="options"/> (see <see cref="ResilienceOptions"/>).</summary>
    /// <param name="timeProvider">The clock of every instance it creates; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    /// <param name="cacheStore">Where cache fallbacks keep results; a new <see cref="InMemoryCacheFallbackStore"/> (10 000 entries, on <paramref name="timeProvider"/>) when <see langword="null"/>.</param>
    /// <param name="options">
    /// Overrides of the declared settings per instance name, applied when an instance is created; on every change the
    /// instances already created are reconfigured, so new calls see the new settings. <see langword="null"/>: none.
    /// </param>
    /// <exception cref="OptionsValidationException">The current options are invalid (see <see cref="ResilienceOptionsValidator"/>).</exception>
    public ResilienceRegistry(TimeProvider? timeProvider, ICacheFallbackStore? cacheStore, IOptionsMonitor<ResilienceOptions>? options)
        : this(timeProvider, cacheStore, meterFactory: null, loggerFactory: null, options)
    {
    }

    private ResilienceRegistry(TimeProvider? timeProvider, ICacheFallbackStore? cacheStore, bool isShared)
    {
        _timeProvider = timeProvider ?? TimeProvider.System;
        _cacheStore = cacheStore ?? new InMemoryCacheFallbackStore(timeProvider: _timeProvider);
        _isShared = isShared;
    }

    /// <summary>The process-wide registry used by generated classes constructed without one, on <see cref="TimeProvider.System"/>. Created on first use.</summary>
    public static ResilienceRegistry Shared
    {
        get
        {
            ResilienceRegistry? shared = Volatile.Read(ref s_shared);
            if (shared is not null)
            {
                return shared;
            }

            Interlocked.CompareExchange(ref s_shared, new ResilienceRegistry(null, null, isShared: true), null);
            return s_shared;
        }
    }

    /// <summary>The clock of every instance this registry creates.</summary>
    public TimeProvider TimeProvider => _timeProvider;

    /// <summary>Where cache fallbacks keep results.</summary>
    public ICacheFallbackStore CacheStore => _cacheStore;

    /// <summary>Returns the breaker named <paramref name="name"/>, creating it with <paramref name="options"/> on first use.</summary>
    /// <param name="name">The instance name.</param>
    /// <param name="options">The settings; must equal those of an existing instance of that name.</param>
    /// <exception cref="InvalidOperationException">An instance of that name exists with different settings.</exception>
    /// <exception cref="ArgumentException"><paramref name="options"/> are invalid (nothing is registered then).</exception>
    public CircuitBreaker GetOrAddCircuitBreaker(string name, CircuitBreakerOptions options)
    {
        ValidateArguments(name, options);
        return GetOrAdd(InstanceRules.CircuitBreaker, name, options,
            static (registry, name, options) =>
            {
                CircuitBreakerOptions effective = registry.Effective(InstanceRules.CircuitBreaker, name, options);
                return registry.WithInitialState(registry.WithCoordinator(new CircuitBreaker(name, effective, registry._timeProvider, registry.Telemetry), effective));
            });
    }

    /// <summary>Returns the keyed circuit breaker named <paramref name="name"/> (one breaker per key), creating it with <paramref name="options"/> on first use.</summary>
    /// <typeparam name="TKey">The key type; must match that of an existing instance of that name.</typeparam>
    /// <param name="name">The instance name; keyed and unkeyed breakers share the breaker name space.</param>
    /// <param name="options">The settings; must equal those of an existing instance of that name.</param>
    /// <exception cref="InvalidOperationException">An instance of that name exists with different settings or key type, or is not keyed.</exception>
    /// <exception cref="ArgumentException"><paramref name="options"/> are invalid (nothing is registered then).</exception>
    public KeyedCircuitBreaker<TKey> GetOrAddKeyedCircuitBreaker<TKey>(string name, CircuitBreakerOptions options)
        where TKey : notnull
    {
        ValidateArguments(name, options);
        return GetOrAdd(InstanceRules.CircuitBreaker, name, options,
            static (registry, name, options) =>
            {
                CircuitBreakerOptions effective = registry.Effective(InstanceRules.CircuitBreaker, name, options);
                return registry.WithCoordinator(new KeyedCircuitBreaker<TKey>(name, effective, registry._timeProvider, registry.Telemetry), effective);
            });
    }

    /// <summary>Returns the retry strategy named <paramref name="name"/>, creating it with <paramref name="options"/> on first use.</summary>
    /// <param name="name">The instance name.</param>
    /// <param name="options">The settings; must equal those of an existing instance of that name.</param>
    /// <exception cref="InvalidOperationException">An instance of that name exists with different settings.</exception>
    /// <exception cref="ArgumentException"><paramref name="options"/> are invalid (nothing is registered then).</exception>
    public RetryStrategy GetOrAddRetry(string name, RetryOptions options)
    {
        ValidateArguments(name, options);
        return GetOrAdd(InstanceRules.Retry, name, options,
            static (registry, name, options) => CreateConfigured(
                name, "Retry", options, registry.Effective(InstanceRules.Retry, name, options),
                registry, static (name, effective, registry) => registry.CreateRetry(name, effective)));
    }

    /// <summary>Returns the timeout named <paramref name="name"/>, creating it on first use.</summary>
    /// <param name="name">The instance name.</param>
    /// <param name="timeout">The limit; must equal that of an existing instance of that name.</param>
    /// <exception cref="InvalidOperationException">An instance of that name exists with a different limit.</exception>
    /// <exception cref="ArgumentException"><paramref name="timeout"/> is invalid (nothing is registered then).</exception>
    public TimeoutStrategy GetOrAddTimeout(string name, TimeSpan timeout)
    {
        ValidateName(name);
        return GetOrAdd(InstanceRules.Timeout, name, new TimeoutSetting(timeout),
            static (registry, name, setting) => CreateConfigured(
                name, "Timeout", setting, registry.Effective(InstanceRules.Timeout, name, setting),
                registry, static (name, effective, registry) => new TimeoutStrategy(name, effective.Timeout, registry._timeProvider, registry.Telemetry)));
    }

    /// <summary>Returns the bulkhead named <paramref name="name"/>, creating it with <paramref name="options"/> on first use.</summary>
    /// <param name="name">The instance name.</param>
    /// <param name="options">The settings; must equal those of an existing instance of that name.</param>
    /// <exception cref="InvalidOperationException">An instance of that name exists with different settings.</exception>
    /// <exception cref="ArgumentException"><paramref name="options"/> are invalid (nothing is registered then).</exception>
    public Bulkhead GetOrAddBulkhead(string name, BulkheadOptions options)
    {
        ValidateArguments(name, options);
        return GetOrAdd(InstanceRules.Bulkhead, name, options,
            static (registry, name, options) => new Bulkhead(name, registry.Effective(InstanceRules.Bulkhead, name, options), registry._timeProvider, registry.Telemetry));
    }

    /// <summary>Returns the rate limit named <paramref name="name"/>, creating it with <paramref name="options"/> on first use.</summary>
    /// <param name="name">The instance name.</param>
    /// <param name="options">The settings; must equal those of an existing instance of that name.</param>
    /// <exception cref="InvalidOperationException">An instance of that name exists with different settings, or is keyed.</exception>
    /// <exception cref="ArgumentException"><paramref name="options"/> are invalid (nothing is registered then).</exception>
    public RateLimitStrategy GetOrAddRateLimit(string name, RateLimitOptions options)
    {
        ValidateArguments(name, options);
        return GetOrAdd(InstanceRules.RateLimit, name, options,
            static (registry, name, options) => CreateConfigured(
                name, "RateLimit", options, registry.Effective(InstanceRules.RateLimit, name, options),
                registry, static (name, effective, registry) => registry.WithBackend(new RateLimitStrategy(name, effective, registry._timeProvider, registry.Telemetry), effective)));
    }

    /// <summary>Returns the keyed rate limit named <paramref name="name"/>, creating it with <paramref name="options"/> on first use.</summary>
    /// <typeparam name="TKey">The key type; must match that of an existing instance of that name.</typeparam>
    /// <param name="name">The instance name.</param>
    /// <param name="options">The settings; must equal those of an existing instance of that name.</param>
    /// <exception cref="InvalidOperationException">An instance of that name exists with different settings or key type.</exception>
    /// <exception cref="ArgumentException"><paramref name="options"/> are invalid (nothing is registered then).</exception>
    public KeyedRateLimitStrategy<TKey> GetOrAddKeyedRateLimit<TKey>(string name, RateLimitOptions options)
        where TKey : notnull
    {
        ValidateArguments(name, options);
        return GetOrAdd(InstanceRules.RateLimit, name, options,
            static (registry, name, options) => CreateConfigured(
                name, "RateLimit", options, registry.Effective(InstanceRules.RateLimit, name, options),
                registry, static (name, effective, registry) => registry.WithBackend(new KeyedRateLimitStrategy<TKey>(name, effective, registry._timeProvider, registry.Telemetry), effective)));
    }

    /// <summary>Returns the cache fallback named <paramref name="name"/>, creating it with <paramref name="options"/> on first use.</summary>
    /// <param name="name">The instance name.</param>
    /// <param name="options">The settings; must equal those of an existing instance of that name.</param>
    /// <exception cref="InvalidOperationException">An instance of that name exists with different settings.</exception>
    /// <exception cref="ArgumentException"><paramref name="options"/> are invalid (nothing is registered then).</exception>
    public CacheFallbackStrategy GetOrAddCacheFallback(string name, CacheFallbackOptions options)
    {
        ValidateArguments(name, options);
        return GetOrAdd(InstanceRules.CacheFallback, name, options,
            static (registry, name, options) => CreateConfigured(
                name, "CacheFallback", options, registry.Effective(InstanceRules.CacheFallback, name, options),
                registry, static (name, effective, registry) => new CacheFallbackStrategy(name, effective, registry._cacheStore, registry._timeProvider, registry.Telemetry)));
    }

    /// <summary>Finds an existing breaker by name.</summary>
    /// <param name="name">The instance name.</param>
    /// <param name="breaker">The breaker, when found.</param>
    /// <remarks>A keyed breaker of that name is not found here; use <see cref="TryGetKeyedCircuitBreaker{TKey}"/>.</remarks>
    public bool TryGetCircuitBreaker(string name, [NotNullWhen(true)] out CircuitBreaker? breaker)
    {
        TryGet(InstanceRules.CircuitBreaker, name, out object? instance);
        breaker = instance as CircuitBreaker;
        return breaker is not null;
    }

    /// <summary>Finds an existing keyed breaker by name and key type, for example to inspect one key's breaker with <see cref="KeyedCircuitBreaker{TKey}.TryGet"/>.</summary>
    /// <typeparam name="TKey">The key type it was created with.</typeparam>
    /// <param name="name">The instance name.</param>
    /// <param name="breaker">The keyed breaker, when found with that key type.</param>
    public bool TryGetKeyedCircuitBreaker<TKey>(string name, [NotNullWhen(true)] out KeyedCircuitBreaker<TKey>? breaker)
        where TKey : notnull
    {
        TryGet(InstanceRules.CircuitBreaker, name, out object? instance);
        breaker = instance as KeyedCircuitBreaker<TKey>;
        return breaker is not null;
    }

    /// <summary>Finds an existing bulkhead by name.</summary>
    /// <param name="name">The instance name.</param>
    /// <param name="bulkhead">The bulkhead, when found.</param>
    public bool TryGetBulkhead(string name, [NotNullWhen(true)] out Bulkhead? bulkhead) => TryGet(InstanceRules.Bulkhead, name, out bulkhead);

    /// <summary>Finds an existing retry strategy by name.</summary>
    /// <param name="name">The instance name.</param>
    /// <param name="retry">The retry strategy, when found.</param>
    public bool TryGetRetry(string name, [NotNullWhen(true)] out RetryStrategy? retry) => TryGet(InstanceRules.Retry, name, out retry);

    /// <summary>Finds an existing cache fallback by name, for example to watch <see cref="CacheFallbackStrategy.StaleResultServed"/>.</summary>
    /// <param name="name">The instance name.</param>
    /// <param name="cacheFallback">The cache fallback, when found.</param>
    public bool TryGetCacheFallback(string name, [NotNullWhen(true)] out CacheFallbackStrategy? cacheFallback) => TryGet(InstanceRules.CacheFallback, name, out cacheFallback);

    /// <summary>
    /// Disposes the rate limits and keyed circuit breakers this registry created and its telemetry (meter and activity
    /// source), and shuts down its worker-pool bulkheads (waiting calls are rejected with
    /// <see cref="BulkheadRejectionReason.ShutDown"/>, and their worker threads end); afterwards creating an instance throws
    /// <see cref="ObjectDisposedException"/> (existing ones are still returned). Does nothing on <see cref="Shared"/>.
    /// </summary>
    public void Dispose()
    {
        if (_isShared)
        {
            return;
        }

        lock (_createLock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
        }

        _optionsSubscription?.Dispose();
        DisposeRejectionWatches();
        foreach (IRegisteredInstance entry in _instances.All())
        {
            switch (entry.Instance)
            {
                case Bulkhead { Kind: BulkheadKind.WorkerPool } pool:
                    pool.ShutDown();
                    break;
                case IDisposable disposable when entry.Kind is InstanceKind.RateLimit or InstanceKind.CircuitBreaker:
                    disposable.Dispose(); // rate limits and keyed breakers
                    break;
            }
        }

        Volatile.Read(ref _telemetry)?.Dispose();
    }

    private bool TryGet<TInstance, TOptions>(InstanceRules<TInstance, TOptions> rules, string name, [NotNullWhen(true)] out TInstance? instance)
        where TInstance : class
        where TOptions : class
    {
        ValidateName(name);
        instance = _instances.TryGet(rules, name, out Registration<TInstance, TOptions>? registration) ? registration.Instance : null;
        return instance is not null;
    }

    private static void ValidateName(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
    }

    private static void ValidateArguments(string name, object options)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(options);
    }

    /// <summary>
    /// The instance registered under <paramref name="name"/> in the kind of <paramref name="rules"/>, created by
    /// <paramref name="create"/> under the creation lock on first use. An existing instance must be a
    /// <typeparamref name="TResult"/> (keyed the same way) with equal settings: two declarations of one name must agree.
    /// </summary>
    private TResult GetOrAdd<TInstance, TOptions, TResult>(
        InstanceRules<TInstance, TOptions> rules,
        string name,
        TOptions options,
        Func<ResilienceRegistry, string, TOptions, TResult> create)
        where TInstance : class
        where TOptions : class, IEquatable<TOptions>
        where TResult : class, TInstance
    {
        if (!_instances.TryGet(rules, name, out Registration<TInstance, TOptions>? registration))
        {
            lock (_createLock)
            {
                ThrowIfDisposed();
                if (!_instances.TryGet(rules, name, out registration))
                {
                    TResult created = create(this, name, options);
                    _instances.Add(new Registration<TInstance, TOptions>(name, created, options, rules));
                    return created;
                }
            }
        }

        if (registration.Instance is not TResult existing)
        {
            rules.Validate(name, options);
            throw new InvalidOperationException(
                $"Two declarations of the {rules.Description} '{name}' disagree: it was created {DescribeKey(registration.Instance.GetType())}, "
                + $"and is now asked for {DescribeKey(typeof(TResult))}. Declare it the same way everywhere (same KeyParameter type), or give the declarations different names.");
        }

        EnsureSameSettings(rules, name, registration.Options, options);
        return existing;
    }

    private static void EnsureSameSettings<TInstance, TOptions>(InstanceRules<TInstance, TOptions> rules, string name, TOptions existing, TOptions requested)
        where TInstance : class
        where TOptions : class, IEquatable<TOptions>
    {
        if (ReferenceEquals(existing, requested) || existing.Equals(requested))
        {
            return;
        }

        // Invalid settings are reported as such (as for a new name), not as a disagreement with the first declaration;
        // only on this mismatch path, so a lookup with the settings of the existing instance pays nothing.
        rules.Validate(name, requested);

        // The options classes do not describe themselves, except the small ones we render here.
        string detail = existing is TimeoutSetting or CacheFallbackOptions
            ? $" (first created with {existing}, now asked for with {requested})"
            : string.Empty;
        throw new InvalidOperationException(
            $"Two declarations of the {rules.Description} '{name}' disagree: it was first created with different settings than this one{detail}. "
            + $"One name means one shared instance, so give every declaration of '{name}' the same settings, or give them different names.");
    }

    /// <summary>"keyed by System.String" for a keyed strategy type, "without a key" otherwise.</summary>
    private static string DescribeKey(Type strategyType)
        => strategyType.IsGenericType ? $"keyed by {strategyType.GetGenericArguments()[0]}" : "without a key";

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);

    /// <summary>The declared settings of <paramref name="name"/> with its configured overrides applied (validated by the caller's constructor).</summary>
    private TOptions Effective<TInstance, TOptions>(InstanceRules<TInstance, TOptions> rules, string name, TOptions declared)
        where TInstance : class
        where TOptions : class
        => rules.Effective(Volatile.Read(ref _overrides), name, declared);

    /// <summary>
    /// Creates an instance with the settings <paramref name="effective"/> (the declared ones with the configured
    /// overrides). When only the overrides make them invalid (a configured value that does not fit a declared one, which
    /// the validator cannot see), throws <see cref="InvalidOperationException"/> naming the configuration path.
    /// </summary>
    private static TResult CreateConfigured<TSettings, TResult>(
        string name, string section, TSettings declared, TSettings effective, ResilienceRegistry registry, Func<string, TSettings, ResilienceRegistry, TResult> create)
        where TSettings : class
    {
        if (ReferenceEquals(declared, effective))
        {
            return create(name, declared, registry);
        }

        try
        {
            return create(name, effective, registry);
        }
        catch (ArgumentException exception)
        {
            throw new InvalidOperationException(
                $"{ResilienceOptions.SectionName}:Instances:{name}:{section}:{exception.ParamName}: {ResilienceOptionsValidator.Describe(exception)} "
                + $"The configured overrides of '{name}' do not fit its declared settings; change the configuration (or the attribute).",
                exception);
        }
    }

    /// <summary>Whether logs may include argument values (<see cref="ResilienceLoggingOptions.IncludeArgumentValues"/> of the current options).</summary>
    internal bool LogArgumentValues => Volatile.Read(ref _overrides)?.Logging.IncludeArgumentValues == true;

    /// <summary>
    /// Configuration changed: reconfigures every instance from its declared settings plus the new overrides (an instance
    /// whose overrides were removed goes back to its declared settings). An instance whose new settings are invalid
    /// keeps its current ones (validation at reload reports them).
    /// </summary>
    private void OnOptionsChanged(ResilienceOptions options, string? name)
    {
        if (name is not null && name.Length != 0)
        {
            return; // a named ResilienceOptions instance, not the one the registry uses
        }

        List<string>? failures = null;
        lock (_createLock)
        {
            if (_disposed)
            {
                return;
            }

            Volatile.Write(ref _overrides, options);
            ReconfigureChaos(options, ref failures);
            foreach (IRegisteredInstance entry in _instances.All())
            {
                KeepCurrentIfInvalid(entry, options, ref failures);
            }
        }

        if (failures is not null)
        {
            ReportRejected(failures, exception: null);
        }
    }

    /// <summary>
    /// Runs one instance's reconfiguration on reload. Settings that are invalid only together with the declared ones
    /// (the validator cannot see those) throw <see cref="ArgumentException"/>: the instance then keeps its current
    /// settings, and the path and reason are added to <paramref name="failures"/> (reported after the lock is left).
    /// </summary>
    private static void KeepCurrentIfInvalid(IRegisteredInstance entry, ResilienceOptions options, ref List<string>? failures)
    {
        try
        {
            entry.Reconfigure(options);
        }
        catch (ArgumentException exception)
        {
            (failures ??= []).Add(
                $"{ResilienceOptions.SectionName}:Instances:{entry.Name}:{entry.Section}:{exception.ParamName}: {ResilienceOptionsValidator.Describe(exception)} "
                + $"The configured overrides of '{entry.Name}' do not fit its declared settings; it keeps its current settings.");
        }
    }
}
