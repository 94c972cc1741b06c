using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Resilience.Runtime.Tests.Telemetry;

/// <summary>Reading a breaker's state (the property, the gauge) after its break has passed changes nothing; the next call does.</summary>
[Collection(TelemetryCollection.Name)]
public sealed class StateReadTests
{
    private static readonly CircuitBreakerOptions OneFailure = new() { FailureThreshold = 1, BreakDuration = TimeSpan.FromSeconds(10) };

    private readonly FakeTimeProvider _time = new();
    private readonly TestLoggerFactory _logs = new();
    private readonly List<CircuitStateChangedEventArgs> _events = [];

    [Fact]
    public async Task Reading_State_and_the_gauge_after_the_break_makes_no_transition_until_a_call()
    {
        await using ServiceProvider provider = Build(out ResilienceRegistry registry);
        using var metrics = new MetricCollector(registry);
        Resilience.CircuitBreaker breaker = registry.GetOrAddCircuitBreaker("db", OneFailure);
        breaker.Acquire().RecordFailure();
        _time.Advance(TimeSpan.FromSeconds(11));

        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(CircuitState.HalfOpen, breaker.State); // what the next call will find
            metrics.Observe();
        }

        Assert.All(metrics.Of("resilience.circuit_breaker.state"), r => Assert.Equal(2, r.Value));
        Assert.Equal([CircuitState.Open], _events.Select(e => e.NewState));
        Assert.Single(metrics.Of("resilience.circuit_breaker.transitions"));
        Assert.Single(_logs.Entries, e => e.EventName == "CircuitBreakerStateChanged");

        Assert.True(breaker.TryAcquire(out _));

        Assert.Equal([CircuitState.Open, CircuitState.HalfOpen], _events.Select(e => e.NewState));
        Assert.Equal(CircuitTransitionReason.BreakDurationElapsed, _events[1].Reason);
        Assert.Equal(2, metrics.Of("resilience.circuit_breaker.transitions").Count);
        Assert.Equal(2, _logs.Entries.Count(e => e.EventName == "CircuitBreakerStateChanged"));
    }

    [Fact]
    public async Task Reading_a_keys_State_after_the_break_makes_no_transition_until_a_call_for_that_key()
    {
        await using ServiceProvider provider = Build(out ResilienceRegistry registry);
        using var metrics = new MetricCollector(registry, "resilience.circuit_breaker.keys");
        KeyedCircuitBreaker<string> hosts = registry.GetOrAddKeyedCircuitBreaker<string>("hosts", OneFailure);
        hosts.Acquire("db-1").RecordFailure();
        _time.Advance(TimeSpan.FromSeconds(11));

        Assert.True(hosts.TryGet("db-1", out Resilience.CircuitBreaker? key));
        Assert.Equal(CircuitState.HalfOpen, key.State);
        metrics.Observe();

        Assert.Single(_events);
        Assert.Single(_logs.Entries, e => e.EventName == "KeyedCircuitBreakerStateChanged");
        Assert.Equal(1, metrics.Of("resilience.circuit_breaker.keys").Single(r => (string?)r.Tag("resilience.circuit_breaker.state") == "open").Value);

        Assert.True(hosts.TryAcquire("db-1", out _, out _));

        Assert.Equal([CircuitState.Open, CircuitState.HalfOpen], _events.Select(e => e.NewState));
        Assert.Equal(2, _logs.Entries.Count(e => e.EventName == "KeyedCircuitBreakerStateChanged"));
    }

    private ServiceProvider Build(out ResilienceRegistry registry)
    {
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(_time);
        services.AddSingleton<ILoggerFactory>(_logs);
        services.AddResilienceRegistry();
        ServiceProvider provider = services.BuildServiceProvider();
        registry = provider.GetRequiredService<ResilienceRegistry>();
        registry.OnBreakerStateChanged += (_, e) => _events.Add(e);
        return provider;
    }
}
