namespace Resilience;

// The registry's part in sharing breaker state: it asks the registered providers once per breaker, when it creates it.
public sealed partial class ResilienceRegistry
{
    private ICircuitBreakerCoordinatorProvider[] _breakerCoordinatorProviders = [];

    /// <summary>Sets the providers asked when a breaker is created (from the container; before any is created).</summary>
    internal void UseCircuitBreakerCoordinators(IEnumerable<ICircuitBreakerCoordinatorProvider> providers)
        => _breakerCoordinatorProviders = [.. providers];

    private CircuitBreaker WithCoordinator(CircuitBreaker breaker, CircuitBreakerOptions effective)
    {
        if (CreateCoordinator(breaker.Name, effective, isKeyed: false) is { } coordinator)
        {
            breaker.Coordinator = coordinator;
            coordinator.Attach(breaker, null);
        }

        return breaker;
    }

    private KeyedCircuitBreaker<TKey> WithCoordinator<TKey>(KeyedCircuitBreaker<TKey> breaker, CircuitBreakerOptions effective)
        where TKey : notnull
    {
        breaker.Coordinator = CreateCoordinator(breaker.Name, effective, isKeyed: true);
        return breaker;
    }

    private CircuitBreakerCoordinator? CreateCoordinator(string name, CircuitBreakerOptions effective, bool isKeyed)
    {
        foreach (ICircuitBreakerCoordinatorProvider provider in _breakerCoordinatorProviders)
        {
            if (provider.CreateCoordinator(name, effective.Clone(), isKeyed) is { } coordinator)
            {
                return coordinator;
            }
        }

        return null;
    }
}
