// One table of defaults, compiled into the runtime (whose attributes and options use it) and into the generator
// (whose binder and analyzers use it): see docs/architecture.md.
#if RESILIENCE_GENERATOR
namespace Resilience.Generator.Shared;
#else
namespace Resilience;
#endif

/// <summary>The defaults of <c>[RateLimit]</c> and <c>RateLimitOptions</c>.</summary>
internal static class RateLimitDefaults
{
    /// <summary><c>PermitLimit</c>.</summary>
    public const int PermitLimit = 100;

    /// <summary><c>WindowMs</c> (<c>Window</c>).</summary>
    public const int WindowMs = 1_000;

    /// <summary><c>Algorithm</c>.</summary>
    public const RateLimitAlgorithm Algorithm = RateLimitAlgorithm.TokenBucket;

    /// <summary><c>SegmentsPerWindow</c>.</summary>
    public const int SegmentsPerWindow = 10;

    /// <summary><c>QueueLimit</c>: no queue.</summary>
    public const int QueueLimit = 0;

    /// <summary>The largest <c>PermitLimit</c> of <c>SlidingWindowExact</c>, which keeps one timestamp per permit.</summary>
    public const int MaxExactPermitLimit = 1_000;

    /// <summary><c>MaxKeys</c> of a keyed rate limit.</summary>
    public const int MaxKeys = 10_000;

    /// <summary><c>KeyIdleTimeout</c> of a keyed rate limit, in milliseconds.</summary>
    public const int KeyIdleTimeoutMs = 60_000;
}
