namespace Resilience.Generator.Model;

/// <summary>The kinds of runtime strategy a generated class holds in a field.</summary>
internal enum StrategyKind
{
    /// <summary><c>CacheFallbackStrategy</c>.</summary>
    CacheFallback,

    /// <summary><c>RateLimitStrategy</c>.</summary>
    RateLimit,

    /// <summary><c>KeyedRateLimitStrategy&lt;TKey&gt;</c>.</summary>
    KeyedRateLimit,

    /// <summary><c>Bulkhead</c>.</summary>
    Bulkhead,

    /// <summary><c>TimeoutStrategy</c>.</summary>
    Timeout,

    /// <summary><c>CircuitBreaker</c>.</summary>
    CircuitBreaker,

    /// <summary><c>KeyedCircuitBreaker&lt;TKey&gt;</c>.</summary>
    KeyedCircuitBreaker,

    /// <summary><c>RetryStrategy</c>.</summary>
    Retry,

    /// <summary><c>HedgeStrategy</c>.</summary>
    Hedge,
}
