namespace Resilience;

/// <summary>Settings of a <see cref="RateLimitStrategy"/> or <see cref="KeyedRateLimitStrategy{TKey}"/>. Read and validated once, at construction.</summary>
public sealed class RateLimitOptions : IEquatable<RateLimitOptions>
{
    /// <summary>Permits per <see cref="Window"/>; at least 1. Default 100.</summary>
    public int PermitLimit { get; set; } = 100;

    /// <summary>The window the permits are counted over. Default 1 second.</summary>
    public TimeSpan Window { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The counting algorithm. Default <see cref="RateLimitAlgorithm.TokenBucket"/>.</summary>
    public RateLimitAlgorithm Algorithm { get; set; } = RateLimitAlgorithm.TokenBucket;

    /// <summary>Segments of a sliding window; at least 1. Default 10.</summary>
    public int SegmentsPerWindow { get; set; } = 10;

    /// <summary>Calls allowed to wait for a permit; 0 (the default) rejects at once.</summary>
    public int QueueLimit { get; set; }

    /// <summary>Keyed limits only: the most keys kept at once; beyond it the least recently used keys are evicted. Default 10 000.</summary>
    public int MaxKeys { get; set; } = 10_000;

    /// <summary>Keyed limits only: a key unused for this long is evicted. Default 1 minute.</summary>
    public TimeSpan KeyIdleTimeout { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the setting to change when a value is invalid.</summary>
    public void Validate() => throw new NotImplementedException();

    /// <inheritdoc />
    public bool Equals(RateLimitOptions? other) => throw new NotImplementedException();

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as RateLimitOptions);

    /// <inheritdoc />
    public override int GetHashCode() => throw new NotImplementedException();
}
