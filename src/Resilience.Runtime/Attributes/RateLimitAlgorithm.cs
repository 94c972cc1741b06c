namespace Resilience;

/// <summary>The algorithm a rate limit uses to count permits.</summary>
public enum RateLimitAlgorithm
{
    /// <summary>
    /// A bucket of <see cref="RateLimitAttribute.PermitLimit"/> tokens, refilled evenly over
    /// <see cref="RateLimitAttribute.WindowMs"/>. Allows short bursts up to the limit. The default.
    /// </summary>
    TokenBucket = 0,

    /// <summary>
    /// At most <see cref="RateLimitAttribute.PermitLimit"/> permits in any window of
    /// <see cref="RateLimitAttribute.WindowMs"/>, counted in <see cref="RateLimitAttribute.SegmentsPerWindow"/> segments.
    /// </summary>
    SlidingWindow = 1,

    /// <summary>At most <see cref="RateLimitAttribute.PermitLimit"/> permits per fixed window of <see cref="RateLimitAttribute.WindowMs"/>.</summary>
    FixedWindow = 2,
}
