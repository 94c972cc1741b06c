using Microsoft.Extensions.Time.Testing;

namespace Resilience.Runtime.Tests.Registry;

using Bulkhead = Resilience.Bulkhead;
using CircuitBreaker = Resilience.CircuitBreaker;

/// <summary><see cref="ResilienceRegistry.GetSnapshot"/> lists every instance with its state and changes nothing.</summary>
public sealed class RegistrySnapshotTests : IDisposable
{
    private readonly FakeTimeProvider _time = new();
    private readonly ResilienceRegistry _registry;

    public RegistrySnapshotTests() => _registry = new ResilienceRegistry(_time);

    public void Dispose() => _registry.Dispose();

    [Fact]
    public void An_empty_registry_has_empty_lists()
    {
        ResilienceRegistrySnapshot snapshot = _registry.GetSnapshot();

        Assert.Empty(snapshot.CircuitBreakers);
        Assert.Empty(snapshot.KeyedCircuitBreakers);
        Assert.Empty(snapshot.Bulkheads);
        Assert.Empty(snapshot.RateLimits);
        Assert.Empty(snapshot.Timeouts);
        Assert.Empty(snapshot.Retries);
        Assert.Empty(snapshot.CacheFallbacks);
    }

    [Fact]
    public void Every_kind_is_listed_sorted_by_name_with_its_state()
    {
        _registry.GetOrAddCircuitBreaker("zeta", new CircuitBreakerOptions());
        CircuitBreaker alpha = _registry.GetOrAddCircuitBreaker("alpha", new CircuitBreakerOptions { FailureThreshold = 1, BreakDuration = TimeSpan.FromSeconds(10) });
        _registry.GetOrAddKeyedCircuitBreaker<string>("hosts", new CircuitBreakerOptions { FailureThreshold = 1 });
        Bulkhead bulkhead = _registry.GetOrAddBulkhead("db", new BulkheadOptions { MaxConcurrency = 3, MaxQueue = 2 });
        _registry.GetOrAddRateLimit("global", new RateLimitOptions());
        KeyedRateLimitStrategy<string> perUser = _registry.GetOrAddKeyedRateLimit<string>("per-user", new RateLimitOptions());
        _registry.GetOrAddTimeout("t", TimeSpan.FromMilliseconds(250));
        _registry.GetOrAddRetry("r2", new RetryOptions());
        _registry.GetOrAddRetry("r1", new RetryOptions());
        _registry.GetOrAddCacheFallback("c", new CacheFallbackOptions());

        alpha.Acquire().RecordFailure();
        _time.Advance(TimeSpan.FromSeconds(4));
        Assert.True(bulkhead.TryEnter());
        Assert.True(perUser.TryAcquire("ann"));
        Assert.True(perUser.TryAcquire("bob"));

        ResilienceRegistrySnapshot snapshot = _registry.GetSnapshot();

        Assert.Equal(["alpha", "zeta"], snapshot.CircuitBreakers.Select(b => b.Name));
        CircuitBreakerSnapshot open = snapshot.CircuitBreakers[0];
        Assert.Equal(CircuitState.Open, open.State);
        Assert.Equal(TimeSpan.FromSeconds(6), open.RetryAfter);
        Assert.Equal(1, open.Counts.Failures);
        Assert.Equal(CircuitState.Closed, snapshot.CircuitBreakers[1].State);
        Assert.Null(snapshot.CircuitBreakers[1].RetryAfter);

        Assert.Equal(new KeyedCircuitBreakerSnapshot("hosts", 0, 0, 0, 0, 0), Assert.Single(snapshot.KeyedCircuitBreakers));
        Assert.Equal(new BulkheadSnapshot("db", 3, 2, 1, 0), Assert.Single(snapshot.Bulkheads));
        Assert.Equal(
            [new RateLimitSnapshot("global", false, null), new RateLimitSnapshot("per-user", true, 2)],
            snapshot.RateLimits);
        Assert.Equal(new TimeoutSnapshot("t", TimeSpan.FromMilliseconds(250)), Assert.Single(snapshot.Timeouts));
        Assert.Equal(["r1", "r2"], snapshot.Retries);
        Assert.Equal(["c"], snapshot.CacheFallbacks);
    }

    [Fact]
    public void Keyed_breakers_report_keys_per_state()
    {
        KeyedCircuitBreaker<string> hosts = _registry.GetOrAddKeyedCircuitBreaker<string>("hosts", new CircuitBreakerOptions { FailureThreshold = 1 });
        hosts.Acquire("a").RecordFailure();
        hosts.Acquire("b").RecordSuccess();
        hosts.Acquire("c").RecordSuccess();
        Assert.True(hosts.TryGet("c", out CircuitBreaker? c));
        c.Isolate();

        Assert.Equal(new KeyedCircuitBreakerSnapshot("hosts", 3, KeysClosed: 1, KeysOpen: 1, KeysHalfOpen: 0, KeysIsolated: 1), Assert.Single(_registry.GetSnapshot().KeyedCircuitBreakers));
    }

    [Fact]
    public void A_snapshot_makes_no_transition_and_raises_no_event()
    {
        CircuitBreaker breaker = _registry.GetOrAddCircuitBreaker("b", new CircuitBreakerOptions { FailureThreshold = 1, BreakDuration = TimeSpan.FromSeconds(5) });
        breaker.Acquire().RecordFailure();
        var changes = new List<CircuitStateChangedEventArgs>();
        breaker.StateChanged += (_, args) => changes.Add(args);
        _registry.OnBreakerStateChanged += (_, args) => changes.Add(args);
        _time.Advance(TimeSpan.FromSeconds(5));

        CircuitBreakerSnapshot first = Assert.Single(_registry.GetSnapshot().CircuitBreakers);
        CircuitBreakerSnapshot second = Assert.Single(_registry.GetSnapshot().CircuitBreakers);

        // Reported half-open (a probe would be admitted), but still stored as open: no event until a call arrives.
        Assert.Equal(CircuitState.HalfOpen, first.State);
        Assert.Null(first.RetryAfter);
        Assert.Equal(first, second);
        Assert.Empty(changes);
        Assert.Equal(CircuitState.Open, breaker.StoredState);

        // The next call makes the transition (reported by the breaker and by the registry).
        Assert.True(breaker.TryAcquire(out _));
        Assert.Equal([CircuitState.HalfOpen, CircuitState.HalfOpen], changes.Select(c => c.NewState));
    }

    [Fact]
    public void Isolated_breakers_have_no_retry_after()
    {
        CircuitBreaker breaker = _registry.GetOrAddCircuitBreaker("b", new CircuitBreakerOptions());
        breaker.Isolate();

        CircuitBreakerSnapshot snapshot = Assert.Single(_registry.GetSnapshot().CircuitBreakers);
        Assert.Equal(CircuitState.Isolated, snapshot.State);
        Assert.Null(snapshot.RetryAfter);
    }

    [Fact]
    public void A_snapshot_does_not_count_as_a_use_of_a_key()
    {
        KeyedRateLimitStrategy<string> limit = _registry.GetOrAddKeyedRateLimit<string>(
            "per-user", new RateLimitOptions { KeyIdleTimeout = TimeSpan.FromSeconds(10) });
        Assert.True(limit.TryAcquire("ann"));
        _time.Advance(TimeSpan.FromSeconds(9));

        Assert.Equal(1, Assert.Single(_registry.GetSnapshot().RateLimits).KeyCount);

        // The idle sweep (every 5 s) finds the key unused for 15 s: the snapshot at 9 s was not a use.
        _time.Advance(TimeSpan.FromSeconds(6));
        Assert.False(limit.IsHeld("ann"));
        Assert.Equal(0, Assert.Single(_registry.GetSnapshot().RateLimits).KeyCount);
    }
}
