namespace Resilience.Generator.Parsing;

/// <summary>The seven resilience attributes.</summary>
internal enum ResilienceKind
{
    /// <summary><c>[Retry]</c>.</summary>
    Retry,

    /// <summary><c>[CircuitBreaker]</c>.</summary>
    CircuitBreaker,

    /// <summary><c>[RateLimit]</c>.</summary>
    RateLimit,

    /// <summary><c>[Bulkhead]</c>.</summary>
    Bulkhead,

    /// <summary><c>[Timeout]</c>.</summary>
    Timeout,

    /// <summary><c>[Fallback]</c>.</summary>
    Fallback,

    /// <summary><c>[CacheFallback]</c>.</summary>
    CacheFallback,
}
