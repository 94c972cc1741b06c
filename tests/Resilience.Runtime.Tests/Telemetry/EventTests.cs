using Microsoft.Extensions.Time.Testing;

namespace Resilience.Runtime.Tests.Telemetry;

[Collection(TelemetryCollection.Name)]
public sealed class EventTests
{
    [Fact]
    public async Task OnRetry_carries_names_attempt_delay_and_exception()
    {
        var time = new FakeTimeProvider();
        using var registry = new ResilienceRegistry(time);
        RetryStrategy retry = registry.GetOrAddRetry("r", new RetryOptions { MaxRetries = 1, Delay = TimeSpan.FromMilliseconds(300), Backoff = BackoffType.Constant, Jitter = 0 });
        var seen = new List<RetryEventArgs>();
        registry.OnRetry += (sender, args) =>
        {
            Assert.Same(registry, sender);
            seen.Add(args);
        };
        var failure = new TimeoutException("slow");
        int calls = 0;
        var decorator = new Decorator(registry, (_, _) => ++calls == 1 ? throw failure : ValueTask.FromResult("ok"), retry: retry);

        ValueTask<string> pending = decorator.GetAsync(1, default);
        time.Advance(TimeSpan.FromMilliseconds(300));
        Assert.Equal("ok", await pending);

        RetryEventArgs retried = Assert.Single(seen);
        Assert.Equal("r", retried.InstanceName);
        Assert.Equal("Tests.IUsers", retried.InterfaceName);
        Assert.Equal("GetAsync", retried.MethodName);
        Assert.Equal(1, retried.Attempt);
        Assert.Equal(TimeSpan.FromMilliseconds(300), retried.Delay);
        Assert.Same(failure, retried.Exception);
    }

    [Fact]
    public void OnBreakerStateChanged_carries_name_and_states()
    {
        using var registry = new ResilienceRegistry(new FakeTimeProvider());
        var seen = new List<CircuitStateChangedEventArgs>();
        registry.OnBreakerStateChanged += (_, args) => seen.Add(args);
        Resilience.CircuitBreaker breaker = registry.GetOrAddCircuitBreaker("db", new CircuitBreakerOptions { FailureThreshold = 2 });

        breaker.Acquire().RecordFailure();
        breaker.Acquire().RecordFailure();
        breaker.Reset();

        Assert.Equal(2, seen.Count);
        Assert.Equal(("db", CircuitState.Closed, CircuitState.Open, CircuitTransitionReason.TripPolicy), (seen[0].Name, seen[0].OldState, seen[0].NewState, seen[0].Reason));
        Assert.Equal((CircuitState.Open, CircuitState.Closed, CircuitTransitionReason.Reset), (seen[1].OldState, seen[1].NewState, seen[1].Reason));
    }

    [Fact]
    public async Task OnRejected_carries_instance_strategy_and_the_thrown_exception()
    {
        using var registry = new ResilienceRegistry(new FakeTimeProvider());
        var seen = new List<RejectedEventArgs>();
        registry.OnRejected += (_, args) => seen.Add(args);
        Resilience.Bulkhead bulkhead = registry.GetOrAddBulkhead("pool", new BulkheadOptions { MaxConcurrency = 1 });
        await bulkhead.EnterAsync(default);

        var thrown = await Assert.ThrowsAsync<BulkheadRejectedException>(() => bulkhead.EnterAsync(default).AsTask());

        RejectedEventArgs rejected = Assert.Single(seen);
        Assert.Equal("pool", rejected.InstanceName);
        Assert.Equal("bulkhead", rejected.Strategy);
        Assert.Same(thrown, rejected.Exception);
    }

    [Fact]
    public async Task OnFallback_carries_names_and_the_failure()
    {
        using var registry = new ResilienceRegistry(new FakeTimeProvider());
        var seen = new List<FallbackEventArgs>();
        registry.OnFallback += (_, args) => seen.Add(args);
        var failure = new InvalidOperationException("down");
        var decorator = new Decorator(registry, (_, _) => throw failure, fallback: true);

        Assert.Equal("fallback", await decorator.GetAsync(1, default));

        FallbackEventArgs fellBack = Assert.Single(seen);
        Assert.Equal(("Tests.IUsers", "GetAsync"), (fellBack.InterfaceName, fellBack.MethodName));
        Assert.Same(failure, fellBack.Exception);
    }

    [Fact]
    public async Task Events_are_raised_with_nobody_listening_to_metrics_or_traces()
    {
        using var registry = new ResilienceRegistry(new FakeTimeProvider());
        int fallbacks = 0;
        registry.OnFallback += (_, _) => fallbacks++;
        var decorator = new Decorator(registry, (_, _) => throw new InvalidOperationException(), fallback: true);

        await decorator.GetAsync(1, default);
        await decorator.GetAsync(2, default);

        Assert.Equal(2, fallbacks);
    }
}
