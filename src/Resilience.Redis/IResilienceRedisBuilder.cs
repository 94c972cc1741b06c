using Microsoft.Extensions.DependencyInjection;

namespace Resilience.Redis;

/// <summary>Returned by <see cref="RedisResilienceServiceCollectionExtensions.AddResilienceRedis"/>: opts instances into Redis.</summary>
public interface IResilienceRedisBuilder
{
    /// <summary>The service collection the backends are registered in.</summary>
    IServiceCollection Services { get; }
}
