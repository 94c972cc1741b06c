// Compiled into the runtime (public, namespace Resilience) and into the generator (internal, namespace
// Resilience.Generator.Shared), so that both name the members alike: see docs/architecture.md.
#if RESILIENCE_GENERATOR
#pragma warning disable CS1574 // the crefs name runtime types the generator does not reference
namespace Resilience.Generator.Shared;
#else
namespace Resilience;
#endif

/// <summary>The algorithm a rate limit uses to count permits.</summary>
#if RESILIENCE_GENERATOR
internal
#else
public
#endif
enum RateLimitAlgorithm
{
    /// <summary>
    /// A bucket of <see cref="RateLimitAttribute.PermitLimit"/> tokens, refilled continuously and exactly
    /// over <see cref="RateLimitAttribute.WindowMs"/>: any span of length T admits at most PermitLimit + T · PermitLimit / WindowMs.
    /// Allows short bursts up to the limit. The default.
    /// </summary>
    TokenBucket = 0,

    /// <summary>
    /// At most <see cref="RateLimitAttribute.PermitLimit"/> permits in any window of
    /// <see cref="RateLimitAttribute.WindowMs"/>, aligned or not: a permit comes back at the first of the
    /// <see cref="RateLimitAttribute.SegmentsPerWindow"/> segment boundaries at or after one window from when it was taken.
    /// </summary>
    SlidingWindow = 1,

    /// <summary>At most <see cref="RateLimitAttribute.PermitLimit"/> permits per fixed window of <see cref="RateLimitAttribute.WindowMs"/>.</summary>
    FixedWindow = 2,

    /// <summary>
    /// At most <see cref="RateLimitAttribute.PermitLimit"/> permits in any window of <see cref="RateLimitAttribute.WindowMs"/>,
    /// exactly: a permit taken at <c>t</c> comes back at <c>t + WindowMs</c>, not at a segment boundary. Keeps one timestamp
    /// per permit in use, so <see cref="RateLimitAttribute.PermitLimit"/> must be at most 1 000; use
    /// <see cref="SlidingWindow"/> for larger limits.
    /// </summary>
    SlidingWindowExact = 3,
}
