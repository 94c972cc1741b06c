using System.ComponentModel;

namespace Resilience;

/// <summary>
/// The map from an interface to its generated decorator, filled by generated module initializers so that
/// <see cref="ResilienceServiceCollectionExtensions"/> needs no reflection. Not for hand-written code.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class ResilientProxyFactory
{
    /// <summary>Registers the factory that wraps an inner <typeparamref name="TService"/> in its generated decorator.</summary>
    /// <typeparam name="TService">The decorated interface.</typeparam>
    /// <param name="factory">Creates the decorator from the inner instance and the service provider.</param>
    public static void Register<TService>(Func<TService, IServiceProvider, TService> factory)
        where TService : class => throw new NotImplementedException();

    /// <summary>Finds the factory registered for <typeparamref name="TService"/>.</summary>
    /// <typeparam name="TService">The decorated interface.</typeparam>
    /// <param name="factory">The factory, when found.</param>
    public static bool TryGet<TService>([System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Func<TService, IServiceProvider, TService>? factory)
        where TService : class => throw new NotImplementedException();
}
