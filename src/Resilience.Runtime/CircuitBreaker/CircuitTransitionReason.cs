namespace Resilience;

/// <summary>Why a <see cref="CircuitBreaker"/> changed state.</summary>
public enum CircuitTransitionReason
{
    /// <summary>The trip policy opened the circuit after a failure.</summary>
    TripPolicy = 0,

    /// <summary>The break duration passed; the circuit admits probes.</summary>
    BreakDurationElapsed = 1,

    /// <summary>Half-open probes succeeded <see cref="CircuitBreakerOptions.SuccessThreshold"/> times in a row; the circuit closed.</summary>
    ProbeSucceeded = 2,

    /// <summary>A half-open probe failed; the circuit opened again.</summary>
    ProbeFailed = 3,

    /// <summary><see cref="CircuitBreaker.Isolate"/> was called.</summary>
    Isolated = 4,

    /// <summary><see cref="CircuitBreaker.Reset"/> was called.</summary>
    Reset = 5,

    /// <summary>
    /// A <see cref="CircuitBreakerCoordinator"/> moved the circuit because a breaker of the same name elsewhere (another
    /// process) opened or closed (<see cref="CircuitBreaker.OpenRemotely"/>, <see cref="CircuitBreaker.CloseRemotely"/>).
    /// </summary>
    Remote = 6,

    /// <summary>A test put the circuit into this state (Resilience.Testing's <c>SetBreakerState</c>).</summary>
    Forced = 7,
}
