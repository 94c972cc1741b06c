using System.Diagnostics.CodeAnalysis;

namespace Resilience;

/// <summary>
/// Owns the named strategy instances, the clock and the cache store. The same name (per kind of strategy) returns the
/// same instance, so breakers, bulkheads and limits are shared across interfaces; asking for an existing name with
/// different settings throws, because two declarations disagree.
/// </summary>
public sealed class ResilienceRegistry
{
    /// <summary>Creates a registry.</summary>
    /// <param name="timeProvider">The clock of every instance it creates; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    /// <param name="cacheStore">Where cache fallbacks keep results; a new <see cref="InMemoryCacheFallbackStore"/> when <see langword="null"/>.</param>
    public ResilienceRegistry(TimeProvider? timeProvider = null, ICacheFallbackStore? cacheStore = null) => throw new NotImplementedException();

    /// <summary>The process-wide registry used by generated classes constructed without one.</summary>
    public static ResilienceRegistry Shared => throw new NotImplementedException();

    /// <summary>The clock of every instance this registry creates.</summary>
    public TimeProvider TimeProvider => throw new NotImplementedException();

    /// <summary>Where cache fallbacks keep results.</summary>
    public ICacheFallbackStore CacheStore => throw new NotImplementedException();

    /// <summary>Returns the breaker named <paramref name="name"/>, creating it with <paramref name="options"/> on first use.</summary>
    /// <param name="name">The instance name.</param>
    /// <param name="options">The settings; must equal those of an existing instance of that name.</param>
    /// <exception cref="InvalidOperationException">An instance of that name exists with different settings.</exception>
    public CircuitBreaker GetOrAddCircuitBreaker(string name, CircuitBreakerOptions options) => throw new NotImplementedException();

    /// <summary>Returns the retry strategy named <paramref name="name"/>, creating it with <paramref name="options"/> on first use.</summary>
    /// <param name="name">The instance name.</param>
    /// <param name="options">The settings; must equal those of an existing instance of that name.</param>
    /// <exception cref="InvalidOperationException">An instance of that name exists with different settings.</exception>
    public RetryStrategy GetOrAddRetry(string name, RetryOptions options) => throw new NotImplementedException();

    /// <summary>Returns the timeout named <paramref name="name"/>, creating it on first use.</summary>
    /// <param name="name">The instance name.</param>
    /// <param name="timeout">The limit; must equal that of an existing instance of that name.</param>
    /// <exception cref="InvalidOperationException">An instance of that name exists with a different limit.</exception>
    public TimeoutStrategy GetOrAddTimeout(string name, TimeSpan timeout) => throw new NotImplementedException();

    /// <summary>Returns the bulkhead named <paramref name="name"/>, creating it with <paramref name="options"/> on first use.</summary>
    /// <param name="name">The instance name.</param>
    /// <param name="options">The settings; must equal those of an existing instance of that name.</param>
    /// <exception cref="InvalidOperationException">An instance of that name exists with different settings.</exception>
    public Bulkhead GetOrAddBulkhead(string name, BulkheadOptions options) => throw new NotImplementedException();

    /// <summary>Returns the rate limit named <paramref name="name"/>, creating it with <paramref name="options"/> on first use.</summary>
    /// <param name="name">The instance name.</param>
    /// <param name="options">The settings; must equal those of an existing instance of that name.</param>
    /// <exception cref="InvalidOperationException">An instance of that name exists with different settings.</exception>
    public RateLimitStrategy GetOrAddRateLimit(string name, RateLimitOptions options) => throw new NotImplementedException();

    /// <summary>Returns the keyed rate limit named <paramref name="name"/>, creating it with <paramref name="options"/> on first use.</summary>
    /// <typeparam name="TKey">The key type; must match that of an existing instance of that name.</typeparam>
    /// <param name="name">The instance name.</param>
    /// <param name="options">The settings; must equal those of an existing instance of that name.</param>
    /// <exception cref="InvalidOperationException">An instance of that name exists with different settings or key type.</exception>
    public KeyedRateLimitStrategy<TKey> GetOrAddKeyedRateLimit<TKey>(string name, RateLimitOptions options)
        where TKey : notnull => throw new NotImplementedException();

    /// <summary>Returns the cache fallback named <paramref name="name"/>, creating it with <paramref name="options"/> on first use.</summary>
    /// <param name="name">The instance name.</param>
    /// <param name="options">The settings; must equal those of an existing instance of that name.</param>
    /// <exception cref="InvalidOperationException">An instance of that name exists with different settings.</exception>
    public CacheFallbackStrategy GetOrAddCacheFallback(string name, CacheFallbackOptions options) => throw new NotImplementedException();

    /// <summary>Finds an existing breaker by name.</summary>
    /// <param name="name">The instance name.</param>
    /// <param name="breaker">The breaker, when found.</param>
    public bool TryGetCircuitBreaker(string name, [NotNullWhen(true)] out CircuitBreaker? breaker) => throw new NotImplementedException();

    /// <summary>Finds an existing bulkhead by name.</summary>
    /// <param name="name">The instance name.</param>
    /// <param name="bulkhead">The bulkhead, when found.</param>
    public bool TryGetBulkhead(string name, [NotNullWhen(true)] out Bulkhead? bulkhead) => throw new NotImplementedException();
}
