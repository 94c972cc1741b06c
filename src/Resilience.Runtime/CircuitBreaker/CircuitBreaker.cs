namespace Resilience;

/// <summary>
/// A thread-safe circuit breaker: Closed → Open when its <see cref="ITripPolicy"/> says so, Open rejects for the
/// break duration, Half-open admits a bounded number of probes.
/// </summary>
/// <remarks>
/// Generated code calls <see cref="Acquire"/> (or <see cref="TryAcquire"/>) before the call and exactly one of
/// <see cref="CircuitBreakerLease.RecordSuccess"/>, <see cref="CircuitBreakerLease.RecordFailure"/> or
/// <see cref="CircuitBreakerLease.RecordException"/> after it. None of them allocates on success.
/// </remarks>
public sealed class CircuitBreaker
{
    /// <summary>Creates a breaker.</summary>
    /// <param name="name">The breaker's name, used in exceptions and events.</param>
    /// <param name="options">Settings; validated here.</param>
    /// <param name="timeProvider">The clock; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    public CircuitBreaker(string name, CircuitBreakerOptions options, TimeProvider? timeProvider = null) => throw new NotImplementedException();

    /// <summary>The breaker's name.</summary>
    public string Name => throw new NotImplementedException();

    /// <summary>The current state. An open circuit whose break duration has passed reports <see cref="CircuitState.HalfOpen"/>.</summary>
    public CircuitState State => throw new NotImplementedException();

    /// <summary>A snapshot of the counts.</summary>
    public CircuitCounts Counts => throw new NotImplementedException();

    /// <summary>Raised after every state change, outside the breaker's lock.</summary>
    public event EventHandler<CircuitStateChangedEventArgs>? StateChanged;

    /// <summary>Asks to make a call. Returns <see langword="false"/> when the circuit rejects it.</summary>
    /// <param name="lease">On success, the lease on which to record the call's outcome exactly once.</param>
    public bool TryAcquire(out CircuitBreakerLease lease) => throw new NotImplementedException();

    /// <summary>Asks to make a call; throws <see cref="BrokenCircuitException"/> when the circuit rejects it.</summary>
    /// <returns>The lease on which to record the call's outcome exactly once.</returns>
    public CircuitBreakerLease Acquire() => throw new NotImplementedException();

    /// <summary>Whether <paramref name="exception"/> counts as a failure under <see cref="CircuitBreakerOptions.Handle"/>.</summary>
    /// <param name="exception">The exception a call ended with.</param>
    public bool ShouldHandle(Exception exception) => throw new NotImplementedException();

    /// <summary>Opens the circuit until <see cref="Reset"/> is called.</summary>
    public void Isolate() => throw new NotImplementedException();

    /// <summary>Closes the circuit and clears the counts.</summary>
    public void Reset() => throw new NotImplementedException();

    private void OnStateChanged(CircuitStateChangedEventArgs args) => StateChanged?.Invoke(this, args);
}
