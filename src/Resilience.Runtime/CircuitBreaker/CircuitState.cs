namespace Resilience;

/// <summary>The state of a <see cref="CircuitBreaker"/>.</summary>
public enum CircuitState
{
    /// <summary>Calls flow; outcomes are counted and the trip policy is consulted on each failure.</summary>
    Closed = 0,

    /// <summary>Calls are rejected with <see cref="BrokenCircuitException"/> until the break duration has passed.</summary>
    Open = 1,

    /// <summary>A limited number of probe calls are admitted; a success closes the circuit, a failure opens it again.</summary>
    HalfOpen = 2,

    /// <summary>Opened by hand with <see cref="CircuitBreaker.Isolate"/>; stays open until <see cref="CircuitBreaker.Reset"/>.</summary>
    Isolated = 3,
}
