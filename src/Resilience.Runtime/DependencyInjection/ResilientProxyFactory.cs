using System.ComponentModel;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace Resilience;

/// <summary>
/// The map from an interface to its generated decorator, filled by generated module initializers so that
/// <see cref="ResilienceServiceCollectionExtensions"/> needs no reflection. Not for hand-written code.
/// </summary>
/// <remarks>
/// One static field per interface type holds the factory, so a lookup is a field read. When nothing is registered
/// yet, <see cref="TryGet{TService}"/> runs the module initializers of the interface's module (where the generator
/// emits the registration) and looks again. A closed generic interface (<c>IRepo&lt;Customer&gt;</c>) is registered by
/// the module that calls <c>AddResilient</c> with it (its module initializer runs before that call); a generic
/// interface's own module maps its definition to the decorator's (<see cref="RegisterOpenGeneric"/>) for open generic
/// registration.
/// </remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class ResilientProxyFactory
{
    /// <summary>
    /// The service key under which <see cref="ResilienceServiceCollectionExtensions.AddResilient(Microsoft.Extensions.DependencyInjection.IServiceCollection, Type, Type, Microsoft.Extensions.DependencyInjection.ServiceLifetime)"/>
    /// registers the implementation of an open generic interface; a generic decorator's <c>inner</c> constructor parameter
    /// is resolved under it (<c>[FromKeyedServices]</c>), so the container never hands a decorator itself as its inner instance.
    /// </summary>
    public const string InnerServiceKey = "Resilience.ResilientProxyFactory.InnerServiceKey";

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<Type, Type> OpenDecorators = new();

    /// <summary>Registers the factory that wraps an inner <typeparamref name="TService"/> in its generated decorator.</summary>
    /// <typeparam name="TService">The decorated interface.</typeparam>
    /// <param name="factory">Creates the decorator from the inner instance and the service provider.</param>
    public static void Register<TService>(Func<TService, IServiceProvider, TService> factory)
        where TService : class
    {
        ArgumentNullException.ThrowIfNull(factory);
        Cache<TService>.Factory = factory;
    }

    /// <summary>Finds the factory registered for <typeparamref name="TService"/>.</summary>
    /// <typeparam name="TService">The decorated interface.</typeparam>
    /// <param name="factory">The factory, when found.</param>
    public static bool TryGet<TService>([NotNullWhen(true)] out Func<TService, IServiceProvider, TService>? factory)
        where TService : class
    {
        factory = Cache<TService>.Factory;
        if (factory is null)
        {
            // The generated [ModuleInitializer] lives in the module that declares the interface.
            RuntimeHelpers.RunModuleConstructor(typeof(TService).Module.ModuleHandle);
            factory = Cache<TService>.Factory;
        }

        return factory is not null;
    }

    /// <summary>
    /// Registers the generated decorator of a generic interface: <paramref name="decoratorDefinition"/> (e.g.
    /// <c>typeof(RepoResilient&lt;&gt;)</c>) implements <paramref name="interfaceDefinition"/> (<c>typeof(IRepo&lt;&gt;)</c>).
    /// </summary>
    /// <param name="interfaceDefinition">The generic interface's definition.</param>
    /// <param name="decoratorDefinition">The generic decorator's definition; its public constructors are kept by the trimmer.</param>
    public static void RegisterOpenGeneric(
        Type interfaceDefinition,
        [DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] Type decoratorDefinition)
    {
        ArgumentNullException.ThrowIfNull(interfaceDefinition);
        ArgumentNullException.ThrowIfNull(decoratorDefinition);
        OpenDecorators[interfaceDefinition] = decoratorDefinition;
    }

    /// <summary>Finds the generated decorator registered for the generic interface definition <paramref name="interfaceDefinition"/>.</summary>
    /// <param name="interfaceDefinition">The generic interface's definition (<c>typeof(IRepo&lt;&gt;)</c>).</param>
    /// <param name="decoratorDefinition">The decorator's definition, when found.</param>
    [UnconditionalSuppressMessage("Trimming", "IL2073", Justification = "Only RegisterOpenGeneric writes the map, and its parameter carries the same annotation.")]
    [UnconditionalSuppressMessage("Trimming", "IL2069", Justification = "Only RegisterOpenGeneric writes the map, and its parameter carries the same annotation.")]
    public static bool TryGetOpenGeneric(
        Type interfaceDefinition,
        [NotNullWhen(true)][DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] out Type? decoratorDefinition)
    {
        ArgumentNullException.ThrowIfNull(interfaceDefinition);
        if (!OpenDecorators.TryGetValue(interfaceDefinition, out Type? found))
        {
            RuntimeHelpers.RunModuleConstructor(interfaceDefinition.Module.ModuleHandle);
            OpenDecorators.TryGetValue(interfaceDefinition, out found);
        }

        decoratorDefinition = found;
        return found is not null;
    }

    private static class Cache<TService>
        where TService : class
    {
        public static volatile Func<TService, IServiceProvider, TService>? Factory;
    }
}
