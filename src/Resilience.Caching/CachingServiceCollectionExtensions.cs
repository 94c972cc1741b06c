using System.Diagnostics.Metrics;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Resilience.Caching;

/// <summary>Registers a shared <see cref="ICacheFallbackStore"/>, which the <see cref="ResilienceRegistry"/> of <c>AddResilienceRegistry</c> then uses.</summary>
public static class CachingServiceCollectionExtensions
{
    /// <summary>
    /// Registers a <see cref="DistributedCacheFallbackStore"/> over the container's <see cref="IDistributedCache"/> (register one,
    /// e.g. with <c>AddStackExchangeRedisCache</c>) as the <see cref="ICacheFallbackStore"/>, replacing any registered before.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Sets the options; <see cref="SharedCacheFallbackStoreOptions.TypeInfoResolver"/> is required.</param>
    public static IServiceCollection AddResilienceDistributedCacheStore(this IServiceCollection services, Action<SharedCacheFallbackStoreOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        var options = Configure(configure);
        return Replace(services, sp => new DistributedCacheFallbackStore(
            sp.GetService<IDistributedCache>() ?? throw new InvalidOperationException(
                "AddResilienceDistributedCacheStore needs an IDistributedCache in the container: register one (e.g. services.AddStackExchangeRedisCache(...))."),
            options,
            sp.GetService<TimeProvider>(),
            sp.GetService<ILoggerFactory>(),
            sp.GetService<IMeterFactory>()));
    }

    /// <summary>
    /// Registers a <see cref="HybridCacheFallbackStore"/> over the container's <see cref="HybridCache"/> (register it with
    /// <c>AddHybridCache</c>, after an <see cref="IDistributedCache"/> for sharing) as the <see cref="ICacheFallbackStore"/>,
    /// replacing any registered before.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Sets the options; <see cref="SharedCacheFallbackStoreOptions.TypeInfoResolver"/> is required.</param>
    public static IServiceCollection AddResilienceHybridCacheStore(this IServiceCollection services, Action<SharedCacheFallbackStoreOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        var options = Configure(configure);
        return Replace(services, sp => new HybridCacheFallbackStore(
            sp.GetService<HybridCache>() ?? throw new InvalidOperationException(
                "AddResilienceHybridCacheStore needs a HybridCache in the container: register one with services.AddHybridCache()."),
            options,
            sp.GetService<TimeProvider>(),
            sp.GetService<ILoggerFactory>(),
            sp.GetService<IMeterFactory>()));
    }

    private static SharedCacheFallbackStoreOptions Configure(Action<SharedCacheFallbackStoreOptions> configure)
    {
        var options = new SharedCacheFallbackStoreOptions();
        configure(options);
        options.Validate();
        return options;
    }

    private static IServiceCollection Replace(IServiceCollection services, Func<IServiceProvider, ICacheFallbackStore> factory)
    {
        for (int i = services.Count - 1; i >= 0; i--)
        {
            if (services[i].ServiceType == typeof(ICacheFallbackStore) && !services[i].IsKeyedService)
            {
                services.RemoveAt(i);
            }
        }

        services.AddSingleton(factory);
        services.AddResilienceRegistry();
        return services;
    }
}
