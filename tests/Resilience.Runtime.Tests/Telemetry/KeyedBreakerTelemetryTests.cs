using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Resilience.Runtime.Tests.Telemetry;

/// <summary>Keyed breakers report like plain ones, but the key is never a metric tag (there may be a million keys).</summary>
[Collection(TelemetryCollection.Name)]
public sealed class KeyedBreakerTelemetryTests
{
    private static readonly CircuitBreakerOptions OneFailure = new() { FailureThreshold = 1, BreakDuration = TimeSpan.FromSeconds(1) };

    [Fact]
    public void Key_transitions_are_counted_without_the_key_and_raised_with_it()
    {
        var time = new FakeTimeProvider();
        using var registry = new ResilienceRegistry(time);
        using var metrics = new MetricCollector(registry);
        var changes = new List<CircuitStateChangedEventArgs>();
        registry.OnBreakerStateChanged += (_, e) => changes.Add(e);
        KeyedCircuitBreaker<string> hosts = registry.GetOrAddKeyedCircuitBreaker<string>("hosts", OneFailure);

        hosts.Acquire("db-1").RecordFailure();
        hosts.Acquire("db-2").RecordSuccess();

        Recorded transition = Assert.Single(metrics.Of("resilience.circuit_breaker.transitions"));
        Assert.Equal("hosts", transition.Tag("resilience.instance"));
        Assert.Equal("circuit_breaker", transition.Tag("resilience.strategy"));
        Assert.Equal("closed", transition.Tag("resilience.circuit_breaker.previous_state"));
        Assert.Equal("open", transition.Tag("resilience.circuit_breaker.state"));
        Assert.DoesNotContain(transition.Tags.Values, v => v is string s && s.Contains("db-", StringComparison.Ordinal));
        Assert.Equal(4, transition.Tags.Count);

        CircuitStateChangedEventArgs change = Assert.Single(changes);
        Assert.True(change.IsKeyed);
        Assert.Equal("db-1", change.Key);
        Assert.Equal("hosts", change.Name);
        Assert.Equal((CircuitState.Closed, CircuitState.Open), (change.OldState, change.NewState));

        time.Advance(TimeSpan.FromSeconds(1));
        hosts.Acquire("db-1").RecordSuccess(); // half-open probe closes the circuit

        Assert.Equal(3, metrics.Of("resilience.circuit_breaker.transitions").Count);
        Assert.Equal(["open", "half_open", "closed"], changes.Select(c => ResilienceTelemetry.StateName(c.NewState)));
        Assert.All(changes, c => Assert.Equal("db-1", c.Key));
    }

    [Fact]
    public void Plain_breaker_transitions_carry_no_key()
    {
        using var registry = new ResilienceRegistry(new FakeTimeProvider());
        var changes = new List<CircuitStateChangedEventArgs>();
        registry.OnBreakerStateChanged += (_, e) => changes.Add(e);

        registry.GetOrAddCircuitBreaker("db", OneFailure).Acquire().RecordFailure();

        CircuitStateChangedEventArgs change = Assert.Single(changes);
        Assert.False(change.IsKeyed);
        Assert.Null(change.Key);
    }

    [Fact]
    public void Value_type_and_null_keys_are_named_in_events()
    {
        using var registry = new ResilienceRegistry(new FakeTimeProvider());
        var changes = new List<CircuitStateChangedEventArgs>();
        registry.OnBreakerStateChanged += (_, e) => changes.Add(e);
        KeyedCircuitBreaker<int> tenants = registry.GetOrAddKeyedCircuitBreaker<int>("tenants", OneFailure);
        KeyedCircuitBreaker<string> hosts = registry.GetOrAddKeyedCircuitBreaker<string>("hosts", OneFailure);

        tenants.Acquire(42).RecordFailure();
        hosts.Acquire(null).RecordFailure();
        Assert.True(hosts.TryGet("isolated", out _) is false);
        hosts.Acquire("isolated").RecordSuccess();
        Assert.True(hosts.TryGet("isolated", out Resilience.CircuitBreaker? isolated));
        isolated.Isolate();

        Assert.Equal(3, changes.Count);
        Assert.Equal(42, changes[0].Key);
        Assert.True(changes[1].IsKeyed);
        Assert.Null(changes[1].Key);
        Assert.Equal(("isolated", CircuitState.Isolated), (changes[2].Key, changes[2].NewState));
    }

    [Fact]
    public void Keys_gauge_counts_keys_per_state_and_state_gauge_reports_plain_breakers_only()
    {
        var time = new FakeTimeProvider();
        using var registry = new ResilienceRegistry(time);
        using var metrics = new MetricCollector(registry);
        KeyedCircuitBreaker<string> hosts = registry.GetOrAddKeyedCircuitBreaker<string>("hosts", OneFailure);
        registry.GetOrAddCircuitBreaker("db", OneFailure);

        hosts.Acquire("a").RecordFailure();
        hosts.Acquire("b").RecordFailure();
        hosts.Acquire("c").RecordSuccess();
        Assert.True(hosts.TryGet("c", out Resilience.CircuitBreaker? c));
        c.Isolate();
        hosts.Acquire("d").RecordSuccess();

        Assert.Equal(new Dictionary<string, double> { ["closed"] = 1, ["open"] = 2, ["half_open"] = 0, ["isolated"] = 1 }, KeyStates(metrics, "hosts"));
        Recorded state = Assert.Single(metrics.Of("resilience.circuit_breaker.state"));
        Assert.Equal("db", state.Tag("resilience.instance"));

        time.Advance(TimeSpan.FromSeconds(1));
        hosts.Acquire("a").RecordFailure(); // probe fails: open again
        Assert.True(hosts.TryAcquire("b", out CircuitBreakerLease probe)); // half-open, probe in flight
        c.Reset();

        Assert.Equal(new Dictionary<string, double> { ["closed"] = 2, ["open"] = 1, ["half_open"] = 1, ["isolated"] = 0 }, KeyStates(metrics, "hosts"));
        probe.RecordSuccess();
        Assert.Equal(new Dictionary<string, double> { ["closed"] = 3, ["open"] = 1, ["half_open"] = 0, ["isolated"] = 0 }, KeyStates(metrics, "hosts"));
    }

    [Fact]
    public void Evicted_keys_leave_the_keys_gauge_and_their_late_transitions_are_not_counted()
    {
        var time = new FakeTimeProvider();
        using var registry = new ResilienceRegistry(time);
        using var metrics = new MetricCollector(registry);
        KeyedCircuitBreaker<int> keyed = registry.GetOrAddKeyedCircuitBreaker<int>("k", new CircuitBreakerOptions { FailureThreshold = 1, MaxKeys = 10, KeyIdleTimeout = TimeSpan.FromMinutes(1) });

        CircuitBreakerLease inFlight = keyed.Acquire(0);
        for (int key = 1; key < 10; key++)
        {
            time.Advance(TimeSpan.FromMilliseconds(1));
            keyed.Acquire(key).RecordFailure(); // 9 open keys, key 0 closed with a call in flight
        }

        Assert.Equal(new Dictionary<string, double> { ["closed"] = 1, ["open"] = 9, ["half_open"] = 0, ["isolated"] = 0 }, KeyStates(metrics, "k"));

        time.Advance(TimeSpan.FromMilliseconds(1));
        keyed.Acquire(10).RecordSuccess(); // over MaxKeys: the least recently used keys go, whatever their state
        inFlight.RecordFailure(); // key 0 was evicted: its breaker opens, but it is no longer held

        Dictionary<string, double> states = KeyStates(metrics, "k");
        Assert.Equal(keyed.KeyCount, (int)states.Values.Sum());
        Assert.Equal(1, states["closed"]); // key 10
        Assert.Equal(keyed.KeyCount - 1, (int)states["open"]);
        Assert.Equal(10, metrics.Of("resilience.circuit_breaker.transitions").Count); // the evicted key's change is still reported

        keyed.Dispose();
        Assert.All(KeyStates(metrics, "k").Values, v => Assert.Equal(0, v));
    }

    [Fact]
    public void Keys_gauge_stays_consistent_under_concurrent_transitions()
    {
        using var registry = new ResilienceRegistry(new FakeTimeProvider());
        using var metrics = new MetricCollector(registry);
        KeyedCircuitBreaker<int> keyed = registry.GetOrAddKeyedCircuitBreaker<int>("k", new CircuitBreakerOptions { FailureThreshold = 1 });

        Parallel.For(0, 8, worker =>
        {
            for (int i = 0; i < 2_000; i++)
            {
                int key = i % 16;
                if (keyed.TryAcquire(key, out CircuitBreakerLease lease))
                {
                    lease.RecordFailure();
                }
                else if (keyed.TryGet(key, out Resilience.CircuitBreaker? breaker))
                {
                    breaker.Reset();
                }
            }
        });

        Dictionary<string, double> states = KeyStates(metrics, "k");
        int open = 0, closed = 0;
        for (int key = 0; key < 16; key++)
        {
            Assert.True(keyed.TryGet(key, out Resilience.CircuitBreaker? breaker));
            _ = breaker.StoredState == CircuitState.Open ? open++ : closed++;
        }

        Assert.Equal(16, (int)states.Values.Sum());
        Assert.Equal(open, (int)states["open"]);
        Assert.Equal(closed, (int)states["closed"]);
    }

    [Fact]
    public void Keyed_rejections_are_counted_without_the_key_and_traced_with_it()
    {
        using var registry = new ResilienceRegistry(new FakeTimeProvider());
        using var metrics = new MetricCollector(registry);
        using var spans = new SpanCollector(registry);
        var rejectedEvents = new List<RejectedEventArgs>();
        registry.OnRejected += (_, e) => rejectedEvents.Add(e);
        KeyedCircuitBreaker<string> hosts = registry.GetOrAddKeyedCircuitBreaker<string>("hosts", OneFailure);
        CallTelemetry telemetry = registry.Telemetry.CreateCall("Tests.IHosts", "GetAsync");

        var call = telemetry.Start();
        try
        {
            hosts.Acquire("db-1").RecordFailure();
            Assert.Throws<BrokenCircuitException>(() => hosts.Acquire("db-1"));
        }
        finally
        {
            call.Dispose();
        }

        Recorded rejection = Assert.Single(metrics.Of("resilience.rejections"));
        Assert.Equal("hosts", rejection.Tag("resilience.instance"));
        Assert.Equal("circuit_breaker", rejection.Tag("resilience.strategy"));
        Assert.Equal("Tests.IHosts", rejection.Tag("resilience.interface"));
        Assert.DoesNotContain(rejection.Tags.Values, v => v is "db-1");
        Assert.Equal("hosts", Assert.Single(rejectedEvents).InstanceName);

        Activity span = spans.Stopped.Single(a => a.OperationName == "IHosts.GetAsync");
        ActivityEvent transition = span.Events.Single(e => e.Name == "resilience.circuit_breaker.transition");
        Assert.Equal("db-1", transition.Tags.Single(t => t.Key == "resilience.circuit_breaker.key").Value);
        Assert.Equal("open", transition.Tags.Single(t => t.Key == "resilience.circuit_breaker.state").Value);
        ActivityEvent rejected = span.Events.Single(e => e.Name == "resilience.rejection");
        Assert.Equal("db-1", rejected.Tags.Single(t => t.Key == "resilience.circuit_breaker.key").Value);
    }

    [Fact]
    public void Plain_breaker_span_events_have_no_key_tag()
    {
        using var registry = new ResilienceRegistry(new FakeTimeProvider());
        using var spans = new SpanCollector(registry);
        Resilience.CircuitBreaker breaker = registry.GetOrAddCircuitBreaker("db", OneFailure);
        CallTelemetry telemetry = registry.Telemetry.CreateCall("Tests.IDb", "GetAsync");

        var call = telemetry.Start();
        breaker.Acquire().RecordFailure();
        call.Dispose();

        ActivityEvent transition = spans.Stopped.Single(a => a.OperationName == "IDb.GetAsync").Events.Single();
        Assert.Equal("resilience.circuit_breaker.transition", transition.Name);
        Assert.DoesNotContain(transition.Tags, t => t.Key == "resilience.circuit_breaker.key");
    }

    [Fact]
    public async Task Keyed_transitions_are_logged_without_the_key_by_default()
    {
        var logs = new TestLoggerFactory();
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(new FakeTimeProvider());
        services.AddSingleton<ILoggerFactory>(logs);
        services.AddResilienceRegistry();
        await using ServiceProvider provider = services.BuildServiceProvider();
        var registry = provider.GetRequiredService<ResilienceRegistry>();

        registry.GetOrAddKeyedCircuitBreaker<string>("hosts", OneFailure).Acquire("db-1").RecordFailure();

        LogEntry entry = Assert.Single(logs.Entries, e => e.EventName == "KeyedCircuitBreakerStateChanged");
        Assert.Equal(LogLevel.Warning, entry.Level);
        Assert.Contains("'hosts' for key '[hidden]' went from Closed to Open", entry.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(logs.Entries, e => e.Message.Contains("db-1", StringComparison.Ordinal));
        Assert.DoesNotContain(logs.Entries, e => e.EventName == "CircuitBreakerStateChanged");
    }

    [Fact]
    public async Task Keyed_transitions_are_logged_with_the_key_when_argument_values_are_opted_in()
    {
        var logs = new TestLoggerFactory();
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(new FakeTimeProvider());
        services.AddSingleton<ILoggerFactory>(logs);
        services.Configure<ResilienceOptions>(o => o.Logging.IncludeArgumentValues = true);
        services.AddResilienceRegistry();
        await using ServiceProvider provider = services.BuildServiceProvider();
        var registry = provider.GetRequiredService<ResilienceRegistry>();

        registry.GetOrAddKeyedCircuitBreaker<string>("hosts", OneFailure).Acquire("db-1").RecordFailure();

        LogEntry entry = Assert.Single(logs.Entries, e => e.EventName == "KeyedCircuitBreakerStateChanged");
        Assert.Contains("'hosts' for key 'db-1' went from Closed to Open", entry.Message, StringComparison.Ordinal);
    }

    private static Dictionary<string, double> KeyStates(MetricCollector metrics, string instance)
    {
        int before = metrics.Of("resilience.circuit_breaker.keys").Count;
        metrics.Observe();
        var states = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (Recorded r in metrics.Of("resilience.circuit_breaker.keys").Skip(before))
        {
            Assert.Equal("{key}", r.Unit);
            Assert.Equal("circuit_breaker", r.Tag("resilience.strategy"));
            if ((string?)r.Tag("resilience.instance") == instance)
            {
                states.Add((string)r.Tag("resilience.circuit_breaker.state")!, r.Value);
            }
        }

        return states;
    }
}
