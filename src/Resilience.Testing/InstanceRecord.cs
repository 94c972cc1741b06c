namespace Resilience.Testing;

/// <summary>
/// What happened under one name since the kit was created (or <see cref="ResilienceRecorder.Clear"/>): a method's full
/// name, an interface's full name, or an instance's name. A snapshot; read it again after more calls.
/// </summary>
public sealed record InstanceRecord
{
    /// <summary>The name.</summary>
    public required string Name { get; init; }

    /// <summary>Calls that ended, of the methods that carry this name (their own, their interface's, or one of their instances').</summary>
    public int Calls { get; init; }

    /// <summary>Of <see cref="Calls"/>: those that succeeded (a fresh or stale cache answer included).</summary>
    public int Succeeded { get; init; }

    /// <summary>Of <see cref="Calls"/>: those an exception left.</summary>
    public int Failed { get; init; }

    /// <summary>Of <see cref="Calls"/>: those that ended rejected (a rate limit, bulkhead or open breaker turned them away).</summary>
    public int RejectedCalls { get; init; }

    /// <summary>Of <see cref="Calls"/>: those a fallback answered.</summary>
    public int FellBack { get; init; }

    /// <summary>Retries made by the retry of this name, or within the calls of the method of this name.</summary>
    public int Retries { get; init; }

    /// <summary>Calls this instance (a rate limit, bulkhead or breaker of this name) turned away.</summary>
    public int Rejections { get; init; }

    /// <summary>Timeouts of this name that expired (an attempt timeout is named <c>"{retry name}.attempt"</c>).</summary>
    public int Timeouts { get; init; }

    /// <summary>Chaos injected under this name, or into the calls of the method of this name (each effect once).</summary>
    public int ChaosInjections { get; init; }

    /// <summary>The state changes of the breaker of this name, in order.</summary>
    public IReadOnlyList<BreakerTransition> Transitions { get; init; } = [];
}

/// <summary>One state change of a circuit breaker.</summary>
/// <param name="From">The state before.</param>
/// <param name="To">The state after.</param>
/// <param name="Reason">Why it changed.</param>
public sealed record BreakerTransition(CircuitState From, CircuitState To, CircuitTransitionReason Reason);
