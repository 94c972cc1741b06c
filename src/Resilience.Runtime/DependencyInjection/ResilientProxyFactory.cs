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
/// emits the registration) and looks again.
/// </remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class ResilientProxyFactory
{
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

    private static class Cache<TService>
        where TService : class
    {
        public static volatile Func<TService, IServiceProvider, TService>? Factory;
    }
}
