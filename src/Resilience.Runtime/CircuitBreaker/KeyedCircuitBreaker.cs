using System.Diagnostics.CodeAnalysis;

namespace Resilience;

/// <summary>
/// One <see cref="CircuitBreaker"/> per key (per downstream host, per tenant), so one failing key opens only its own
/// circuit. Keys are created on first use and held in a bounded table: at most <see cref="CircuitBreakerOptions.MaxKeys"/>
/// at once, and idle keys are evicted. A <see langword="null"/> key is a key of its own.
/// </summary>
/// <remarks>
/// <para>
/// Every key's breaker has the same settings and name (the keyed breaker's). Acquiring for a key that exists is
/// lock-free on the key table and allocates nothing while its circuit is closed; the first use of a key takes a short
/// lock and allocates its breaker.
/// </para>
/// <para>
/// Eviction: a key counts as idle when it has not been used for <see cref="CircuitBreakerOptions.KeyIdleTimeout"/> AND
/// its breaker is closed with no lease outstanding, so idle eviction never closes an open circuit early nor loses a call
/// in flight. A timer on the <see cref="TimeProvider"/> sweeps idle keys every <c>KeyIdleTimeout / 2</c> (at least
/// 1 second, at most 1 day). When a new key would exceed <see cref="CircuitBreakerOptions.MaxKeys"/>, idle keys are
/// evicted first, then the least recently used ones whatever their state (the hard bound on memory), until about 90 %
/// of <see cref="CircuitBreakerOptions.MaxKeys"/> remain. An evicted key starts afresh, closed, when used again; outcomes
/// of calls still in flight on a key evicted as least recently used are recorded on its old breaker and lost.
/// </para>
/// <para>
/// A custom <see cref="CircuitBreakerOptions.TripPolicy"/> instance is shared by every key's breaker.
/// </para>
/// </remarks>
/// <typeparam name="TKey">The key type.</typeparam>
public sealed class KeyedCircuitBreaker<TKey> : IDisposable, IKeyedCircuitBreaker, IKeyStateCounts
    where TKey : notnull
{
    private readonly Table _table;

    // Keys held per state (index: CircuitState), kept by key creation, removal and state changes under _countsGate.
    private readonly long[] _keysInState = new long[4];
    private readonly object _countsGate = new();
    private readonly EventHandler<CircuitStateChangedEventArgs> _onKeyStateChanged;

    /// <summary>Creates the keyed breaker; no key exists yet.</summary>
    /// <param name="name">The name of every key's breaker, used in exceptions and events.</param>
    /// <param name="options">Settings of every key's breaker, and <see cref="CircuitBreakerOptions.MaxKeys"/> and <see cref="CircuitBreakerOptions.KeyIdleTimeout"/>; validated here and copied.</param>
    /// <param name="timeProvider">The clock; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="name"/> or <paramref name="options"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">A setting in <paramref name="options"/> is invalid (see <see cref="CircuitBreakerOptions.Validate"/>).</exception>
    public KeyedCircuitBreaker(string name, CircuitBreakerOptions options, TimeProvider? timeProvider = null)
        : this(name, options, timeProvider, telemetry: null)
    {
    }

    /// <summary>Creates the keyed breaker reporting its rejections and every key's transitions to <paramref name="telemetry"/> (a registry's).</summary>
    internal KeyedCircuitBreaker(string name, CircuitBreakerOptions options, TimeProvider? timeProvider, ResilienceTelemetry? telemetry)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Name = name;
        Telemetry = telemetry;
        _onKeyStateChanged = OnKeyStateChanged;
        CircuitBreakerOptions copy = Copy(options);
        _table = new Table(this, timeProvider ?? TimeProvider.System, copy);
    }

    /// <summary>
    /// Raised after the circuit of any key changed state, outside the breaker's lock, on the thread that caused it;
    /// <see cref="CircuitStateChangedEventArgs.Key"/> says which key. The registry's
    /// <see cref="ResilienceRegistry.OnBreakerStateChanged"/> reports the same changes for a keyed breaker it created.
    /// </summary>
    public event EventHandler<CircuitStateChangedEventArgs>? StateChanged;

    /// <summary>The name of every key's breaker.</summary>
    public string Name { get; }

    /// <summary>Where rejections and state changes are reported: the registry's that created the instance (given to the constructor).</summary>
    internal ResilienceTelemetry? Telemetry { get; }

    /// <summary>Shares the circuits of the keys it names (<see cref="CircuitBreakerCoordinator.SharesKey"/>); set before the breaker is handed out, if at all.</summary>
    internal CircuitBreakerCoordinator? Coordinator { get; set; }

    /// <summary>Keys currently held; never above <see cref="CircuitBreakerOptions.MaxKeys"/>.</summary>
    public int KeyCount => _table.Count;

    /// <summary>Asks to make a call for <paramref name="key"/>; throws <see cref="BrokenCircuitException"/> when the key's circuit rejects it.</summary>
    /// <param name="key">The key; <see langword="null"/> is a key of its own.</param>
    /// <returns>The lease on which to record the call's outcome exactly once.</returns>
    /// <exception cref="BrokenCircuitException">The key's circuit is open, half-open with every probe slot taken, or isolated.</exception>
    /// <exception cref="ObjectDisposedException">The keyed breaker was disposed.</exception>
    public CircuitBreakerLease Acquire(TKey? key)
    {
        if (TryAcquire(key, out CircuitBreakerLease lease, out BrokenCircuitException? rejection))
        {
            return lease;
        }

        throw rejection;
    }

    /// <summary>
    /// Asks to make a call for <paramref name="key"/>; when the key's circuit rejects it, hands back the
    /// <see cref="BrokenCircuitException"/> that <see cref="Acquire"/> would throw, without throwing it (reported to
    /// telemetry once, as by <see cref="Acquire"/>).
    /// </summary>
    /// <param name="key">The key; <see langword="null"/> is a key of its own.</param>
    /// <param name="lease">On success, the lease on which to record the call's outcome exactly once; otherwise the default lease, which records nothing.</param>
    /// <param name="rejection">
    /// On rejection, the not-yet-thrown exception: the key's circuit is open, half-open with every probe slot taken, or
    /// isolated; <see langword="null"/> on success.
    /// </param>
    /// <returns><see langword="true"/> when the call may go ahead.</returns>
    /// <exception cref="ObjectDisposedException">The keyed breaker was disposed.</exception>
    public bool TryAcquire(TKey? key, out CircuitBreakerLease lease, [NotNullWhen(false)] out BrokenCircuitException? rejection)
    {
        if (TryAcquireCore(key, out lease, out CircuitBreaker breaker, out CircuitState state, out TimeSpan? retryAfter))
        {
            rejection = null;
            return true;
        }

        rejection = new BrokenCircuitException(breaker.Name, state, retryAfter);
        Telemetry?.OnRejected(Name, "circuit_breaker", rejection, key, keyed: true);
        return false;
    }

    /// <summary>Asks to make a call for <paramref name="key"/>. Returns <see langword="false"/> when the key's circuit rejects it.</summary>
    /// <param name="key">The key; <see langword="null"/> is a key of its own.</param>
    /// <param name="lease">On success, the lease on which to record the call's outcome exactly once.</param>
    /// <exception cref="ObjectDisposedException">The keyed breaker was disposed.</exception>
    public bool TryAcquire(TKey? key, out CircuitBreakerLease lease) => TryAcquireCore(key, out lease, out _, out _, out _);

    /// <summary>Finds the breaker of an existing key, for inspection (state, counts) or <see cref="CircuitBreaker.Isolate"/>; creates nothing.</summary>
    /// <param name="key">The key; <see langword="null"/> is a key of its own.</param>
    /// <param name="breaker">The key's breaker, when the key is held.</param>
    /// <remarks>Does not count as a use of the key. A breaker found here is no longer the key's once the key is evicted.</remarks>
    public bool TryGet(TKey? key, [NotNullWhen(true)] out CircuitBreaker? breaker)
    {
        if (!_table.TryGetValue(key, out KeyedCircuitBreakerEntry? entry))
        {
            breaker = null;
            return false;
        }

        if (!entry.HasKey)
        {
            entry.AssignKey(key);
        }

        breaker = entry.Breaker;
        return true;
    }

    /// <inheritdoc />
    long IKeyStateCounts.KeysIn(CircuitState state)
    {
        lock (_countsGate)
        {
            return _keysInState[(int)state];
        }
    }

    /// <inheritdoc />
    void IKeyStateCounts.CopyKeysInStates(Span<long> destination)
    {
        lock (_countsGate)
        {
            _keysInState.CopyTo(destination);
        }
    }

    /// <summary>Stops the idle sweep and forgets every key; afterwards <see cref="Acquire"/> and the <c>TryAcquire</c> overloads throw <see cref="ObjectDisposedException"/>.</summary>
    public void Dispose() => _table.Dispose();

    /// <inheritdoc />
    void IKeyedCircuitBreaker.Reconfigure(CircuitBreakerOptions options) => Reconfigure(options);

    /// <inheritdoc cref="IKeyedCircuitBreaker.Reconfigure"/>
    internal void Reconfigure(CircuitBreakerOptions options)
    {
        options.Validate();
        CircuitBreakerOptions copy = Copy(options);
        _table.Reconfigure(copy, copy.MaxKeys, copy.KeyIdleTimeout);
    }

    /// <summary>Runs the idle sweep now (the timer runs it every <c>KeyIdleTimeout / 2</c>).</summary>
    internal void SweepIdle() => _table.SweepIdle();

    private static CircuitBreakerOptions Copy(CircuitBreakerOptions options) => new()
    {
        FailureThreshold = options.FailureThreshold,
        FailureRatio = options.FailureRatio,
        TimeoutRatio = options.TimeoutRatio,
        MinimumThroughput = options.MinimumThroughput,
        SamplingDuration = options.SamplingDuration,
        BreakDuration = options.BreakDuration,
        HalfOpenMaxCalls = options.HalfOpenMaxCalls,
        Handle = options.Handle is { } handle ? new List<Type>(handle).AsReadOnly() : null,
        TripPolicy = options.TripPolicy,
        MaxKeys = options.MaxKeys,
        KeyIdleTimeout = options.KeyIdleTimeout,
        SuccessThreshold = options.SuccessThreshold,
        Interval = options.Interval,
        HandleException = options.HandleException,
    };

    private bool TryAcquireCore(TKey? key, out CircuitBreakerLease lease, out CircuitBreaker breaker, out CircuitState rejectedIn, out TimeSpan? retryAfter)
    {
        while (true)
        {
            KeyedCircuitBreakerEntry entry = _table.GetOrAdd(key);
            breaker = entry.Breaker;
            if (!entry.HasKey)
            {
                // Once per key: state-change events name the key; a shared key's circuit gets the coordinator.
                AssignKey(entry, key);
            }

            if (!entry.TryEnterLease())
            {
                // The key was evicted as idle between lookup and acquire: use its new breaker.
                continue;
            }

            bool granted = false;
            try
            {
                granted = breaker.TryAcquireReporting(out lease, out rejectedIn, out retryAfter);
            }
            finally
            {
                if (!granted)
                {
                    entry.ExitLease();
                }
            }

            return granted;
        }
    }

    private void AssignKey(KeyedCircuitBreakerEntry entry, TKey? key)
    {
        if (Coordinator is not { } coordinator)
        {
            entry.AssignKey(key);
            return;
        }

        lock (entry)
        {
            if (!entry.HasKey)
            {
                object? boxed = key;
                if (coordinator.SharesKey(boxed))
                {
                    entry.Breaker.Coordinator = coordinator;
                    coordinator.Attach(entry.Breaker, boxed);
                }

                entry.AssignKey(boxed);
            }
        }
    }

    private void OnKeyAdded(KeyedCircuitBreakerEntry entry)
    {
        entry.Breaker.StateChanged += _onKeyStateChanged;
        lock (_countsGate)
        {
            entry.CountedState = (int)CircuitState.Closed;
            _keysInState[(int)CircuitState.Closed]++;
        }
    }

    private void OnKeyRemoved(KeyedCircuitBreakerEntry entry)
    {
        lock (_countsGate)
        {
            if (entry.CountedState >= 0)
            {
                _keysInState[entry.CountedState]--;
                entry.CountedState = -1;
            }
        }
    }

    private void OnKeyStateChanged(object? sender, CircuitStateChangedEventArgs args)
    {
        var breaker = (CircuitBreaker)sender!;
        KeyedCircuitBreakerEntry entry = breaker.Entry!;
        lock (_countsGate)
        {
            // Count the state as stored now, not the event's: changes on several threads may be raised out of order,
            // and the last one raised still leaves the counts right. A removed key's late changes are not counted.
            int counted = entry.CountedState;
            int now = (int)breaker.StoredState;
            if (counted >= 0 && counted != now)
            {
                _keysInState[counted]--;
                _keysInState[now]++;
                entry.CountedState = now;
            }
        }

        Telemetry?.OnBreakerStateChanged(args);
        StateChanged?.Invoke(this, args);
    }

    /// <summary>The key table: a key's breaker counts leases, is evictable as idle only when closed with no lease in flight, and is reconfigured with the keyed breaker.</summary>
    private sealed class Table : BoundedKeyTable<TKey, KeyedCircuitBreakerEntry, CircuitBreakerOptions>
    {
        private readonly KeyedCircuitBreaker<TKey> _owner;
        private readonly TimeProvider _timeProvider;

        public Table(KeyedCircuitBreaker<TKey> owner, TimeProvider timeProvider, CircuitBreakerOptions options)
            : base(owner, timeProvider, options, options.MaxKeys, options.KeyIdleTimeout)
        {
            _owner = owner;
            _timeProvider = timeProvider;
        }

        protected override KeyedCircuitBreakerEntry CreateValueLocked(CircuitBreakerOptions settings)
        {
            var entry = new KeyedCircuitBreakerEntry(_owner.Name, settings, _timeProvider, _owner.Telemetry);
            _owner.OnKeyAdded(entry);
            return entry;
        }

        protected override bool TryRetireIfIdleLocked(KeyedCircuitBreakerEntry value) => value.TryRetireIfIdle();

        protected override void OnRemovedLocked(KeyedCircuitBreakerEntry value)
        {
            // A breaker holds no resources; calls still in flight on it record their outcomes there (and its state
            // changes are still reported, but no longer counted among the held keys).
            _owner.OnKeyRemoved(value);
        }

        protected override void ReconfigureValueLocked(KeyedCircuitBreakerEntry value, CircuitBreakerOptions settings)
            => value.Breaker.Reconfigure(settings);
    }
}
