namespace Resilience;

/// <summary>A keyed breaker's count of held keys per circuit state, for the <c>resilience.circuit_breaker.keys</c> gauge.</summary>
internal interface IKeyStateCounts
{
    /// <summary>The keyed breaker's name.</summary>
    string Name { get; }

    /// <summary>Keys held in <paramref name="state"/> now (a key whose break has elapsed counts as open until its next call).</summary>
    long KeysIn(CircuitState state);

    /// <summary>Keys held in each state now (index: <see cref="CircuitState"/>), read together, into <paramref name="destination"/> (4 long).</summary>
    void CopyKeysInStates(Span<long> destination);
}
