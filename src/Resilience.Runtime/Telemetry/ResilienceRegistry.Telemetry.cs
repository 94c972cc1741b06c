using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;

namespace Resilience;

/// <content>Telemetry: the meter and activity source, the events, logging, and the hooks on the instances it creates.</content>
public sealed partial class ResilienceRegistry
{
    private readonly IMeterFactory? _meterFactory;
    private readonly ILoggerFactory? _loggerFactory;
    private ResilienceTelemetry? _telemetry;

    // Under _createLock while the telemetry is being created: a listener notified by that creation may read Telemetry.
    private bool _creatingTelemetry;
    private ResilienceTelemetry? _telemetryBeingPublished;

    /// <summary>Creates a registry whose meter comes from <paramref name="meterFactory"/> and that logs through <paramref name="loggerFactory"/>.</summary>
    /// <param name="timeProvider">The clock of every instance it creates; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    /// <param name="cacheStore">Where cache fallbacks keep results; a new <see cref="InMemoryCacheFallbackStore"/> when <see langword="null"/>.</param>
    /// <param name="meterFactory">Creates the "Resilience" meter (DI's factory, so the meter is disposed with the container); a meter of the registry's own when <see langword="null"/>.</param>
    /// <param name="loggerFactory">Where retries, breaker transitions, rejections, timeouts, fallbacks and stale cache answers are logged (category "Resilience"); no logging when <see langword="null"/>.</param>
    /// <param name="options">
    /// Overrides of the declared settings per instance name (see <see cref="ResilienceOptions"/>), applied when an instance
    /// is created and followed on every change; <see langword="null"/>: none.
    /// </param>
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException">The current options are invalid (see <see cref="ResilienceOptionsValidator"/>).</exception>
    public ResilienceRegistry(
        TimeProvider? timeProvider,
        ICacheFallbackStore? cacheStore,
        IMeterFactory? meterFactory,
        ILoggerFactory? loggerFactory = null,
        Microsoft.Extensions.Options.IOptionsMonitor<ResilienceOptions>? options = null)
        : this(timeProvider, cacheStore, isShared: false)
    {
        _meterFactory = meterFactory;
        _loggerFactory = loggerFactory;
        if (options is not null)
        {
            _overrides = options.CurrentValue;
            _optionsSubscription = options.OnChange(OnOptionsChanged);
        }
    }

    /// <summary>Raised before a failed attempt of a generated method is retried (on the calling thread; keep handlers short and non-throwing).</summary>
    public event EventHandler<RetryEventArgs>? OnRetry;

    /// <summary>
    /// Raised after a circuit breaker of this registry changed state (on the thread that caused the change), one key's
    /// circuit of a keyed breaker included (<see cref="CircuitStateChangedEventArgs.Key"/> names it).
    /// </summary>
    public event EventHandler<CircuitStateChangedEventArgs>? OnBreakerStateChanged;

    /// <summary>Raised when a rate limit, bulkhead or circuit breaker of this registry rejects a call.</summary>
    public event EventHandler<RejectedEventArgs>? OnRejected;

    /// <summary>Raised when a generated method's fallback answers a failure.</summary>
    public event EventHandler<FallbackEventArgs>? OnFallback;

    /// <summary>The metrics and traces of every instance this registry creates and of the decorators that use it. Created on first use.</summary>
    /// <remarks>
    /// May be read from a <see cref="MeterListener.InstrumentPublished"/> callback, also while the registry is publishing
    /// its own instruments (then it returns the telemetry being created, whose <see cref="ResilienceTelemetry.Meter"/> and
    /// <see cref="ResilienceTelemetry.ActivitySource"/> are set). Reading it from an
    /// <see cref="System.Diagnostics.ActivityListener.ShouldListenTo"/> callback while the registry creates its activity
    /// source throws <see cref="InvalidOperationException"/> (compare the source's name with
    /// <see cref="ResilienceTelemetry.Name"/> there instead).
    /// </remarks>
    /// <exception cref="InvalidOperationException">Read re-entrantly while the activity source is being created.</exception>
    public ResilienceTelemetry Telemetry
    {
        get
        {
            ResilienceTelemetry? telemetry = Volatile.Read(ref _telemetry);
            if (telemetry is not null)
            {
                return telemetry;
            }

            lock (_createLock)
            {
                if (_telemetry is { } created)
                {
                    return created;
                }

                if (_creatingTelemetry)
                {
                    // Re-entered on this thread (the lock is re-entrant) by a listener that the new meter's or activity
                    // source's creation notified: hand out the instance being built instead of building another one
                    // (which would notify the listener again, without end).
                    return _telemetryBeingPublished ?? throw new InvalidOperationException(
                        "ResilienceRegistry.Telemetry was read while the registry creates its ActivitySource, from an "
                        + "ActivityListener.ShouldListenTo callback. In that callback compare the source's Name with "
                        + "ResilienceTelemetry.Name (\"Resilience\") instead, or read registry.Telemetry once before adding the listener.");
                }

                _creatingTelemetry = true;
                try
                {
                    created = new ResilienceTelemetry(this, _meterFactory, _loggerFactory);
                    Volatile.Write(ref _telemetry, created);
                    return created;
                }
                finally
                {
                    _creatingTelemetry = false;
                    _telemetryBeingPublished = null;
                }
            }
        }
    }

    /// <summary>
    /// Called by the <see cref="ResilienceTelemetry"/> constructor once its meter and activity source exist, before it
    /// publishes its instruments, so that a listener notified of them can read <see cref="Telemetry"/>.
    /// </summary>
    internal void OnTelemetryPublishing(ResilienceTelemetry telemetry) => _telemetryBeingPublished = telemetry;

    internal void RaiseRetry(CallTelemetry call, string instanceName, int attempt, TimeSpan delay, Exception? exception)
        => OnRetry?.Invoke(this, new RetryEventArgs(instanceName, call.InterfaceName, call.MethodName, attempt, delay, exception) { OperationName = call.OperationName });

    internal void RaiseBreakerStateChanged(CircuitStateChangedEventArgs args) => OnBreakerStateChanged?.Invoke(this, args);

    internal void RaiseRejected(string instanceName, string strategy, ResilienceRejectedException exception)
        => OnRejected?.Invoke(this, new RejectedEventArgs(instanceName, strategy, exception));

    internal void RaiseFallback(CallTelemetry call, Exception exception)
        => OnFallback?.Invoke(this, new FallbackEventArgs(call.InterfaceName, call.MethodName, exception) { OperationName = call.OperationName });

    internal IEnumerable<Measurement<int>> ObserveBreakerStates()
    {
        var measurements = new List<Measurement<int>>();
        foreach (Registration<object, CircuitBreakerOptions> registration in _instances.OfKind(InstanceRules.CircuitBreaker))
        {
            // Keyed breakers hold one breaker per key; their states are not reported as one instance's.
            if (registration.Instance is not CircuitBreaker breaker)
            {
                continue;
            }

            measurements.Add(new Measurement<int>(
                (int)breaker.State,
                new KeyValuePair<string, object?>(ResilienceTelemetry.InstanceTag, registration.Name),
                new KeyValuePair<string, object?>(ResilienceTelemetry.StrategyTag, "circuit_breaker")));
        }

        return measurements;
    }

    internal IEnumerable<Measurement<long>> ObserveKeyStates()
    {
        var measurements = new List<Measurement<long>>();
        foreach (Registration<object, CircuitBreakerOptions> registration in _instances.OfKind(InstanceRules.CircuitBreaker))
        {
            if (registration.Instance is not IKeyStateCounts keyed)
            {
                continue;
            }

            for (CircuitState state = CircuitState.Closed; state <= CircuitState.Isolated; state++)
            {
                measurements.Add(new Measurement<long>(
                    keyed.KeysIn(state),
                    new KeyValuePair<string, object?>(ResilienceTelemetry.InstanceTag, registration.Name),
                    new KeyValuePair<string, object?>(ResilienceTelemetry.StrategyTag, "circuit_breaker"),
                    new KeyValuePair<string, object?>(ResilienceTelemetry.StateTag, ResilienceTelemetry.StateName(state))));
            }
        }

        return measurements;
    }

    // Telemetry reaches an instance through its constructor: the registry's create callbacks (ResilienceRegistry.cs) and
    // ResilientCallBuilder pass Telemetry (created then, if it was not yet: as before, creating an instance publishes the
    // instruments) to an internal constructor, and the instance never has its telemetry changed afterwards. An instance
    // made with a public constructor has none, except as AdoptHandMade below records.

    /// <summary>
    /// Puts a new breaker into the state that <see cref="SetBreakerState"/> asked for before it existed, if any (not
    /// telemetry: a state, given right after construction, before the breaker is handed out).
    /// </summary>
    internal CircuitBreaker WithInitialState(CircuitBreaker breaker)
    {
        if (_initialBreakerStates?.TryRemove(breaker.Name, out CircuitState state) == true)
        {
            breaker.ForceState(state);
        }

        return breaker;
    }

    private System.Collections.Concurrent.ConcurrentDictionary<string, CircuitState>? _initialBreakerStates;

    /// <summary>
    /// Puts the breaker <paramref name="name"/> into <paramref name="state"/>: at once when it exists, else when it is
    /// created (Resilience.Testing, to set a state before the first call). Returns whether it existed.
    /// </summary>
    internal bool SetBreakerState(string name, CircuitState state)
    {
        lock (_createLock)
        {
            if (TryGetCircuitBreaker(name, out CircuitBreaker? breaker))
            {
                breaker.ForceState(state);
                return true;
            }

            (_initialBreakerStates ??= new(StringComparer.Ordinal))[name] = state;
            return false;
        }
    }

    /// <summary>The retry named <paramref name="name"/> with <paramref name="options"/>, reporting to this registry, drawing from its budget of <see cref="RetryOptions.Budget"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="options"/> are invalid (no budget is created then).</exception>
    internal RetryStrategy CreateRetry(string name, RetryOptions options)
    {
        options.Validate();
        return new RetryStrategy(name, options, _timeProvider, Telemetry, options.Budget is { } budget ? GetOrAddRetryBudget(budget) : null);
    }

    /// <summary>
    /// Lets the instances handed to a <see cref="ResilientCallBuilder{T}"/> that report to no registry (made with a public
    /// constructor) report their rejections, timeouts and transitions to this registry's telemetry from now on; an
    /// instance is adopted once, by the first registry.
    /// </summary>
    /// <remarks>
    /// The one path where telemetry is not given by a constructor, because it cannot be: the instance existed before any
    /// registry saw it (documented on <see cref="ResilientCallBuilder{T}"/>). It is not changed either: the adoption is
    /// recorded in <see cref="AdoptedTelemetry"/>, which such an instance (only one whose constructor got no telemetry)
    /// consults when it reports something, never on a call that goes through.
    /// </remarks>
    internal void AdoptHandMade(CircuitBreaker? breaker, Bulkhead? bulkhead, RateLimitStrategy? rateLimit, TimeoutStrategy? timeout)
    {
        ResilienceTelemetry telemetry = Telemetry;
        AdoptedTelemetry.Adopt(breaker?.OwnTelemetry is null ? breaker : null, telemetry);
        AdoptedTelemetry.Adopt(bulkhead?.OwnTelemetry is null ? bulkhead : null, telemetry);
        AdoptedTelemetry.Adopt(rateLimit?.OwnTelemetry is null ? rateLimit : null, telemetry);
        AdoptedTelemetry.Adopt(timeout?.OwnTelemetry is null ? timeout : null, telemetry);
    }

    private readonly ConcurrentDictionary<string, WorkerPool> _workerPools = new(StringComparer.Ordinal);

    /// <summary>
    /// Counts <paramref name="pool"/> (made with this registry's telemetry by <c>AddWorkerPool</c>) in the
    /// <c>resilience.bulkhead.queued</c> gauge.
    /// </summary>
    /// <exception cref="InvalidOperationException">Another pool of that name is already registered.</exception>
    internal WorkerPool AddWorkerPool(WorkerPool pool)
    {
        if (!_workerPools.TryAdd(pool.Name, pool) && !ReferenceEquals(_workerPools[pool.Name], pool))
        {
            throw new InvalidOperationException($"A worker pool named '{pool.Name}' is already registered; give each pool its own name.");
        }

        return pool;
    }

    internal IEnumerable<Measurement<int>> ObserveQueued()
    {
        var measurements = new List<Measurement<int>>();
        foreach (Registration<Bulkhead, BulkheadOptions> registration in _instances.OfKind(InstanceRules.Bulkhead))
        {
            measurements.Add(new Measurement<int>(
                registration.Instance.QueuedCount,
                new KeyValuePair<string, object?>(ResilienceTelemetry.InstanceTag, registration.Name),
                new KeyValuePair<string, object?>(ResilienceTelemetry.StrategyTag, "bulkhead")));
        }

        foreach (KeyValuePair<string, WorkerPool> pair in _workerPools)
        {
            measurements.Add(new Measurement<int>(
                pair.Value.QueuedCount,
                new KeyValuePair<string, object?>(ResilienceTelemetry.InstanceTag, pair.Key),
                new KeyValuePair<string, object?>(ResilienceTelemetry.StrategyTag, "worker_pool")));
        }

        return measurements;
    }
}
