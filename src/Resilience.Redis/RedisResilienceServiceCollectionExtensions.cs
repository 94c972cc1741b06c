using System.Diagnostics.Metrics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Resilience.Redis;

/// <summary>Registers the connection the Redis backends use.</summary>
public static class RedisResilienceServiceCollectionExtensions
{
    /// <summary>
    /// Registers the Redis connection of the resilience backends: a new one from
    /// <see cref="RedisResilienceOptions.Configuration"/>, or, when that is empty, the
    /// <see cref="IConnectionMultiplexer"/> already registered in the container. The connection is made lazily,
    /// without waiting for the server (<c>abortConnect=false</c>): a service whose Redis is down still starts. The options
    /// are read from the container's <c>IConfiguration</c>, if any (section <c>Resilience:Redis</c>), then
    /// <paramref name="configure"/> applies. Also registers the rate-limit backend provider: rate limits opted in with
    /// <see cref="RedisRateLimitBuilderExtensions.AddRateLimit"/> or <c>Resilience:Instances:&lt;name&gt;:RateLimit:Backend</c>
    /// are counted on Redis.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Sets the options in code (after configuration).</param>
    /// <returns>A builder that opts instances into Redis.</returns>
    public static IResilienceRedisBuilder AddResilienceRedis(this IServiceCollection services, Action<RedisResilienceOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<RedisResilienceOptions>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IConfigureOptions<RedisResilienceOptions>, RedisResilienceOptionsReader>());
        if (configure is not null)
        {
            options.Configure(configure);
        }

        services.TryAddSingleton<RedisConnection>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ICircuitBreakerCoordinatorProvider, RedisCircuitBreakerProvider>(static sp => new RedisCircuitBreakerProvider(
            sp.GetRequiredService<RedisAvailability>(),
            sp.GetRequiredService<RedisConnection>(),
            sp.GetRequiredService<IOptionsMonitor<RedisCircuitBreakerOptions>>(),
            sp.GetRequiredService<IOptionsMonitor<RedisCircuitBreakerSelection>>(),
            sp.GetService<Microsoft.Extensions.Configuration.IConfiguration>(),
            sp.GetService<ILoggerFactory>())));
        services.TryAddSingleton(static sp =>
        {
            var connection = sp.GetRequiredService<RedisConnection>();
            return new RedisAvailability(
                () => connection.Multiplexer,
                connection.Options,
                sp.GetService<TimeProvider>(),
                sp.GetService<ILoggerFactory>(),
                sp.GetService<IMeterFactory>());
        });
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IRateLimitBackendProvider, RedisRateLimitBackendProvider>(static sp => new RedisRateLimitBackendProvider(
            sp.GetRequiredService<RedisAvailability>(),
            sp.GetRequiredService<RedisConnection>(),
            sp.GetRequiredService<IOptionsMonitor<RedisRateLimitOptions>>(),
            sp.GetRequiredService<IOptionsMonitor<RedisRateLimitSelection>>(),
            sp.GetService<IConfiguration>(),
            sp.GetService<TimeProvider>())));
        return new Builder(services);
    }

    private sealed class Builder(IServiceCollection services) : IResilienceRedisBuilder
    {
        public IServiceCollection Services { get; } = services;
    }
}

/// <summary>The connection the backends share: the configured one (owned and disposed here) or the container's.</summary>
internal sealed class RedisConnection : IDisposable
{
    private readonly Lazy<IConnectionMultiplexer> _multiplexer;
    private readonly bool _owned;

    public RedisConnection(IOptions<RedisResilienceOptions> options, IServiceProvider services)
    {
        var value = options.Value;
        if (!string.IsNullOrWhiteSpace(value.Configuration))
        {
            _owned = true;
            var configuration = ConfigurationOptions.Parse(value.Configuration);
            configuration.AbortOnConnectFail = false;
            // A command sent while disconnected fails at once instead of waiting in a backlog for the reconnect.
            configuration.BacklogPolicy = BacklogPolicy.FailFast;
            _multiplexer = new Lazy<IConnectionMultiplexer>(() => ConnectionMultiplexer.Connect(configuration));
        }
        else
        {
            _multiplexer = new Lazy<IConnectionMultiplexer>(() => services.GetService<IConnectionMultiplexer>()
                ?? throw new InvalidOperationException(
                    "AddResilienceRedis has no connection: set RedisResilienceOptions.Configuration (\"Resilience:Redis:Configuration\") " +
                    "or register an IConnectionMultiplexer in the container."));
        }

        Options = value;
    }

    public RedisResilienceOptions Options { get; }

    public IConnectionMultiplexer Multiplexer => _multiplexer.Value;

    public void Dispose()
    {
        if (_owned && _multiplexer.IsValueCreated)
        {
            _multiplexer.Value.Dispose();
        }
    }
}
