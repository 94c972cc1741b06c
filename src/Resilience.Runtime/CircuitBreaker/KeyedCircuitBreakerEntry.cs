namespace Resilience;

/// <summary>
/// One key of a <see cref="KeyedCircuitBreaker{TKey}"/>: the key's breaker and what only the keyed breaker keeps about
/// it (the key named in its events, the state it is counted in, the leases in flight that keep it from being evicted).
/// A breaker that is not keyed has none.
/// </summary>
internal sealed class KeyedCircuitBreakerEntry
{
    // Leases handed out and not yet recorded, so an idle key is never evicted with a call in flight. int.MinValue (and
    // below 0 thereafter) once the key was evicted as idle: no more leases are taken.
    private int _leases;
    private object? _key;
    private volatile bool _hasKey;

    /// <summary>Creates the entry and its breaker, which reports its interval resets to <paramref name="telemetry"/> (the keyed breaker's).</summary>
    public KeyedCircuitBreakerEntry(string name, CircuitBreakerOptions options, TimeProvider timeProvider, ResilienceTelemetry? telemetry)
        => Breaker = new CircuitBreaker(name, options, timeProvider, telemetry, this);

    /// <summary>The key's breaker.</summary>
    public CircuitBreaker Breaker { get; }

    /// <summary>The key (boxed once), named in state-change events; <see langword="null"/> until <see cref="AssignKey"/>.</summary>
    public object? Key => _key;

    /// <summary>Whether <see cref="AssignKey"/> was called.</summary>
    public bool HasKey => _hasKey;

    /// <summary>The state this key is counted in by its keyed breaker (-1 once removed); guarded by the keyed breaker.</summary>
    public int CountedState { get; set; } = -1;

    /// <summary>Records the key named in state-change events (before the breaker is handed out).</summary>
    public void AssignKey(object? key)
    {
        _key = key;
        _hasKey = true;
    }

    /// <summary>
    /// Counts a lease about to be taken; <see langword="false"/> when the key was retired by <see cref="TryRetireIfIdle"/>
    /// (take the key's new entry instead). Undo with <see cref="ExitLease"/> unless a lease is granted; a granted lease
    /// exits when its outcome is recorded.
    /// </summary>
    public bool TryEnterLease() => Interlocked.Increment(ref _leases) > 0;

    /// <summary>A counted lease was recorded (after the state change it caused), or was not granted after all.</summary>
    public void ExitLease() => Interlocked.Decrement(ref _leases);

    /// <summary>
    /// Retires the key when its breaker is closed with no lease outstanding, so no lease is taken on it afterwards.
    /// Returns whether it was retired.
    /// </summary>
    public bool TryRetireIfIdle()
    {
        // A lease leaves the count only after its outcome changed the state, so with no lease outstanding and no new
        // one possible once retired, a closed breaker stays closed.
        return Breaker.StoredState == CircuitState.Closed
            && Interlocked.CompareExchange(ref _leases, int.MinValue, 0) == 0;
    }
}
