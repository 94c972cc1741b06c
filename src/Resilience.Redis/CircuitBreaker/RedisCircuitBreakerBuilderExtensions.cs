using Microsoft.Extensions.DependencyInjection;

namespace Resilience.Redis;

/// <summary>Opts circuit breakers into shared state on Redis.</summary>
public static class RedisCircuitBreakerBuilderExtensions
{
    /// <summary>
    /// Shares the state of the breaker named <paramref name="name"/> on Redis: when one process opens it, the others
    /// reject too; half-open probes are limited across processes (see docs/redis.md). Configuration
    /// <c>Resilience:Instances:&lt;name&gt;:CircuitBreaker:Backend</c> = <c>Local</c> turns it off again.
    /// </summary>
    /// <param name="builder">The builder of <c>AddResilienceRedis</c>.</param>
    /// <param name="name">The breaker's name (the attribute's <c>Name</c>, or <c>"{Namespace}.{Interface}[.{Method}]"</c>).</param>
    /// <param name="configure">Sets the options, e.g. the shared keys of a keyed breaker.</param>
    public static IResilienceRedisBuilder AddCircuitBreaker(this IResilienceRedisBuilder builder, string name, Action<RedisCircuitBreakerOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        builder.Services.Configure<RedisCircuitBreakerSelection>(selection => selection.Names.Add(name));
        if (configure is not null)
        {
            builder.Services.Configure(name, configure);
        }

        return builder;
    }
}
