using Microsoft.Extensions.Time.Testing;

namespace Resilience.Runtime.Tests.Telemetry;

[Collection(TelemetryCollection.Name)]
public sealed class MetricsTests
{
    private static readonly RetryOptions TwoRetries = new() { MaxRetries = 2, Delay = TimeSpan.Zero, Backoff = BackoffType.Constant, Jitter = 0 };

    [Fact]
    public void Meter_and_source_are_named_Resilience_and_owned_per_registry()
    {
        using var first = new ResilienceRegistry();
        using var second = new ResilienceRegistry();

        Assert.Equal("Resilience", first.Telemetry.Meter.Name);
        Assert.Equal("Resilience", first.Telemetry.ActivitySource.Name);
        Assert.NotSame(first.Telemetry.Meter, second.Telemetry.Meter);
        Assert.Same(first.Telemetry, first.Telemetry);
    }

    [Fact]
    public async Task Successful_call_records_count_and_duration_with_interface_method_and_outcome()
    {
        var time = new FakeTimeProvider();
        using var registry = new ResilienceRegistry(time);
        using var metrics = new MetricCollector(registry);
        var decorator = new Decorator(registry, (id, _) =>
        {
            time.Advance(TimeSpan.FromMilliseconds(250));
            return ValueTask.FromResult("user" + id);
        });

        Assert.Equal("user7", await decorator.GetAsync(7, default));

        Recorded call = Assert.Single(metrics.Of("resilience.calls"));
        Assert.Equal(1, call.Value);
        Assert.Equal("{call}", call.Unit);
        Assert.Equal("Tests.IUsers", call.Tag("resilience.interface"));
        Assert.Equal("GetAsync", call.Tag("resilience.method"));
        Assert.Equal("success", call.Tag("resilience.outcome"));
        Assert.Null(call.Tag("error.type"));

        Recorded duration = Assert.Single(metrics.Of("resilience.call.duration"));
        Assert.Equal("s", duration.Unit);
        Assert.Equal(0.25, duration.Value, 6);
        Assert.Equal("success", duration.Tag("resilience.outcome"));
    }

    [Fact]
    public async Task Failed_call_records_failure_with_error_type()
    {
        using var registry = new ResilienceRegistry(new FakeTimeProvider());
        using var metrics = new MetricCollector(registry);
        var decorator = new Decorator(registry, (_, _) => throw new InvalidOperationException("down"));

        await Assert.ThrowsAsync<InvalidOperationException>(() => decorator.GetAsync(1, default).AsTask());

        Recorded call = Assert.Single(metrics.Of("resilience.calls"));
        Assert.Equal("failure", call.Tag("resilience.outcome"));
        Assert.Equal("System.InvalidOperationException", call.Tag("error.type"));
        Assert.Equal("failure", Assert.Single(metrics.Of("resilience.call.duration")).Tag("resilience.outcome"));
    }

    [Fact]
    public async Task Fallback_and_rejection_are_outcomes()
    {
        using var registry = new ResilienceRegistry(new FakeTimeProvider());
        using var metrics = new MetricCollector(registry);
        Resilience.CircuitBreaker breaker = registry.GetOrAddCircuitBreaker("Tests.IUsers", new CircuitBreakerOptions { FailureThreshold = 1 });
        breaker.Isolate();
        var fallingBack = new Decorator(registry, (_, _) => throw new InvalidOperationException(), fallback: true);
        var rejected = new Decorator(registry, (_, _) => ValueTask.FromResult("never"), breaker);

        Assert.Equal("fallback", await fallingBack.GetAsync(1, default));
        await Assert.ThrowsAsync<BrokenCircuitException>(() => rejected.GetAsync(1, default).AsTask());

        IReadOnlyList<Recorded> calls = metrics.Of("resilience.calls");
        Assert.Equal(2, calls.Count);
        Assert.Contains(calls, c => (string?)c.Tag("resilience.outcome") == "fallback" && (string?)c.Tag("error.type") == "System.InvalidOperationException");
        Assert.Contains(calls, c => (string?)c.Tag("resilience.outcome") == "rejected" && (string?)c.Tag("error.type") == "Resilience.BrokenCircuitException");
    }

    [Fact]
    public async Task Retries_are_counted_per_retry_with_instance_interface_method_and_error_type()
    {
        var time = new FakeTimeProvider();
        using var registry = new ResilienceRegistry(time);
        using var metrics = new MetricCollector(registry);
        RetryStrategy retry = registry.GetOrAddRetry("Tests.IUsers.GetAsync", TwoRetries);
        int calls = 0;
        var decorator = new Decorator(registry, (_, _) => ++calls < 3 ? throw new TimeoutException() : ValueTask.FromResult("ok"), retry: retry);

        Assert.Equal("ok", await decorator.GetAsync(1, default));

        IReadOnlyList<Recorded> retries = metrics.Of("resilience.retry.attempts");
        Assert.Equal(2, retries.Count);
        Assert.All(retries, r =>
        {
            Assert.Equal(1, r.Value);
            Assert.Equal("{attempt}", r.Unit);
            Assert.Equal("Tests.IUsers.GetAsync", r.Tag("resilience.instance"));
            Assert.Equal("Tests.IUsers", r.Tag("resilience.interface"));
            Assert.Equal("GetAsync", r.Tag("resilience.method"));
            Assert.Equal("retry", r.Tag("resilience.strategy"));
            Assert.Equal("System.TimeoutException", r.Tag("error.type"));
        });
        Assert.Equal("success", Assert.Single(metrics.Of("resilience.calls")).Tag("resilience.outcome"));
    }

    [Fact]
    public void Breaker_transitions_are_counted_and_state_is_observed_per_breaker()
    {
        var time = new FakeTimeProvider();
        using var registry = new ResilienceRegistry(time);
        using var metrics = new MetricCollector(registry);
        Resilience.CircuitBreaker breaker = registry.GetOrAddCircuitBreaker("db", new CircuitBreakerOptions { FailureThreshold = 1, BreakDuration = TimeSpan.FromSeconds(1) });
        registry.GetOrAddCircuitBreaker("cache", new CircuitBreakerOptions());

        breaker.Acquire().RecordFailure();

        Recorded transition = Assert.Single(metrics.Of("resilience.circuit_breaker.transitions"));
        Assert.Equal("db", transition.Tag("resilience.instance"));
        Assert.Equal("circuit_breaker", transition.Tag("resilience.strategy"));
        Assert.Equal("closed", transition.Tag("resilience.circuit_breaker.previous_state"));
        Assert.Equal("open", transition.Tag("resilience.circuit_breaker.state"));

        metrics.Observe();
        IReadOnlyList<Recorded> states = metrics.Of("resilience.circuit_breaker.state");
        Assert.Equal(1, states.Single(s => (string?)s.Tag("resilience.instance") == "db").Value);
        Assert.Equal(0, states.Single(s => (string?)s.Tag("resilience.instance") == "cache").Value);

        time.Advance(TimeSpan.FromSeconds(1));
        metrics.Observe();
        Assert.Equal(2, metrics.Of("resilience.circuit_breaker.state").Last(s => (string?)s.Tag("resilience.instance") == "db").Value);
        Assert.Single(metrics.Of("resilience.circuit_breaker.transitions")); // observing the gauge makes no transition

        Assert.True(breaker.TryAcquire(out _));
        Assert.Equal("half_open", metrics.Of("resilience.circuit_breaker.transitions").Last().Tag("resilience.circuit_breaker.state"));
    }

    [Fact]
    public async Task Rejections_of_bulkhead_rate_limit_and_breaker_are_counted_with_strategy()
    {
        using var registry = new ResilienceRegistry(new FakeTimeProvider());
        using var metrics = new MetricCollector(registry);
        Resilience.Bulkhead bulkhead = registry.GetOrAddBulkhead("pool", new BulkheadOptions { MaxConcurrency = 1, MaxQueue = 0 });
        RateLimitStrategy limit = registry.GetOrAddRateLimit("api", new RateLimitOptions { PermitLimit = 1, Window = TimeSpan.FromMinutes(1), Algorithm = RateLimitAlgorithm.FixedWindow });
        KeyedRateLimitStrategy<string> keyed = registry.GetOrAddKeyedRateLimit<string>("tenants", new RateLimitOptions { PermitLimit = 1, Window = TimeSpan.FromMinutes(1), Algorithm = RateLimitAlgorithm.FixedWindow });
        Resilience.CircuitBreaker breaker = registry.GetOrAddCircuitBreaker("db", new CircuitBreakerOptions());

        await bulkhead.EnterAsync(default);
        await Assert.ThrowsAsync<BulkheadRejectedException>(() => bulkhead.EnterAsync(default).AsTask());
        await limit.AcquireAsync(default);
        await Assert.ThrowsAsync<RateLimitRejectedException>(() => limit.AcquireAsync(default).AsTask());
        await keyed.AcquireAsync("a", default);
        Assert.Throws<RateLimitRejectedException>(() => keyed.Acquire("a", default));
        breaker.Isolate();
        Assert.Throws<BrokenCircuitException>(() => breaker.Acquire());

        IReadOnlyList<Recorded> rejections = metrics.Of("resilience.rejections");
        Assert.Equal(4, rejections.Count);
        Assert.Contains(rejections, r => (string?)r.Tag("resilience.instance") == "pool" && (string?)r.Tag("resilience.strategy") == "bulkhead" && (string?)r.Tag("error.type") == "Resilience.BulkheadRejectedException");
        Assert.Contains(rejections, r => (string?)r.Tag("resilience.instance") == "api" && (string?)r.Tag("resilience.strategy") == "rate_limit");
        Assert.Contains(rejections, r => (string?)r.Tag("resilience.instance") == "tenants" && (string?)r.Tag("resilience.strategy") == "rate_limit");
        Assert.Contains(rejections, r => (string?)r.Tag("resilience.instance") == "db" && (string?)r.Tag("resilience.strategy") == "circuit_breaker");
        Assert.All(rejections, r => Assert.Equal("{rejection}", r.Unit));
    }

    [Fact]
    public void Expired_timeouts_and_attempt_timeouts_are_counted()
    {
        using var registry = new ResilienceRegistry(new FakeTimeProvider());
        using var metrics = new MetricCollector(registry);
        TimeoutStrategy timeout = registry.GetOrAddTimeout("whole", TimeSpan.FromSeconds(2));
        RetryStrategy retry = registry.GetOrAddRetry("r", new RetryOptions { AttemptTimeout = TimeSpan.FromMilliseconds(500) });

        _ = timeout.CreateException();
        _ = retry.AttemptTimeout!.CreateException();

        IReadOnlyList<Recorded> timeouts = metrics.Of("resilience.timeouts");
        Assert.Equal(2, timeouts.Count);
        Assert.Contains(timeouts, t => (string?)t.Tag("resilience.instance") == "whole" && (string?)t.Tag("resilience.strategy") == "timeout");
        Assert.Contains(timeouts, t => (string?)t.Tag("resilience.instance") == "r.attempt");
        Assert.All(timeouts, t => Assert.Equal("{timeout}", t.Unit));
    }

    [Fact]
    public void Meter_comes_from_the_meter_factory_when_given()
    {
        using var factory = new TestMeterFactory();
        using var registry = new ResilienceRegistry(null, null, factory);

        var meter = registry.Telemetry.Meter;

        Assert.Same(factory.Created.Single(), meter);
        Assert.Equal("Resilience", registry.Telemetry.Meter.Name);
    }
}

internal sealed class TestMeterFactory : System.Diagnostics.Metrics.IMeterFactory
{
    public List<System.Diagnostics.Metrics.Meter> Created { get; } = [];

    public System.Diagnostics.Metrics.Meter Create(System.Diagnostics.Metrics.MeterOptions options)
    {
        var meter = new System.Diagnostics.Metrics.Meter(options);
        Created.Add(meter);
        return meter;
    }

    public void Dispose()
    {
        foreach (System.Diagnostics.Metrics.Meter meter in Created)
        {
            meter.Dispose();
        }
    }
}
