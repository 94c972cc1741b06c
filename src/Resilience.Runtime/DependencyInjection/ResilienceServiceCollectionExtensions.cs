using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
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
    /// <remarks>
    /// <para>
    /// It never silently replaces a registration it did not make. A registration of <typeparamref name="TImplementation"/>
    /// made before this call (a typed HttpClient, <c>services.AddHttpClient&lt;TImplementation&gt;(...)</c>, or any other)
    /// is kept and wrapped, with its own lifetime; one made after it replaces the plain one this call adds, as usual. A
    /// registration of <typeparamref name="TService"/> made before this call makes it throw (use
    /// <see cref="AddResilientDecorator{TService}"/> to wrap that one). A registration of <typeparamref name="TService"/>
    /// made after it, which would hide the decorator, fails the host's start (the options start-up validation that
    /// <c>ValidateOnStart</c> uses) with a message that says what to write instead.
    /// </para>
    /// </remarks>
    /// <typeparam name="TService">An interface with resilience attributes.</typeparam>
    /// <typeparam name="TImplementation">The real implementation.</typeparam>
    /// <param name="services">The service collection.</param>
    /// <param name="lifetime">The lifetime of both the implementation and the decorator. Default <see cref="ServiceLifetime.Scoped"/>.</param>
    /// <exception cref="InvalidOperationException">No decorator was generated for <typeparamref name="TService"/>, or <typeparamref name="TService"/> is already registered.</exception>
    public static IServiceCollection AddResilient<TService, [DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TImplementation>(this IServiceCollection services, ServiceLifetime lifetime = ServiceLifetime.Scoped)
        where TService : class
        where TImplementation : class, TService
    {
        ArgumentNullException.ThrowIfNull(services);
        Func<TService, IServiceProvider, TService> factory = GetFactory<TService>();
        string call = $"AddResilient<{typeof(TService).Name}, {typeof(TImplementation).Name}>()";
        if (FindLast(services, typeof(TService)) is { } existing && !OwnDescriptors.TryGetValue(existing, out _))
        {
            throw new InvalidOperationException(
                $"{call} would replace the registration of {typeof(TService).FullName} made before it ({Describe(existing)}), which would then be silently ignored. "
                + $"To wrap that registration, write services.AddResilientDecorator<{typeof(TService).Name}>() after it instead "
                + $"(for a typed HttpClient, chain .AddResilientDecorator<{typeof(TService).Name}>() on services.AddHttpClient<{typeof(TService).Name}, {typeof(TImplementation).Name}>(...), from the Resilience.Http package). "
                + $"To replace it on purpose, remove it first: services.RemoveAll<{typeof(TService).Name}>().");
        }

        services.AddResilienceRegistry();

        // A registration of the implementation made elsewhere (a typed HttpClient with its BaseAddress and handlers,
        // say) is composed with, never replaced.
        if (FindLast(services, typeof(TImplementation)) is null)
        {
            services.Add(new ServiceDescriptor(typeof(TImplementation), typeof(TImplementation), lifetime));
        }

        var decorator = new ServiceDescriptor(
            typeof(TService),
            sp => factory(sp.GetRequiredService<TImplementation>(), sp),
            lifetime);
        services.Add(decorator);
        CheckStillRegisteredAtStart(services, decorator, call);
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

        var decorator = new ServiceDescriptor(
            typeof(TService),
            sp => factory(sp.GetRequiredKeyedService<TService>(innerKey), sp),
            original.Lifetime);
        services[index] = decorator;
        services.Add(inner);
        services.AddResilienceRegistry();
        CheckStillRegisteredAtStart(services, decorator, $"AddResilientDecorator<{typeof(TService).Name}>()");
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

    /// <summary>The last non-keyed registration of <paramref name="serviceType"/>, the one the container resolves.</summary>
    private static ServiceDescriptor? FindLast(IServiceCollection services, Type serviceType)
    {
        for (int i = services.Count - 1; i >= 0; i--)
        {
            ServiceDescriptor candidate = services[i];
            if (candidate.ServiceType == serviceType && !candidate.IsKeyedService)
            {
                return candidate;
            }
        }

        return null;
    }

    private static string Describe(ServiceDescriptor descriptor)
    {
        string lifetime = descriptor.Lifetime.ToString().ToLowerInvariant();
        if (descriptor.ImplementationInstance is { } instance)
        {
            return $"an instance of {instance.GetType().FullName}";
        }

        return descriptor.ImplementationType is { } type
            ? $"{lifetime}, implemented by {type.FullName}"
            : $"{lifetime}, created by a factory (as AddHttpClient, AddRefitClient or services.Add...(sp => ...) register it)";
    }

    /// <summary>
    /// Makes the host's start fail when, by then, a later registration of the service hides <paramref name="decorator"/>
    /// (ValidateOnStart's start-up validation; a container built without a host is not checked).
    /// </summary>
    private static void CheckStillRegisteredAtStart(IServiceCollection services, ServiceDescriptor decorator, string call)
    {
        OwnDescriptors.AddOrUpdate(decorator, call);
        services.AddOptions<DecoratorRegistrations>().ValidateOnStart();
        services.AddSingleton<IValidateOptions<DecoratorRegistrations>>(new DecoratorStillRegistered(services, decorator, call));
    }

    /// <summary>Decorator registrations this class made (kept while their descriptor lives), so that one wrapping another is not taken for a replacement.</summary>
    private static readonly ConditionalWeakTable<ServiceDescriptor, string> OwnDescriptors = new();

    /// <summary>An empty options type whose start-up validation checks that each decorator is still the registration in force.</summary>
    private sealed class DecoratorRegistrations
    {
    }

    private sealed class DecoratorStillRegistered(IServiceCollection services, ServiceDescriptor decorator, string call) : IValidateOptions<DecoratorRegistrations>
    {
        public ValidateOptionsResult Validate(string? name, DecoratorRegistrations options)
        {
            ServiceDescriptor? last = FindLast(services, decorator.ServiceType);
            if (last is null || ReferenceEquals(last, decorator) || OwnDescriptors.TryGetValue(last, out _))
            {
                return ValidateOptionsResult.Success;
            }

            string service = decorator.ServiceType.Name;
            return ValidateOptionsResult.Fail(
                $"{decorator.ServiceType.FullName} was registered again after {call} ({Describe(last)}); that later registration hides the resilient decorator, "
                + $"so calls to {service} would bypass every resilience strategy. Make the decorator the last registration of {service}: move {call} after the other registration, "
                + $"or wrap that registration with services.AddResilientDecorator<{service}>() after it "
                + $"(for a typed HttpClient or a Refit client: chain .AddResilientDecorator<{service}>() on AddHttpClient<{service}, ...>(...) or AddRefitClient<{service}>(), from the Resilience.Http package).");
        }
    }

    /// <summary>The private key under which <see cref="AddResilientDecorator{TService}"/> keeps the original registration.</summary>
    private sealed class DecoratedServiceKey(Type serviceType)
    {
        public override string ToString() => $"{serviceType.FullName} (inner instance of its resilient decorator)";
    }
}
