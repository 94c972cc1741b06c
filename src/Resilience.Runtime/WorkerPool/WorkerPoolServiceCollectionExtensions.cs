using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Resilience;

/// <summary>Registers <see cref="WorkerPool"/>s with <see cref="IServiceCollection"/>, drained when the application stops.</summary>
public static class WorkerPoolServiceCollectionExtensions
{
    /// <summary>
    /// Registers a singleton <see cref="WorkerPool"/> named <paramref name="name"/>, resolved as a keyed service
    /// (<c>[FromKeyedServices("name")] WorkerPool pool</c> or <c>GetRequiredKeyedService&lt;WorkerPool&gt;("name")</c>),
    /// on the registered <see cref="TimeProvider"/>, reporting to the <see cref="ResilienceRegistry"/>'s telemetry (one is
    /// registered unless it is already), and an <see cref="IHostedService"/> whose <see cref="IHostedService.StopAsync"/>
    /// shuts the pool down: the queued and running jobs get <see cref="WorkerPoolOptions.ShutdownTimeout"/> to finish,
    /// then the running ones are cancelled and the queued ones dropped. Disposing the service provider shuts it down at
    /// once (<see cref="WorkerPool.DisposeAsync"/>), if the host has not.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="name">The pool's name; one registration per name.</param>
    /// <param name="configure">Sets the pool's options; validated when the pool is created.</param>
    /// <exception cref="InvalidOperationException">A worker pool of that name is already registered.</exception>
    public static IServiceCollection AddWorkerPool(this IServiceCollection services, string name, Action<WorkerPoolOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (services.Any(d => d.IsKeyedService && d.ServiceType == typeof(WorkerPool) && Equals(d.ServiceKey, name)))
        {
            throw new InvalidOperationException($"A worker pool named '{name}' is already registered; give each pool its own name.");
        }

        services.AddResilienceRegistry();
        services.AddKeyedSingleton(name, (sp, _) =>
        {
            var options = new WorkerPoolOptions();
            configure?.Invoke(options);
            ResilienceRegistry registry = sp.GetRequiredService<ResilienceRegistry>();
            return registry.AddWorkerPool(new WorkerPool(name, options, sp.GetService<TimeProvider>(), registry.Telemetry));
        });
        services.AddSingleton<IHostedService>(sp => new WorkerPoolHostedService(sp.GetRequiredKeyedService<WorkerPool>(name)));
        return services;
    }

    /// <summary>
    /// Registers a worker pool as <see cref="AddWorkerPool(IServiceCollection, string, Action{WorkerPoolOptions}?)"/> does,
    /// with its options read from <paramref name="configuration"/> (keys <c>MaxConcurrency</c>, <c>MaxQueue</c>,
    /// <c>ShutdownTimeout</c>; absent keys keep the defaults), e.g.
    /// <c>services.AddWorkerPool("emails", configuration.GetSection("WorkerPools:emails"))</c>. Read once, when the pool
    /// is created: a later change of the configuration does not resize a running pool.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="name">The pool's name; one registration per name.</param>
    /// <param name="configuration">The section holding the pool's options.</param>
    /// <exception cref="InvalidOperationException">A worker pool of that name is already registered.</exception>
    public static IServiceCollection AddWorkerPool(this IServiceCollection services, string name, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return services.AddWorkerPool(name, options => configuration.Bind(options));
    }

    /// <summary>Creates the pool when the host starts, and shuts it down within its <see cref="WorkerPoolOptions.ShutdownTimeout"/> when the host stops.</summary>
    private sealed class WorkerPoolHostedService : IHostedService
    {
        private readonly WorkerPool _pool;

        public WorkerPoolHostedService(WorkerPool pool) => _pool = pool;

        public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => _pool.ShutdownAsync(_pool.ShutdownTimeout, cancellationToken);
    }
}
