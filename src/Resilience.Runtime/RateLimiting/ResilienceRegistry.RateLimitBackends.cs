namespace Resilience;

// The registry's part in moving rate limits off the process: it asks the registered providers once per rate limit,
// when it creates it. Kept in its own file so the registry's main file changes by one call per rate limit kind.
public sealed partial class ResilienceRegistry
{
    private IRateLimitBackendProvider[] _rateLimitBackendProviders = [];

    /// <summary>Sets the providers asked when a rate limit is created (from the container; before any is created).</summary>
    internal void UseRateLimitBackends(IEnumerable<IRateLimitBackendProvider> providers)
        => _rateLimitBackendProviders = [.. providers];

    private RateLimitStrategy WithBackend(RateLimitStrategy strategy, RateLimitOptions effective)
    {
        strategy.Backend = CreateRateLimitBackend(strategy.Name, effective, isKeyed: false);
        return strategy;
    }

    private KeyedRateLimitStrategy<TKey> WithBackend<TKey>(KeyedRateLimitStrategy<TKey> strategy, RateLimitOptions effective)
        where TKey : notnull
    {
        strategy.Backend = CreateRateLimitBackend(strategy.Name, effective, isKeyed: true);
        return strategy;
    }

    private IRateLimitBackend? CreateRateLimitBackend(string name, RateLimitOptions effective, bool isKeyed)
    {
        foreach (IRateLimitBackendProvider provider in _rateLimitBackendProviders)
        {
            if (provider.CreateBackend(name, effective.Clone(), isKeyed) is { } backend)
            {
                return backend;
            }
        }

        return null;
    }
}
