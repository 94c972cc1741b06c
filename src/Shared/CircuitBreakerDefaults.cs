// One table of defaults, compiled into the runtime (whose attributes and options use it) and into the generator
// (whose binder and analyzers use it): see docs/architecture.md.
#if RESILIENCE_GENERATOR
namespace Resilience.Generator.Shared;
#else
namespace Resilience;
#endif

/// <summary>The defaults of <c>[CircuitBreaker]</c> and <c>CircuitBreakerOptions</c>.</summary>
internal static class CircuitBreakerDefaults
{
    /// <summary><c>FailureThreshold</c>.</summary>
    public const int FailureThreshold = 5;

    /// <summary><c>FailureRatio</c>: off.</summary>
    public const double FailureRatio = 0;

    /// <summary><c>TimeoutRatio</c>: off.</summary>
    public const double TimeoutRatio = 0;

    /// <summary><c>MinimumThroughput</c>.</summary>
    public const int MinimumThroughput = 10;

    /// <summary><c>SamplingDurationMs</c> (<c>SamplingDuration</c>).</summary>
    public const int SamplingDurationMs = 30_000;

    /// <summary><c>BreakDurationMs</c> (<c>BreakDuration</c>).</summary>
    public const int BreakDurationMs = 30_000;

    /// <summary><c>HalfOpenMaxCalls</c>.</summary>
    public const int HalfOpenMaxCalls = 1;

    /// <summary><c>SuccessThreshold</c>: the first successful probe closes the circuit.</summary>
    public const int SuccessThreshold = 1;

    /// <summary><c>IntervalMs</c> (<c>Interval</c>): 0, no cyclic reset of the counts while closed.</summary>
    public const int IntervalMs = 0;

    /// <summary><c>MaxKeys</c> of a keyed breaker.</summary>
    public const int MaxKeys = 10_000;

    /// <summary><c>KeyIdleTimeoutMs</c> (<c>KeyIdleTimeout</c>) of a keyed breaker.</summary>
    public const int KeyIdleTimeoutMs = 60_000;
}
