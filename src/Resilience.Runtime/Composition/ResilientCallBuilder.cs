namespace Resilience;

/// <summary>Collects the strategies of a <see cref="ResilientCall{T}"/>. Each strategy may be added once.</summary>
/// <typeparam name="T">The result type.</typeparam>
public sealed class ResilientCallBuilder<T>
{
    internal ResilientCallBuilder(ResilienceRegistry registry) => throw new NotImplementedException();

    /// <summary>Adds retries.</summary>
    /// <param name="options">The settings.</param>
    /// <param name="name">An instance name; <see langword="null"/> for a private instance.</param>
    public ResilientCallBuilder<T> WithRetry(RetryOptions options, string? name = null) => throw new NotImplementedException();

    /// <summary>Adds a circuit breaker. A named breaker is shared through the registry with generated classes and other calls.</summary>
    /// <param name="options">The settings.</param>
    /// <param name="name">An instance name; <see langword="null"/> for a private instance.</param>
    public ResilientCallBuilder<T> WithCircuitBreaker(CircuitBreakerOptions options, string? name = null) => throw new NotImplementedException();

    /// <summary>Adds a rate limit.</summary>
    /// <param name="options">The settings.</param>
    /// <param name="name">An instance name; <see langword="null"/> for a private instance.</param>
    public ResilientCallBuilder<T> WithRateLimit(RateLimitOptions options, string? name = null) => throw new NotImplementedException();

    /// <summary>Adds a bulkhead.</summary>
    /// <param name="options">The settings.</param>
    /// <param name="name">An instance name; <see langword="null"/> for a private instance.</param>
    public ResilientCallBuilder<T> WithBulkhead(BulkheadOptions options, string? name = null) => throw new NotImplementedException();

    /// <summary>Adds a timeout bounding everything inside it (breaker, retries and their delays).</summary>
    /// <param name="timeout">The limit.</param>
    /// <param name="name">An instance name; <see langword="null"/> for a private instance.</param>
    public ResilientCallBuilder<T> WithTimeout(TimeSpan timeout, string? name = null) => throw new NotImplementedException();

    /// <summary>Adds a fallback that answers any failure (rejections included) except the caller's own cancellation.</summary>
    /// <param name="fallback">Produces the answer from the failure.</param>
    public ResilientCallBuilder<T> WithFallback(Func<Exception, CancellationToken, ValueTask<T>> fallback) => throw new NotImplementedException();

    /// <summary>Adds a cache fallback under <paramref name="key"/>: a fresh result is returned without calling, a stale one answers a failure.</summary>
    /// <param name="key">The cache key of this call.</param>
    /// <param name="options">The settings.</param>
    public ResilientCallBuilder<T> WithCacheFallback(string key, CacheFallbackOptions options) => throw new NotImplementedException();

    /// <summary>Marks returned values as failures (for retry and breaker), for example HTTP 5xx responses.</summary>
    /// <param name="isFailure">Returns <see langword="true"/> for a failed result.</param>
    public ResilientCallBuilder<T> WithHandleResult(Func<T, bool> isFailure) => throw new NotImplementedException();

    /// <summary>Creates the call. Options are validated here.</summary>
    public ResilientCall<T> Build() => throw new NotImplementedException();
}
