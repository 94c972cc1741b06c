namespace Resilience;

/// <summary>
/// The name spaces of <see cref="ResilienceRegistry"/>: one name per kind. Declared in the order in which a configuration
/// reload reconfigures the kinds (and reports what it refused).
/// </summary>
internal enum InstanceKind
{
    CircuitBreaker,
    Bulkhead,
    Retry,
    Timeout,
    RateLimit,
    CacheFallback,
    Hedge,
    RetryBudget,
}
