using System.Diagnostics.CodeAnalysis;
using System.Linq;
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
    /// <see cref="TimeProvider"/> and <see cref="ICacheFallbackStore"/>, if any (without a store it keeps results in an
    /// <see cref="InMemoryCacheFallbackStore"/>), takes the overrides of <see cref="ResilienceOptions"/> (set them with
    /// <c>services.Configure&lt;ResilienceOptions&gt;(...)</c> or <see cref="AddResilienceConfiguration"/>), follows
    /// their changes, and is disposed with the service provider. Its "Resilience" meter comes from the registered
    /// <see cref="System.Diagnostics.Metrics.IMeterFactory"/>, if any, and it logs retries, breaker transitions,
    /// rejections, timeouts, fallbacks and stale cache answers through the registered
    /// <see cref="Microsoft.Extensions.Logging.ILoggerFactory"/>, if any (category "Resilience"). A reload whose options
    /// fail validation is not applied: it is logged as a warning and raised as
    /// <see cref="ResilienceRegistry.OnConfigurationRejected"/>. Every registered <see cref="IRateLimitBackendProvider"/> is
    /// asked, when a rate limit is created, whether it counts that limit's permits (Resilience.Redis registers one); every
    /// <see cref="ICircuitBreakerCoordinatorProvider"/>, when a breaker is created, whether it shares that breaker's state.
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
                sp.GetService<ICacheFallbackStore>(),
                sp.GetService<System.Diagnostics.Metrics.IMeterFactory>(),
                sp.GetService<Microsoft.Extensions.Logging.ILoggerFactory>(),
                sp.GetRequiredService<IOptionsMonitor<ResilienceOptions>>());
            registry.UseRateLimitBackends(sp.GetServices<IRateLimitBackendProvider>());
            registry.UseCircuitBreakerCoordinators(sp.GetServices<ICircuitBreakerCoordinatorProvider>());

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

    /// <summary>
    /// Registers the open generic <paramref name="implementationType"/> (e.g. <c>typeof(Repo&lt;&gt;)</c>) and exposes the
    /// open generic interface <paramref name="serviceType"/> (<c>typeof(IRepo&lt;&gt;)</c>) as its generated decorator, for
    /// every closed type the container is asked for (<c>IRepo&lt;Customer&gt;</c> → <c>RepoResilient&lt;Customer&gt;</c> around
    /// <c>Repo&lt;Customer&gt;</c>). Also registers a singleton <see cref="ResilienceRegistry"/> unless one is registered.
    /// </summary>
    /// <remarks>
    /// <para>
    /// Two open registrations are added: the implementation as a keyed service of <paramref name="serviceType"/> under
    /// <see cref="ResilientProxyFactory.InnerServiceKey"/>, and the decorator as <paramref name="serviceType"/>. The
    /// container closes both itself, as for any open generic registration: trimming keeps what it needs, and under Native
    /// AOT closing over a value type fails in the container (its own message) because no code was compiled for it; use
    /// <see cref="AddResilient{TService, TImplementation}"/> with the closed types there.
    /// </para>
    /// <para>
    /// Registrations of <paramref name="serviceType"/> made before stay, but the container resolves one service from the last
    /// open registration, so the decorator wins over an earlier <c>AddScoped(typeof(IRepo&lt;&gt;), …)</c>. A closed
    /// registration (<c>AddScoped&lt;IRepo&lt;Customer&gt;, CustomerRepo&gt;()</c>) always wins over open ones, before or
    /// after this call: that closed type is then not decorated.
    /// </para>
    /// </remarks>
    /// <param name="services">The service collection.</param>
    /// <param name="serviceType">A generic interface definition with resilience attributes (<c>typeof(IRepo&lt;&gt;)</c>).</param>
    /// <param name="implementationType">
    /// A generic class definition with the same number of type parameters that implements <paramref name="serviceType"/>
    /// over them, in order (<c>class Repo&lt;T&gt; : IRepo&lt;T&gt;</c>).
    /// </param>
    /// <param name="lifetime">The lifetime of both the implementation and the decorator. Default <see cref="ServiceLifetime.Scoped"/>.</param>
    /// <exception cref="ArgumentException">The types are not open generic definitions that fit each other; the message says what to change.</exception>
    /// <exception cref="InvalidOperationException">No decorator was generated for <paramref name="serviceType"/>, or it cannot be created by the container.</exception>
    public static IServiceCollection AddResilient(
        this IServiceCollection services,
        Type serviceType,
        [DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors | DynamicallyAccessedMemberTypes.Interfaces)] Type implementationType,
        ServiceLifetime lifetime = ServiceLifetime.Scoped)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(serviceType);
        ArgumentNullException.ThrowIfNull(implementationType);
        ValidateOpenGeneric(serviceType, implementationType);

        if (!ResilientProxyFactory.TryGetOpenGeneric(serviceType, out Type? decorator))
        {
            throw NoDecorator(serviceType);
        }

        if (decorator.GetConstructors().Length == 0)
        {
            throw new InvalidOperationException(
                $"{DisplayName(decorator)} has no public constructor, so the container cannot create it: a fallback handler type of "
                + $"{DisplayName(serviceType)} ([Fallback(typeof(T), ...)]) is internal. Make the handler type public, or register each closed "
                + $"type with services.AddResilient<{DisplayName(serviceType, "Type")}, Implementation>().");
        }

        services.AddResilienceRegistry();
        services.Add(new ServiceDescriptor(serviceType, ResilientProxyFactory.InnerServiceKey, implementationType, lifetime));
        services.Add(new ServiceDescriptor(serviceType, decorator, lifetime));
        return services;
    }

    private static void ValidateOpenGeneric(
        Type serviceType,
        [DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.Interfaces)] Type implementationType)
    {
        if (!serviceType.IsInterface)
        {
            throw new ArgumentException(
                $"{DisplayName(serviceType)} is not an interface. Pass the generic interface that carries the resilience attributes, e.g. typeof(IRepo<>).",
                nameof(serviceType));
        }

        if (!serviceType.IsGenericTypeDefinition)
        {
            throw new ArgumentException(
                $"{DisplayName(serviceType)} is not an open generic interface. For a non-generic or closed generic interface use "
                + $"services.AddResilient<{DisplayName(serviceType)}, Implementation>(); for an open one pass its definition, e.g. typeof(IRepo<>).",
                nameof(serviceType));
        }

        if (!implementationType.IsGenericTypeDefinition)
        {
            throw new ArgumentException(
                $"{DisplayName(implementationType)} is not an open generic class, but {DisplayName(serviceType)} is open: pass the implementation's "
                + $"definition (e.g. typeof(Repo<>)), or register one closed type with services.AddResilient<{DisplayName(serviceType, "Type")}, "
                + $"{DisplayName(implementationType)}>().",
                nameof(implementationType));
        }

        if (!implementationType.IsClass || implementationType.IsAbstract)
        {
            throw new ArgumentException(
                $"{DisplayName(implementationType)} is not a concrete class: the container must be able to create it. Pass a non-abstract class.",
                nameof(implementationType));
        }

        int serviceArity = serviceType.GetGenericArguments().Length;
        Type[] parameters = implementationType.GetGenericArguments();
        if (parameters.Length != serviceArity)
        {
            throw new ArgumentException(
                $"{DisplayName(serviceType)} has {serviceArity} type parameter(s) but {DisplayName(implementationType)} has {parameters.Length}: "
                + "the container closes the implementation with the interface's type arguments, so both need the same number, in the same order.",
                nameof(implementationType));
        }

        foreach (Type implemented in implementationType.GetInterfaces())
        {
            if (implemented.IsGenericType
                && implemented.GetGenericTypeDefinition() == serviceType
                && implemented.GetGenericArguments().AsSpan().SequenceEqual(parameters))
            {
                return;
            }
        }

        string over = $"{serviceType.Name.Split('`')[0]}<{string.Join(", ", parameters.Select(p => p.Name))}>";
        throw new ArgumentException(
            $"{DisplayName(implementationType)} does not implement {over}. Declare it as implementing the interface over its own type "
            + "parameters, in order, so that the container can close both alike.",
            nameof(implementationType));
    }

    private static Func<TService, IServiceProvider, TService> GetFactory<TService>()
        where TService : class
    {
        if (ResilientProxyFactory.TryGet<TService>(out Func<TService, IServiceProvider, TService>? factory))
        {
            return factory;
        }

        Type service = typeof(TService);
        if (service.IsConstructedGenericType && ResilientProxyFactory.TryGetOpenGeneric(service.GetGenericTypeDefinition(), out Type? decorator))
        {
            Type definition = service.GetGenericTypeDefinition();
            throw new InvalidOperationException(
                $"{DisplayName(service)} has a generated decorator ({DisplayName(decorator)}), but no registration for these type arguments. "
                + "The generator writes one where it sees the call with its type arguments written out, e.g. "
                + $"services.AddResilient<{DisplayName(service)}, Implementation>(), in a project that references Resilience.Generator. "
                + "This call's type arguments are type parameters of an enclosing generic method, or its project does not run the generator: "
                + $"write the call with concrete types, or register the open generic with services.AddResilient(typeof({DisplayName(definition, string.Empty)}), "
                + "typeof(Implementation<>)).");
        }

        throw NoDecorator(service);
    }

    private static InvalidOperationException NoDecorator(Type service) => new(
        $"No resilient decorator was generated for {DisplayName(service)}. Put a resilience attribute ([Retry], [CircuitBreaker], "
        + "[RateLimit], [Bulkhead], [Timeout], [Fallback] or [CacheFallback]) on the interface or one of its methods, and make sure the "
        + "project that declares it references the Resilience.Generator package, so that the generator runs.");

    /// <summary>
    /// A type as C# writes it (<c>Shop.IRepo&lt;Shop.Customer&gt;</c>); the type parameters of a definition are shown as
    /// <paramref name="parameterName"/> when given (<c>IRepo&lt;Type&gt;</c>, or <c>IRepo&lt;&gt;</c> for "").
    /// </summary>
    private static string DisplayName(Type type, string? parameterName = null)
    {
        if (type.IsGenericParameter)
        {
            return parameterName ?? type.Name;
        }

        string name = (type.FullName ?? type.Name).Replace('+', '.');
        if (!type.IsGenericType)
        {
            return name;
        }

        int tick = name.IndexOf('`', StringComparison.Ordinal);
        string bare = tick < 0 ? name : name.Substring(0, tick);
        if (type.IsGenericTypeDefinition && type.FullName is not null)
        {
            bare = type.FullName.Split('`')[0].Replace('+', '.');
        }
        else if (type.Namespace is not null)
        {
            bare = type.Namespace + "." + type.Name.Split('`')[0];
        }

        string[] arguments = type.GetGenericArguments().Select(a => DisplayName(a, parameterName)).ToArray();
        return $"{bare}<{string.Join(parameterName == string.Empty ? "," : ", ", arguments)}>";
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
