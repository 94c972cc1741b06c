using Microsoft.Extensions.DependencyInjection;

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
    public static IServiceCollection AddResilient<TService, TImplementation>(this IServiceCollection services, ServiceLifetime lifetime = ServiceLifetime.Scoped)
        where TService : class
        where TImplementation : class, TService => throw new NotImplementedException();

    /// <summary>Wraps the already-registered <typeparamref name="TService"/> in its generated decorator, keeping its lifetime.</summary>
    /// <typeparam name="TService">An interface with resilience attributes, registered before this call.</typeparam>
    /// <param name="services">The service collection.</param>
    /// <exception cref="InvalidOperationException"><typeparamref name="TService"/> is not registered, or no decorator was generated for it.</exception>
    public static IServiceCollection AddResilientDecorator<TService>(this IServiceCollection services)
        where TService : class => throw new NotImplementedException();

    /// <summary>Registers a singleton <see cref="ResilienceRegistry"/> unless one is registered.</summary>
    /// <param name="services">The service collection.</param>
    public static IServiceCollection AddResilienceRegistry(this IServiceCollection services) => throw new NotImplementedException();
}
