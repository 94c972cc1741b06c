namespace Resilience;

/// <summary>
/// Moves chosen rate limits off the process, e.g. onto Redis (package Resilience.Redis). Registered in the container,
/// it is asked once per rate limit, when the registry creates it; a limit it returns no backend for stays local.
/// </summary>
/// <remarks>
/// Registered providers are asked in registration order; the first backend returned is used. A rate limit created
/// with a backend still has its local limit, with the same settings: it answers the calls the backend cannot decide
/// (<see cref="RateLimitDecision.UseLocal"/>, e.g. while the backend's server is unreachable). Without a provider a
/// rate limit's call path is unchanged.
/// </remarks>
public interface IRateLimitBackendProvider
{
    /// <summary>Returns the backend of the rate limit <paramref name="name"/>, or <see langword="null"/> to keep it local.</summary>
    /// <param name="name">The instance name.</param>
    /// <param name="options">Its effective settings (declared, with configured overrides), validated.</param>
    /// <param name="isKeyed">Whether it is keyed (<c>KeyParameter</c>): the backend then gets a partition per call.</param>
    IRateLimitBackend? CreateBackend(string name, RateLimitOptions options, bool isKeyed);
}

/// <summary>
/// Where one rate limit's permits are counted when they are not counted in the process (see
/// <see cref="IRateLimitBackendProvider"/>). Thread-safe; called on every call of the limit.
/// </summary>
public interface IRateLimitBackend : IDisposable
{
    /// <summary>Takes one permit, or says why not.</summary>
    /// <param name="partition">
    /// <see langword="null"/> for a limit that is not keyed; for a keyed one, the key as <see cref="RateLimitPartition.Of{TKey}"/>
    /// writes it.
    /// </param>
    /// <param name="cancellationToken">The caller's token.</param>
    /// <returns>
    /// <see cref="RateLimitDecision.Acquired"/>, <see cref="RateLimitDecision.Rejected"/>, or
    /// <see cref="RateLimitDecision.UseLocal"/> when the backend cannot decide in time (the local limit then decides).
    /// </returns>
    ValueTask<RateLimitDecision> AcquireAsync(string? partition, CancellationToken cancellationToken);

    /// <summary>The blocking form of <see cref="AcquireAsync"/>, for synchronous methods; it blocks no longer than the backend's own timeout.</summary>
    /// <param name="partition">As for <see cref="AcquireAsync"/>.</param>
    RateLimitDecision Acquire(string? partition);

    /// <summary>New settings from configuration (reload); counting goes on under them.</summary>
    /// <param name="options">The new effective settings, validated.</param>
    void Reconfigure(RateLimitOptions options);
}

/// <summary>What a <see cref="IRateLimitBackend"/> decided for one call.</summary>
public readonly struct RateLimitDecision : IEquatable<RateLimitDecision>
{
    private readonly byte _kind; // 0 use local, 1 acquired, 2 rejected

    private RateLimitDecision(byte kind, TimeSpan? retryAfter)
    {
        _kind = kind;
        RetryAfter = retryAfter;
    }

    /// <summary>A permit was taken.</summary>
    public static RateLimitDecision Acquired => new(1, null);

    /// <summary>The backend could not decide (unreachable, slow): the rate limit's local limit decides this call. The default value.</summary>
    public static RateLimitDecision UseLocal => default;

    /// <summary>Whether a permit was taken.</summary>
    public bool IsAcquired => _kind == 1;

    /// <summary>Whether the call is rejected (no permit).</summary>
    public bool IsRejected => _kind == 2;

    /// <summary>Whether the local limit decides this call.</summary>
    public bool IsUseLocal => _kind == 0;

    /// <summary>When a permit is expected, for a rejection (if the backend knows).</summary>
    public TimeSpan? RetryAfter { get; }

    /// <summary>No permit: the call is rejected with a <see cref="RateLimitRejectedException"/>.</summary>
    /// <param name="retryAfter">When a permit is expected, if known.</param>
    public static RateLimitDecision Rejected(TimeSpan? retryAfter) => new(2, retryAfter);

    /// <inheritdoc />
    public bool Equals(RateLimitDecision other) => _kind == other._kind && RetryAfter == other.RetryAfter;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is RateLimitDecision other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(_kind, RetryAfter);

    /// <inheritdoc />
    public override string ToString() => _kind switch
    {
        1 => "Acquired",
        2 => RetryAfter is { } after ? $"Rejected (retry after {after.TotalMilliseconds:0.###} ms)" : "Rejected",
        _ => "UseLocal",
    };

    /// <summary>Whether two decisions are equal.</summary>
    public static bool operator ==(RateLimitDecision left, RateLimitDecision right) => left.Equals(right);

    /// <summary>Whether two decisions differ.</summary>
    public static bool operator !=(RateLimitDecision left, RateLimitDecision right) => !left.Equals(right);
}

/// <summary>How a keyed rate limit names a key's partition for its <see cref="IRateLimitBackend"/>.</summary>
public static class RateLimitPartition
{
    /// <summary>
    /// <c>"="</c> followed by the key's invariant text (<see cref="IFormattable"/> with the invariant culture, else
    /// <c>ToString()</c>) for a key, <c>"null"</c> for the <see langword="null"/> key: distinct keys whose texts
    /// differ get distinct partitions, and the <see langword="null"/> key never shares one with a key.
    /// </summary>
    /// <typeparam name="TKey">The key type.</typeparam>
    /// <param name="key">The key.</param>
    public static string Of<TKey>(TKey? key) => key switch
    {
        null => "null",
        string text => "=" + text,
        IFormattable formattable => "=" + formattable.ToString(null, System.Globalization.CultureInfo.InvariantCulture),
        _ => "=" + key.ToString(),
    };
}
