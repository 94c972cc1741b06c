using Microsoft.Extensions.DependencyInjection;

namespace Resilience.Redis;

/// <summary>Opts rate limits into Redis.</summary>
public static class RedisRateLimitBuilderExtensions
{
    /// <summary>
    /// Counts the rate limit <paramref name="name"/> (the instance name of a <c>[RateLimit]</c>, keyed or not) on Redis,
    /// fleet-wide, with its declared settings. Configuration can still turn it off
    /// (<c>Resilience:Instances:&lt;name&gt;:RateLimit:Backend</c> = <c>Local</c>) and overrides
    /// <see cref="RedisRateLimitOptions.LeasePermits"/>. Takes effect when the registry creates the rate limit.
    /// </summary>
    /// <param name="builder">The builder <c>AddResilienceRedis</c> returned.</param>
    /// <param name="name">The instance name.</param>
    /// <param name="configure">Sets <see cref="RedisRateLimitOptions"/> (e.g. <c>o => o.LeasePermits = 10</c>).</param>
    /// <returns>The builder.</returns>
    public static IResilienceRedisBuilder AddRateLimit(this IResilienceRedisBuilder builder, string name, Action<RedisRateLimitOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(name);
        builder.Services.Configure<RedisRateLimitSelection>(selection => selection.Names.Add(name));
        if (configure is not null)
        {
            builder.Services.Configure(name, configure);
        }

        return builder;
    }
}
