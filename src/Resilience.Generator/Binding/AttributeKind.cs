namespace Resilience.Generator.Binding;

/// <summary>
/// The resilience attributes, one enum for the generator and the analyzers: the first seven in the documented order,
/// outermost first; <see cref="Hedge"/> (between Timeout and CircuitBreaker in that order) was added last.
/// </summary>
internal enum AttributeKind
{
    Fallback,
    CacheFallback,
    RateLimit,
    Bulkhead,
    Timeout,
    CircuitBreaker,
    Retry,
    Hedge,
}
