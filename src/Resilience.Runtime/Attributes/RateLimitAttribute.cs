namespace Resilience;

/// <summary>
/// Limits how often a method may be called. Calls over the limit are rejected with
/// <see cref="RateLimitRejectedException"/> (after waiting in a queue of <see cref="QueueLimit"/>, if set).
/// On an interface, one limiter is shared by all its methods.
/// </summary>
[AttributeUsage(AttributeTargets.Method | AttributeTargets.Interface, AllowMultiple = false, Inherited = false)]
public sealed class RateLimitAttribute : Attribute
{
    /// <summary>Permits per <see cref="WindowMs"/>. Default 100.</summary>
    public int PermitLimit { get; set; } = RateLimitDefaults.PermitLimit;

    /// <summary>Window length in milliseconds. Default 1 000.</summary>
    public int WindowMs { get; set; } = RateLimitDefaults.WindowMs;

    /// <summary>The counting algorithm. Default <see cref="RateLimitAlgorithm.TokenBucket"/>.</summary>
    public RateLimitAlgorithm Algorithm { get; set; } = RateLimitDefaults.Algorithm;

    /// <summary>Segments a sliding window is divided into. Default 10. Used only by <see cref="RateLimitAlgorithm.SlidingWindow"/>.</summary>
    public int SegmentsPerWindow { get; set; } = RateLimitDefaults.SegmentsPerWindow;

    /// <summary>Calls that may wait for a permit; 0 (the default) rejects at once.</summary>
    public int QueueLimit { get; set; } = RateLimitDefaults.QueueLimit;

    /// <summary>Name of a method parameter whose value selects a separate limit per value (for example per tenant).</summary>
    public string? KeyParameter { get; set; }

    /// <summary>Instance name; the same name shares one limiter across interfaces. Default: the interface or method's full name.</summary>
    public string? Name { get; set; }
}
