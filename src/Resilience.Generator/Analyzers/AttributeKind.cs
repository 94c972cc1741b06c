namespace Resilience.Generator.Analyzers;

/// <summary>The resilience attributes, in the documented order, outermost first.</summary>
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
