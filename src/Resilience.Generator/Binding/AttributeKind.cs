namespace Resilience.Generator.Binding;

/// <summary>The seven resilience attributes, in the documented order, outermost first; one enum for the generator and the analyzers.</summary>
internal enum AttributeKind
{
    Fallback,
    CacheFallback,
    RateLimit,
    Bulkhead,
    Timeout,
    CircuitBreaker,
    Retry,
}
