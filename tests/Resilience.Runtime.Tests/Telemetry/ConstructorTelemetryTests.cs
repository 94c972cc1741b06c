using Microsoft.Extensions.Time.Testing;

namespace Resilience.Runtime.Tests.Telemetry;

using Bulkhead = global::Resilience.Bulkhead;
using CircuitBreaker = global::Resilience.CircuitBreaker;

/// <summary>
/// Telemetry reaches an instance through its constructor: a registry's instances report to that registry, whoever uses
/// them; an instance made with a public constructor reports to the registry of the first builder it is handed to.
/// </summary>
[Collection(TelemetryCollection.Name)]
public sealed class ConstructorTelemetryTests
{
    private static ValueTask<int> One(CancellationToken _) => new(1);

    private static ValueTask<int> Fail(CancellationToken _) => throw new InvalidOperationException("down");

    [Fact]
    public async Task A_hand_made_bulkhead_rate_limit_and_timeout_report_to_the_registry_of_the_builder_they_are_handed_to()
    {
        var time = new FakeTimeProvider();
        using var registry = new ResilienceRegistry(time);
        using var metrics = new MetricCollector(registry, "resilience.timeouts");
        var rejections = new List<RejectedEventArgs>();
        registry.OnRejected += (_, e) => rejections.Add(e);
        var bulkhead = new Bulkhead("hand-bulkhead", new BulkheadOptions { MaxConcurrency = 1, MaxQueue = 0 }, time);
        using var limit = new RateLimitStrategy(
            "hand-limit", new RateLimitOptions { PermitLimit = 1, Window = TimeSpan.FromMinutes(1), Algorithm = RateLimitAlgorithm.FixedWindow }, time);
        var timeout = new TimeoutStrategy("hand-timeout", TimeSpan.FromSeconds(1), time);

        ResilientCall<int> bulkheaded = ResilientCall.For<int>(registry).WithBulkhead(bulkhead).Build();
        ResilientCall<int> limited = ResilientCall.For<int>(registry).WithRateLimit(limit).Build();
        ResilientCall<int> timed = ResilientCall.For<int>(registry).WithTimeout(timeout).Build();

        Assert.True(bulkhead.TryEnter());
        await Assert.ThrowsAsync<BulkheadRejectedException>(() => bulkheaded.ExecuteAsync(One).AsTask());
        Assert.Equal(1, await limited.ExecuteAsync(One));
        await Assert.ThrowsAsync<RateLimitRejectedException>(() => limited.ExecuteAsync(One).AsTask());
        Task<int> slow = timed.ExecuteAsync(async token =>
        {
            await Task.Delay(System.Threading.Timeout.Infinite, token);
            return 0;
        }).AsTask();
        time.Advance(TimeSpan.FromSeconds(1));
        await Assert.ThrowsAsync<ResilienceTimeoutException>(() => slow);

        Assert.Equal([("hand-bulkhead", "bulkhead"), ("hand-limit", "rate_limit")], rejections.Select(r => (r.InstanceName, r.Strategy)));
        Assert.Equal("hand-timeout", Assert.Single(metrics.Of("resilience.timeouts")).Tag("resilience.instance"));
    }

    [Fact]
    public async Task A_hand_made_breaker_reports_its_transitions_once_to_the_first_builders_registry()
    {
        using var first = new ResilienceRegistry(new FakeTimeProvider());
        using var second = new ResilienceRegistry(new FakeTimeProvider());
        var firstChanges = new List<CircuitStateChangedEventArgs>();
        var secondEvents = 0;
        first.OnBreakerStateChanged += (_, e) => firstChanges.Add(e);
        second.OnBreakerStateChanged += (_, _) => secondEvents++;
        second.OnRejected += (_, _) => secondEvents++;
        var breaker = new CircuitBreaker("hand-made", new CircuitBreakerOptions { FailureThreshold = 1 });
        Assert.Null(breaker.Telemetry); // nobody adopted it yet

        ResilientCall<int> call = ResilientCall.For<int>(first).WithCircuitBreaker(breaker).Build();
        _ = ResilientCall.For<int>(first).WithCircuitBreaker(breaker).Build();
        ResilientCall<int> other = ResilientCall.For<int>(second).WithCircuitBreaker(breaker).Build();
        await Assert.ThrowsAsync<InvalidOperationException>(() => call.ExecuteAsync(Fail).AsTask());
        await Assert.ThrowsAsync<BrokenCircuitException>(() => other.ExecuteAsync(One).AsTask());

        CircuitStateChangedEventArgs change = Assert.Single(firstChanges);
        Assert.Equal(("hand-made", CircuitState.Closed, CircuitState.Open), (change.Name, change.OldState, change.NewState));
        Assert.Equal(0, secondEvents);
        Assert.Same(first.Telemetry, breaker.Telemetry);
    }

    [Fact]
    public async Task A_registry_instance_handed_to_another_registrys_builder_still_reports_to_its_own()
    {
        using var owner = new ResilienceRegistry(new FakeTimeProvider());
        using var other = new ResilienceRegistry(new FakeTimeProvider());
        var ownerRejections = new List<string>();
        var otherRejections = new List<string>();
        owner.OnRejected += (_, e) => ownerRejections.Add(e.Strategy);
        other.OnRejected += (_, e) => otherRejections.Add(e.Strategy);
        CircuitBreaker breaker = owner.GetOrAddCircuitBreaker("b", new CircuitBreakerOptions());
        Bulkhead bulkhead = owner.GetOrAddBulkhead("h", new BulkheadOptions { MaxConcurrency = 1, MaxQueue = 0 });
        RateLimitStrategy limit = owner.GetOrAddRateLimit("l", new RateLimitOptions { PermitLimit = 2, Window = TimeSpan.FromMinutes(1), Algorithm = RateLimitAlgorithm.FixedWindow });
        TimeoutStrategy timeout = owner.GetOrAddTimeout("t", TimeSpan.FromSeconds(1));

        ResilientCall<int> call = ResilientCall.For<int>(other).WithCircuitBreaker(breaker).WithBulkhead(bulkhead).WithRateLimit(limit).WithTimeout(timeout).Build();
        breaker.Isolate();
        await Assert.ThrowsAsync<BrokenCircuitException>(() => call.ExecuteAsync(One).AsTask());
        Assert.True(bulkhead.TryEnter());
        await Assert.ThrowsAsync<BulkheadRejectedException>(() => call.ExecuteAsync(One).AsTask());
        await Assert.ThrowsAsync<RateLimitRejectedException>(() => call.ExecuteAsync(One).AsTask());

        Assert.Equal(["circuit_breaker", "bulkhead", "rate_limit"], ownerRejections);
        Assert.Empty(otherRejections);
        Assert.Same(owner.Telemetry, timeout.Telemetry);
        Assert.All(new object[] { breaker, bulkhead, limit, timeout }, instance => Assert.Null(AdoptedTelemetry.Of(instance))); // nothing to adopt
    }

    [Fact]
    public void A_hand_made_instance_no_builder_saw_reports_nowhere()
    {
        var bulkhead = new Bulkhead("alone", new BulkheadOptions { MaxConcurrency = 1, MaxQueue = 0 });
        var timeout = new TimeoutStrategy("alone", TimeSpan.FromSeconds(1));
        using var limit = new RateLimitStrategy("alone", new RateLimitOptions { PermitLimit = 1, Window = TimeSpan.FromMinutes(1) });

        Assert.Null(bulkhead.Telemetry);
        Assert.Null(timeout.Telemetry);
        Assert.Null(limit.Telemetry);
        Assert.Null(new RetryStrategy("alone", new RetryOptions { AttemptTimeout = TimeSpan.FromSeconds(1) }).AttemptTimeout!.Telemetry);
    }

    [Fact]
    public void A_keyed_breakers_key_reports_its_interval_resets_to_the_registry()
    {
        var time = new FakeTimeProvider();
        using var registry = new ResilienceRegistry(time);
        using var metrics = new MetricCollector(registry, "resilience.circuit_breaker.interval_resets");
        KeyedCircuitBreaker<string> hosts = registry.GetOrAddKeyedCircuitBreaker<string>("hosts", new CircuitBreakerOptions { Interval = TimeSpan.FromSeconds(1) });

        hosts.Acquire("db-1").RecordSuccess();
        time.Advance(TimeSpan.FromSeconds(1));
        hosts.Acquire("db-1").RecordSuccess();

        Assert.Equal("hosts", Assert.Single(metrics.Of("resilience.circuit_breaker.interval_resets")).Tag("resilience.instance"));
    }

    [Fact]
    public async Task A_private_retry_of_a_builder_draws_from_the_registrys_budget_and_reports_its_refusals()
    {
        using var registry = new ResilienceRegistry(new FakeTimeProvider());
        using var metrics = new MetricCollector(registry, "resilience.retry.budget_exhausted");
        RetryBudget budget = registry.GetOrAddRetryBudget("shared", new RetryBudgetOptions { Ratio = 0.1, MinRetriesPerSecond = 0 });
        ResilientCall<int> call = ResilientCall.For<int>(registry)
            .WithRetry(new RetryOptions { MaxRetries = 3, Delay = TimeSpan.Zero, Jitter = 0, Budget = "shared" })
            .Build();
        int attempts = 0;

        await Assert.ThrowsAsync<InvalidOperationException>(() => call.ExecuteAsync(_ => ++attempts > 0 ? throw new InvalidOperationException() : new ValueTask<int>(0)).AsTask());

        Assert.Equal(1, attempts); // one call in the window allows no retry at 10 %
        budget.ReadWindow(out long calls, out _);
        Assert.Equal(1, calls);
        Assert.Equal("shared", Assert.Single(metrics.Of("resilience.retry.budget_exhausted")).Tag("resilience.retry.budget"));
    }

    [Fact]
    public void Invalid_retry_settings_create_no_budget()
    {
        using var registry = new ResilienceRegistry(new FakeTimeProvider());

        Assert.ThrowsAny<ArgumentException>(() => registry.GetOrAddRetry("r", new RetryOptions { MaxRetries = -1, Budget = "never" }));

        Assert.False(registry.TryGetRetryBudget("never", out _));
        Assert.False(registry.TryGetRetry("r", out _));
    }

    [Fact]
    public async Task A_state_set_for_a_name_before_it_existed_applies_to_a_builders_private_breaker_of_that_name()
    {
        using var registry = new ResilienceRegistry(new FakeTimeProvider());
        Assert.False(registry.SetBreakerState("payments.charge", CircuitState.Isolated));

        ResilientCall<int> call = ResilientCall.For<int>(registry).WithName("payments.charge").WithCircuitBreaker(new CircuitBreakerOptions()).Build();

        BrokenCircuitException rejected = await Assert.ThrowsAsync<BrokenCircuitException>(() => call.ExecuteAsync(One).AsTask());
        Assert.Equal(CircuitState.Isolated, rejected.State);
    }
}
