using System.Globalization;

namespace Resilience;

/// <summary>Settings of a <see cref="RateLimitStrategy"/> or <see cref="KeyedRateLimitStrategy{TKey}"/>. Read and validated once, at construction.</summary>
/// <remarks>
/// How each <see cref="Algorithm"/> counts, with the clock taken from the strategy's <see cref="TimeProvider"/>:
/// <list type="bullet">
/// <item><description>
/// <see cref="RateLimitAlgorithm.TokenBucket"/>: a bucket of <see cref="PermitLimit"/> tokens, full at the start, refilled
/// continuously: a token every exact <c>Window / PermitLimit</c> while not full (exact rational time, no rounding to ticks),
/// the first one that long after a full bucket is drawn on. Any span of length <c>T</c> admits at most
/// <c>PermitLimit + T * PermitLimit / Window</c>.
/// </description></item>
/// <item><description>
/// <see cref="RateLimitAlgorithm.SlidingWindow"/>: a permit taken at <c>t</c> comes back at the first of the
/// <see cref="SegmentsPerWindow"/> segment boundaries (each <c>Window / SegmentsPerWindow</c>, at least 1 ms) at or after
/// <c>t + Window</c>, so no half-open span of length <see cref="Window"/> ever holds more than <see cref="PermitLimit"/>.
/// </description></item>
/// <item><description>
/// <see cref="RateLimitAlgorithm.FixedWindow"/>: <see cref="PermitLimit"/> permits per consecutive <see cref="Window"/>,
/// all restored at each window boundary.
/// </description></item>
/// <item><description>
/// <see cref="RateLimitAlgorithm.SlidingWindowExact"/>: a permit taken at <c>t</c> comes back at the first timestamp at or
/// after <c>t + Window</c>, so no half-open span of length <see cref="Window"/>, wherever it starts, holds more than
/// <see cref="PermitLimit"/> grants, and a permit is never held longer than that. It keeps the permits in use as groups
/// (one per instant), at most <see cref="PermitLimit"/> of them, so <see cref="PermitLimit"/> must be at most 1 000.
/// </description></item>
/// </list>
/// Windows are counted from the moment the limit is created. Queued callers (<see cref="QueueLimit"/>) are served oldest first.
/// </remarks>
public sealed class RateLimitOptions : IEquatable<RateLimitOptions>
{
    /// <summary>Permits per <see cref="Window"/>; at least 1. Default 100.</summary>
    public int PermitLimit { get; set; } = RateLimitDefaults.PermitLimit;

    /// <summary>The window the permits are counted over; positive. Default 1 second.</summary>
    public TimeSpan Window { get; set; } = TimeSpan.FromMilliseconds(RateLimitDefaults.WindowMs);

    /// <summary>The counting algorithm. Default <see cref="RateLimitAlgorithm.TokenBucket"/>.</summary>
    public RateLimitAlgorithm Algorithm { get; set; } = RateLimitDefaults.Algorithm;

    /// <summary>Segments of a sliding window; at least 1, and each segment (<c>Window / SegmentsPerWindow</c>) at least 1 ms. Default 10. Ignored by the other algorithms.</summary>
    public int SegmentsPerWindow { get; set; } = RateLimitDefaults.SegmentsPerWindow;

    /// <summary>Calls (permits) allowed to wait for a permit, served oldest first; 0 (the default) rejects at once.</summary>
    public int QueueLimit { get; set; } = RateLimitDefaults.QueueLimit;

    /// <summary>Keyed limits only: the most keys kept at once; at least 1. Beyond it idle keys, then the least recently used keys, are evicted. Default 10 000.</summary>
    public int MaxKeys { get; set; } = RateLimitDefaults.MaxKeys;

    /// <summary>Keyed limits only: a key unused for this long is evicted; positive. Default 1 minute.</summary>
    public TimeSpan KeyIdleTimeout { get; set; } = TimeSpan.FromMilliseconds(RateLimitDefaults.KeyIdleTimeoutMs);

    /// <summary>
    /// Throws <see cref="ArgumentOutOfRangeException"/> naming the setting to change when a value is invalid, or
    /// <see cref="ArgumentException"/> naming <see cref="PermitLimit"/> when it is above 1 000 with
    /// <see cref="RateLimitAlgorithm.SlidingWindowExact"/>.
    /// </summary>
    public void Validate()
    {
        if (PermitLimit < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(PermitLimit), PermitLimit, Invariant($"PermitLimit must be at least 1; got {PermitLimit}."));
        }

        if (Window <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(Window), Window, Invariant($"Window must be positive; got {Window}."));
        }

        if (!Enum.IsDefined(Algorithm))
        {
            throw new ArgumentOutOfRangeException(nameof(Algorithm), Algorithm, Invariant($"Algorithm must be TokenBucket, SlidingWindow, FixedWindow or SlidingWindowExact; got {(int)Algorithm}."));
        }

        if (Algorithm == RateLimitAlgorithm.SlidingWindowExact && PermitLimit > RateLimitDefaults.MaxExactPermitLimit)
        {
            throw new ArgumentException(
                Invariant($"PermitLimit must be at most {RateLimitDefaults.MaxExactPermitLimit} with Algorithm SlidingWindowExact, which keeps one timestamp per permit; got {PermitLimit}. Use Algorithm SlidingWindow (segmented) for larger limits."),
                nameof(PermitLimit));
        }

        if (SegmentsPerWindow < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(SegmentsPerWindow), SegmentsPerWindow, Invariant($"SegmentsPerWindow must be at least 1; got {SegmentsPerWindow}."));
        }

        if (Algorithm == RateLimitAlgorithm.SlidingWindow && Window.Ticks / SegmentsPerWindow < TimeSpan.TicksPerMillisecond)
        {
            throw new ArgumentOutOfRangeException(
                nameof(SegmentsPerWindow),
                SegmentsPerWindow,
                Invariant($"Window / SegmentsPerWindow must be at least 1 ms for a sliding window; got {Window.TotalMilliseconds} ms / {SegmentsPerWindow}. Lower SegmentsPerWindow to at most {Math.Max(1, Window.Ticks / TimeSpan.TicksPerMillisecond)} or lengthen Window."));
        }

        if (QueueLimit < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(QueueLimit), QueueLimit, Invariant($"QueueLimit must be 0 (reject at once) or more; got {QueueLimit}."));
        }

        if (MaxKeys < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxKeys), MaxKeys, Invariant($"MaxKeys must be at least 1; got {MaxKeys}."));
        }

        if (KeyIdleTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(KeyIdleTimeout), KeyIdleTimeout, Invariant($"KeyIdleTimeout must be positive; got {KeyIdleTimeout}."));
        }
    }

    /// <inheritdoc />
    public bool Equals(RateLimitOptions? other) =>
        other is not null
        && PermitLimit == other.PermitLimit
        && Window == other.Window
        && Algorithm == other.Algorithm
        && SegmentsPerWindow == other.SegmentsPerWindow
        && QueueLimit == other.QueueLimit
        && MaxKeys == other.MaxKeys
        && KeyIdleTimeout == other.KeyIdleTimeout;

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as RateLimitOptions);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(PermitLimit, Window, Algorithm, SegmentsPerWindow, QueueLimit, MaxKeys, KeyIdleTimeout);

    /// <summary>A copy, so that later changes to the caller's instance don't affect a running strategy.</summary>
    internal RateLimitOptions Clone() => (RateLimitOptions)MemberwiseClone();

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
