using Microsoft.Extensions.Time.Testing;
using Resilience;

namespace Resilience.Runtime.Tests.Registry;

// The test folders CircuitBreaker/ and Bulkhead/ declare namespaces that hide these types.
using Bulkhead = global::Resilience.Bulkhead;
using CircuitBreaker = global::Resilience.CircuitBreaker;

public sealed class ResilienceRegistryTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero));

    [Fact]
    public void The_same_name_returns_the_same_instance_for_every_kind()
    {
        var registry = new ResilienceRegistry(_time);

        Assert.Same(registry.GetOrAddCircuitBreaker("x", new CircuitBreakerOptions()), registry.GetOrAddCircuitBreaker("x", new CircuitBreakerOptions()));
        Assert.Same(registry.GetOrAddRetry("x", new RetryOptions()), registry.GetOrAddRetry("x", new RetryOptions()));
        Assert.Same(registry.GetOrAddTimeout("x", TimeSpan.FromSeconds(1)), registry.GetOrAddTimeout("x", TimeSpan.FromSeconds(1)));
        Assert.Same(registry.GetOrAddBulkhead("x", new BulkheadOptions()), registry.GetOrAddBulkhead("x", new BulkheadOptions()));
        Assert.Same(registry.GetOrAddRateLimit("x", new RateLimitOptions()), registry.GetOrAddRateLimit("x", new RateLimitOptions()));
        Assert.Same(registry.GetOrAddCacheFallback("x", new CacheFallbackOptions()), registry.GetOrAddCacheFallback("x", new CacheFallbackOptions()));
        Assert.NotSame(registry.GetOrAddCacheFallback("x", new CacheFallbackOptions()), registry.GetOrAddCacheFallback("y", new CacheFallbackOptions()));
    }

    [Fact]
    public void Kinds_are_separate_name_spaces()
    {
        var registry = new ResilienceRegistry(_time);

        CircuitBreaker breaker = registry.GetOrAddCircuitBreaker("users-db", new CircuitBreakerOptions());
        Bulkhead bulkhead = registry.GetOrAddBulkhead("users-db", new BulkheadOptions { MaxConcurrency = 3 });
        CacheFallbackStrategy cache = registry.GetOrAddCacheFallback("users-db", new CacheFallbackOptions());

        Assert.Equal("users-db", breaker.Name);
        Assert.Equal("users-db", bulkhead.Name);
        Assert.Equal("users-db", cache.Name);
        Assert.True(registry.TryGetCircuitBreaker("users-db", out CircuitBreaker? foundBreaker));
        Assert.Same(breaker, foundBreaker);
        Assert.True(registry.TryGetBulkhead("users-db", out Bulkhead? foundBulkhead));
        Assert.Same(bulkhead, foundBulkhead);
        Assert.False(registry.TryGetBulkhead("other", out _));
        Assert.False(registry.TryGetCircuitBreaker("other", out _));
    }

    [Fact]
    public void Retries_and_cache_fallbacks_are_found_by_name_once_created()
    {
        var registry = new ResilienceRegistry(_time);
        Assert.False(registry.TryGetRetry("users-db", out _));
        Assert.False(registry.TryGetCacheFallback("users-db", out _));

        RetryStrategy retry = registry.GetOrAddRetry("users-db", new RetryOptions());
        CacheFallbackStrategy cache = registry.GetOrAddCacheFallback("users-db", new CacheFallbackOptions());

        Assert.True(registry.TryGetRetry("users-db", out RetryStrategy? foundRetry));
        Assert.Same(retry, foundRetry);
        Assert.True(registry.TryGetCacheFallback("users-db", out CacheFallbackStrategy? foundCache));
        Assert.Same(cache, foundCache);
        Assert.False(registry.TryGetCacheFallback("other", out _));
    }

    [Fact]
    public void Different_settings_for_an_existing_name_throw_naming_the_name_and_kind()
    {
        var registry = new ResilienceRegistry(_time);
        registry.GetOrAddCacheFallback("prices", new CacheFallbackOptions { Ttl = TimeSpan.FromSeconds(1) });

        var ex = Assert.Throws<InvalidOperationException>(
            () => registry.GetOrAddCacheFallback("prices", new CacheFallbackOptions { Ttl = TimeSpan.FromSeconds(2) }));

        Assert.Contains("'prices'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("cache fallback", ex.Message, StringComparison.Ordinal);
        Assert.Contains("disagree", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Ttl = 00:00:01", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Ttl = 00:00:02", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Different_settings_throw_for_breakers_retries_timeouts_bulkheads_and_rate_limits()
    {
        var registry = new ResilienceRegistry(_time);
        registry.GetOrAddCircuitBreaker("n", new CircuitBreakerOptions { FailureThreshold = 5 });
        registry.GetOrAddRetry("n", new RetryOptions { MaxRetries = 3 });
        registry.GetOrAddTimeout("n", TimeSpan.FromSeconds(1));
        registry.GetOrAddBulkhead("n", new BulkheadOptions { MaxConcurrency = 4 });
        registry.GetOrAddRateLimit("n", new RateLimitOptions { PermitLimit = 10 });

        Assert.Contains("circuit breaker 'n'", Assert.Throws<InvalidOperationException>(() => registry.GetOrAddCircuitBreaker("n", new CircuitBreakerOptions { FailureThreshold = 6 })).Message, StringComparison.Ordinal);
        Assert.Contains("retry 'n'", Assert.Throws<InvalidOperationException>(() => registry.GetOrAddRetry("n", new RetryOptions { MaxRetries = 4 })).Message, StringComparison.Ordinal);
        Assert.Contains("1000 ms", Assert.Throws<InvalidOperationException>(() => registry.GetOrAddTimeout("n", TimeSpan.FromSeconds(2))).Message, StringComparison.Ordinal);
        Assert.Contains("bulkhead 'n'", Assert.Throws<InvalidOperationException>(() => registry.GetOrAddBulkhead("n", new BulkheadOptions { MaxConcurrency = 5 })).Message, StringComparison.Ordinal);
        Assert.Contains("rate limit 'n'", Assert.Throws<InvalidOperationException>(() => registry.GetOrAddRateLimit("n", new RateLimitOptions { PermitLimit = 11 })).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Keyed_rate_limits_must_agree_on_the_key_type()
    {
        using var registry = new ResilienceRegistry(_time);
        KeyedRateLimitStrategy<string> keyed = registry.GetOrAddKeyedRateLimit<string>("tenants", new RateLimitOptions());

        Assert.Same(keyed, registry.GetOrAddKeyedRateLimit<string>("tenants", new RateLimitOptions()));
        var wrongKey = Assert.Throws<InvalidOperationException>(() => registry.GetOrAddKeyedRateLimit<int>("tenants", new RateLimitOptions()));
        Assert.Contains("System.String", wrongKey.Message, StringComparison.Ordinal);
        Assert.Contains("System.Int32", wrongKey.Message, StringComparison.Ordinal);
        var unkeyed = Assert.Throws<InvalidOperationException>(() => registry.GetOrAddRateLimit("tenants", new RateLimitOptions()));
        Assert.Contains("without a key", unkeyed.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Invalid_options_throw_from_validation_and_register_nothing()
    {
        var registry = new ResilienceRegistry(_time);

        Assert.ThrowsAny<ArgumentException>(() => registry.GetOrAddCacheFallback("c", new CacheFallbackOptions { Ttl = TimeSpan.FromSeconds(-1) }));
        Assert.ThrowsAny<ArgumentException>(() => registry.GetOrAddBulkhead("b", new BulkheadOptions { MaxConcurrency = 0 }));
        Assert.ThrowsAny<ArgumentException>(() => registry.GetOrAddTimeout("t", TimeSpan.Zero));

        // Nothing was registered, so a valid declaration of the same name is accepted, not reported as a conflict.
        Assert.Equal("c", registry.GetOrAddCacheFallback("c", new CacheFallbackOptions()).Name);
        registry.GetOrAddBulkhead("b", new BulkheadOptions { MaxConcurrency = 2 });
        Assert.True(registry.TryGetBulkhead("b", out Bulkhead? bulkhead));
        Assert.Equal(2, bulkhead.MaxConcurrency);
    }

    [Fact]
    public void Names_must_not_be_null_or_empty()
    {
        var registry = new ResilienceRegistry(_time);

        Assert.Throws<ArgumentException>(() => registry.GetOrAddCacheFallback("", new CacheFallbackOptions()));
        Assert.Throws<ArgumentNullException>(() => registry.GetOrAddCacheFallback(null!, new CacheFallbackOptions()));
        Assert.Throws<ArgumentNullException>(() => registry.GetOrAddCacheFallback("c", null!));
    }

    [Fact]
    public void The_registry_clock_and_store_reach_the_instances_it_creates()
    {
        var registry = new ResilienceRegistry(_time);
        Assert.Same(_time, registry.TimeProvider);
        var store = Assert.IsType<InMemoryCacheFallbackStore>(registry.CacheStore);
        Assert.Equal(10_000, store.MaxEntries);

        CacheFallbackStrategy cache = registry.GetOrAddCacheFallback("c", new CacheFallbackOptions { Ttl = TimeSpan.FromSeconds(5) });
        cache.Store("k", 1);
        Assert.True(registry.CacheStore.TryGet("k", out _));
        _time.Advance(TimeSpan.FromSeconds(5));
        Assert.False(cache.TryGetFresh("k", out int _)); // expired on the fake clock, not the system one

        var custom = new InMemoryCacheFallbackStore(5, _time);
        Assert.Same(custom, new ResilienceRegistry(_time, custom).CacheStore);
        Assert.Same(TimeProvider.System, new ResilienceRegistry().TimeProvider);
    }

    [Fact]
    public void Created_breakers_and_timeouts_run_on_the_registry_clock()
    {
        var registry = new ResilienceRegistry(_time);
        CircuitBreaker breaker = registry.GetOrAddCircuitBreaker("b", new CircuitBreakerOptions { FailureThreshold = 1, BreakDuration = TimeSpan.FromSeconds(10) });
        CircuitBreakerLease lease = breaker.Acquire();
        lease.RecordException(new InvalidOperationException(), CancellationToken.None);
        Assert.Equal(CircuitState.Open, breaker.State);

        _time.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(CircuitState.HalfOpen, breaker.State);

        TimeoutStrategy timeout = registry.GetOrAddTimeout("t", TimeSpan.FromSeconds(1));
        using TimeoutScope scope = timeout.Start(CancellationToken.None);
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.True(scope.Token.IsCancellationRequested);
        Assert.True(scope.IsExpired);
    }

    [Fact]
    public void Shared_is_one_lazily_created_instance_on_the_system_clock_and_ignores_Dispose()
    {
        ResilienceRegistry shared = ResilienceRegistry.Shared;

        Assert.Same(shared, ResilienceRegistry.Shared);
        Assert.Same(TimeProvider.System, shared.TimeProvider);
        shared.Dispose();
        Assert.NotNull(shared.GetOrAddCacheFallback("Resilience.Runtime.Tests.Registry.shared-after-dispose", new CacheFallbackOptions()));
        ResilienceRegistry[] seen = new ResilienceRegistry[16];
        Parallel.For(0, seen.Length, i => seen[i] = ResilienceRegistry.Shared);
        Assert.All(seen, r => Assert.Same(shared, r));
    }

    [Fact]
    public void Dispose_stops_creating_instances_but_keeps_returning_existing_ones()
    {
        var registry = new ResilienceRegistry(_time);
        CacheFallbackStrategy existing = registry.GetOrAddCacheFallback("c", new CacheFallbackOptions());

        registry.Dispose();

        Assert.Same(existing, registry.GetOrAddCacheFallback("c", new CacheFallbackOptions()));
        Assert.Throws<ObjectDisposedException>(() => registry.GetOrAddCacheFallback("new", new CacheFallbackOptions()));
    }

    [Fact]
    public void Concurrent_GetOrAdd_from_many_threads_creates_one_instance_per_name()
    {
        const int threadCount = 8;
        for (int round = 0; round < 100; round++)
        {
            var registry = new ResilienceRegistry(_time);
            var caches = new CacheFallbackStrategy[threadCount];
            var breakers = new CircuitBreaker[threadCount];
            var errors = new Exception?[threadCount];
            using var start = new Barrier(threadCount);
            var threads = new Thread[threadCount];
            for (int t = 0; t < threadCount; t++)
            {
                int index = t;
                threads[t] = new Thread(() =>
                {
                    try
                    {
                        start.SignalAndWait();
                        caches[index] = registry.GetOrAddCacheFallback("shared", new CacheFallbackOptions());
                        breakers[index] = registry.GetOrAddCircuitBreaker("shared", new CircuitBreakerOptions());
                    }
                    catch (Exception ex)
                    {
                        errors[index] = ex;
                    }
                });
                threads[t].Start();
            }

            foreach (Thread thread in threads)
            {
                thread.Join();
            }

            Assert.All(errors, Assert.Null);
            Assert.All(caches, c => Assert.Same(caches[0], c));
            Assert.All(breakers, b => Assert.Same(breakers[0], b));
        }
    }
}
