namespace Resilience;

/// <summary>What the registry needs of a <see cref="KeyedCircuitBreaker{TKey}"/> whatever its key type.</summary>
internal interface IKeyedCircuitBreaker
{
    /// <summary>
    /// Applies new settings to calls from now on: every held key's breaker is reconfigured (keeping its state), new
    /// keys get them, and MaxKeys and KeyIdleTimeout apply from the next new key and the next sweep.
    /// </summary>
    /// <param name="options">The new settings; validated here.</param>
    void Reconfigure(CircuitBreakerOptions options);

    /// <summary>Keys currently held.</summary>
    int KeyCount { get; }
}
