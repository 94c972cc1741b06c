using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Resilience;

/// <summary>Registers generated resilient decorators with <see cref="IServiceCollection"/>.</summary>
public static class ResilienceServiceCollectionExtensions
{
    /// <summary>
    /// Registers <typeparamref name="TImplementation"/> and exposes <typeparamref name="TService"/> as its generated
    /// decorator. Also registers a singleton <see cref="ResilienceRegistry"/> (using a registered <see cref="TimeProvider"/>, if any) unless one is registered.
    /// </summary>
    /// <typeparam name="TService">An interface with resilience attributes.</typeparam>
    /// <typeparam name="TImplementation">The real implementation.</typeparam>
    /// <param name="services">The service collection.</param>
    /// <param name="lifetime">The lifetime of both the implementation and the decorator. Default <see cref="ServiceLifetime.Scoped"/>.</param>
    /// <exception cref="InvalidOperationException">No decorator was generated for <typeparamref name="TService"/>.</exception>
    public static IServiceCollection AddResilient<TService, [DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TImplementation>(this IServiceCollection services, ServiceLifetime lifetime = ServiceLifetime.Scoped)
        where TService : class
        where TImplementation : class, TService
    {
        ArgumentNullException.ThrowIfNull(services);
        Func<TService, IServiceProvider, TService> factory = GetFactory<TService>();
        services.AddResilienceRegistry();
        services.Add(new ServiceDescriptor(typeof(TImplementation), typeof(TImplementation), lifetime));
        services.Add(new ServiceDescriptor(
            typeof(TService),
            sp => factory(sp.GetRequiredService<TImplementation>(), sp),
            lifetime));
        return services;
    }

    /// <summary>Wraps the already-registered <typeparamref name="TService"/> in its generated decorator, keeping its lifetime.</summary>
    /// <remarks>
    /// The last (non-keyed) registration of <typeparamref name="TService"/> is replaced, in place, by the decorator;
    /// the original registration moves to a private keyed service, so the container still creates and disposes the
    /// inner instance as before. Also registers a singleton <see cref="ResilienceRegistry"/> unless one is registered.
    /// </remarks>
    /// <typeparam name="TService">An interface with resilience attributes, registered before this call.</typeparam>
    /// <param name="services">The service collection.</param>
    /// <exception cref="InvalidOperationException"><typeparamref name="TService"/> is not registered, or no decorator was generated for it.</exception>
    public static IServiceCollection AddResilientDecorator<TService>(this IServiceCollection services)
        where TService : class
    {
        ArgumentNullException.ThrowIfNull(services);
        Func<TService, IServiceProvider, TService> factory = GetFactory<TService>();

        int index = -1;
        for (int i = services.Count - 1; i >= 0; i--)
        {
            ServiceDescriptor candidate = services[i];
            if (candidate.ServiceType == typeof(TService) && !candidate.IsKeyedService)
            {
                index = i;
                break;
            }
        }

        if (index < 0)
        {
            throw new InvalidOperationException(
                $"AddResilientDecorator<{typeof(TService).Name}>() found no registration of {typeof(TService).FullName} to wrap. "
                + $"Register {typeof(TService).Name} first (e.g. services.AddScoped<{typeof(TService).Name}, Implementation>()), "
                + $"or use services.AddResilient<{typeof(TService).Name}, Implementation>() to do both at once.");
        }

        ServiceDescriptor original = services[index];
        var innerKey = new DecoratedServiceKey(typeof(TService));
        ServiceDescriptor inner;
        if (original.ImplementationInstance is { } instance)
        {
            inner = new ServiceDescriptor(typeof(TService), innerKey, instance);
        }
        else if (original.ImplementationFactory is { } implementationFactory)
        {
            inner = new ServiceDescriptor(typeof(TService), innerKey, (sp, _) => implementationFactory(sp), original.Lifetime);
        }
        else
        {
            inner = new ServiceDescriptor(typeof(TService), innerKey, original.ImplementationType!, original.Lifetime);
        }

        services[index] = new ServiceDescriptor(
            typeof(TService),
            sp => factory(sp.GetRequiredKeyedService<TService>(innerKey), sp),
            original.Lifetime);
        services.Add(inner);
        services.AddResilienceRegistry();
        return services;
    }

    /// <summary>
    /// Registers a singleton <see cref="ResilienceRegistry"/> unless one is registered. It uses the registered
    /// <see cref="TimeProvider"/>, if any, takes the overrides of <see cref="ResilienceOptions"/> (set them with
    /// <c>services.Configure&lt;ResilienceOptions&gt;(...)</c> or <see cref="AddResilienceConfiguration"/>), follows
    /// their changes, and is disposed with the service provider. Its "Resilience" meter comes from the registered
    /// <see cref="System.Diagnostics.Metrics.IMeterFactory"/>, if any, and it logs retries, breaker transitions,
    /// rejections, timeouts, fallbacks and stale cache answers through the registered
    /// <see cref="Microsoft.Extensions.Logging.ILoggerFactory"/>, if any (category "Resilience"). A reload whose options
    /// fail validation is not applied: it is logged as a warning and raised as
    /// <see cref="ResilienceRegistry.OnConfigurationRejected"/>.
    /// </summary>
    /// <param name="services">The service collection.</param>
    public static IServiceCollection AddResilienceRegistry(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions<ResilienceOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ResilienceOptions>, ResilienceOptionsValidator>());
        services.TryAddSingleton(static sp =>
        {
            var registry = new ResilienceRegistry(
                sp.GetService<TimeProvider>(),
                cacheStore: null,
                sp.GetService<System.Diagnostics.Metrics.IMeterFactory>(),
                sp.GetService<Microsoft.Extensions.Logging.ILoggerFactory>(),
                sp.GetRequiredService<IOptionsMonitor<ResilienceOptions>>());

            // A reload that fails validation never reaches the monitor's listeners: watch for it to log and raise it.
            registry.ReportRejectedReloads(
                sp.GetRequiredService<IOptionsFactory<ResilienceOptions>>(),
                sp.GetServices<IOptionsChangeTokenSource<ResilienceOptions>>());
            return registry;
        });
        return services;
    }

    /// <summary>
    /// Binds <see cref="ResilienceOptions"/> to <paramref name="configuration"/> (usually
    /// <c>configuration.GetSection(ResilienceOptions.SectionName)</c>), validated at start-up and on every reload, and
    /// registers the <see cref="ResilienceRegistry"/> that applies them. Binding is generated at compile time (the
    /// configuration binder's source generator): no reflection, trimming- and AOT-safe. A value that does not parse
    /// (number, time span, enum name) fails validation, naming its path and the value.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configuration">The section holding <c>"Instances"</c>.</param>
    public static IServiceCollection AddResilienceConfiguration(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        // Bound by generated code (EnableConfigurationBindingGenerator), not the reflection binder: trimming and AOT keep working.
        services.AddSingleton<IConfigureOptions<ResilienceOptions>>(new ResilienceConfigurationReader(configuration));
        services.AddSingleton<IOptionsChangeTokenSource<ResilienceOptions>>(new ConfigurationChangeTokenSource<ResilienceOptions>(configuration));
        return services.AddResilienceRegistry();
    }

    private static Func<TService, IServiceProvider, TService> GetFactory<TService>()
        where TService : class
    {
        if (ResilientProxyFactory.TryGet<TService>(out Func<TService, IServiceProvider, TService>? factory))
        {
            return factory;
        }

        throw new InvalidOperationException(
            $"No resilient decorator was generated for {typeof(TService).FullName}. Put a resilience attribute ([Retry], [CircuitBreaker], "
            + "[RateLimit], [Bulkhead], [Timeout], [Fallback] or [CacheFallback]) on the interface or one of its methods, and make sure the "
            + "project that declares it references the Resilience.Generator package, so that the generator runs.");
    }

    /// <summary>The private key under which <see cref="AddResilientDecorator{TService}"/> keeps the original registration.</summary>
    private sealed class DecoratedServiceKey(Type serviceType)
    {
        public override string ToString() => $"{serviceType.FullName} (inner instance of its resilient decorator)";
    }
}
