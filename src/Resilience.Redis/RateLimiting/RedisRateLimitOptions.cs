namespace Resilience.Redis;

/// <summary>How one rate limit runs on Redis (set with <see cref="RedisRateLimitBuilderExtensions.AddRateLimit"/> or in configuration).</summary>
public sealed class RedisRateLimitOptions
{
    /// <summary>
    /// Permits taken from Redis per round trip; the ones a call does not use are kept in a local lease for the next
    /// calls of this process, so only about one call in <c>LeasePermits</c> waits for Redis. 1 (the default) takes one
    /// permit per call. At most the limit's PermitLimit. The price: the fleet may admit up to
    /// <c>processes × (LeasePermits − 1)</c> more than the limit over any span (per key of a keyed limit), see docs/redis.md.
    /// Configuration: <c>Resilience:Instances:&lt;name&gt;:RateLimit:LeasePermits</c>.
    /// </summary>
    public int LeasePermits { get; set; } = 1;
}

/// <summary>The rate limits opted into Redis in code.</summary>
internal sealed class RedisRateLimitSelection
{
    public HashSet<string> Names { get; } = new(StringComparer.Ordinal);
}
