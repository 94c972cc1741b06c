using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Resilience.Runtime.Tests.CircuitBreaker;

using CircuitBreaker = global::Resilience.CircuitBreaker;

/// <summary>The hook a shared breaker backend plugs into: notices out, remote opens and closes in, probes refused.</summary>
public sealed class CircuitBreakerCoordinatorTests
{
    private static readonly CircuitBreakerOptions Options = new() { FailureThreshold = 2, BreakDuration = TimeSpan.FromSeconds(30), HalfOpenMaxCalls = 2 };
    private readonly FakeTimeProvider _time = new();
    private readonly RecordingCoordinator _coordinator = new();

    [Fact]
    public void The_closed_path_never_reaches_the_coordinator_and_allocates_nothing()
    {
        CircuitBreaker breaker = Registry().GetOrAddCircuitBreaker("b", Options);
        for (int i = 0; i < 10; i++)
        {
            Assert.True(breaker.TryAcquire(out CircuitBreakerLease warm));
            warm.RecordSuccess();
        }

        long allocated = AllocationProbe.Least(() =>
        {
            for (int i = 0; i < 1_000; i++)
            {
                breaker.TryAcquire(out CircuitBreakerLease lease);
                lease.RecordSuccess();
                breaker.TryAcquire(out CircuitBreakerLease failed);
                failed.RecordFailure(); // one failure between successes never trips
            }
        });

        Assert.Equal(0, allocated);
        Assert.Equal(["Attach(b, )"], _coordinator.Calls);
    }

    [Fact]
    public void Transitions_the_breaker_makes_itself_are_reported_with_their_reason()
    {
        CircuitBreaker breaker = Registry().GetOrAddCircuitBreaker("b", Options);

        Fail(breaker, 2);
        _time.Advance(Options.BreakDuration);
        Assert.True(breaker.TryAcquire(out CircuitBreakerLease probe));
        probe.RecordSuccess();

        Assert.Equal(
            ["Attach(b, )", "Closed->Open TripPolicy", "Open->HalfOpen BreakDurationElapsed", "Probe", "HalfOpen->Closed ProbeSucceeded"],
            _coordinator.Calls);
    }

    [Fact]
    public void A_remote_open_rejects_for_the_rest_of_the_remote_break_and_is_not_reported_back()
    {
        CircuitBreaker breaker = Registry().GetOrAddCircuitBreaker("b", Options);
        var seen = new List<CircuitStateChangedEventArgs>();
        breaker.StateChanged += (_, e) => seen.Add(e);

        breaker.OpenRemotely(TimeSpan.FromSeconds(10));

        Assert.Equal(CircuitState.Open, breaker.State);
        Assert.False(breaker.TryAcquire(out _, out BrokenCircuitException? rejection));
        Assert.Equal(TimeSpan.FromSeconds(10), rejection.RetryAfter);
        Assert.Equal((CircuitState.Closed, CircuitState.Open, CircuitTransitionReason.Remote), (seen[0].OldState, seen[0].NewState, seen[0].Reason));
        _time.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(CircuitState.HalfOpen, breaker.State);
        Assert.Equal(["Attach(b, )"], _coordinator.Calls);
    }

    [Fact]
    public void A_remote_open_longer_than_the_local_break_is_capped_and_an_open_circuit_is_only_extended()
    {
        CircuitBreaker breaker = Registry().GetOrAddCircuitBreaker("b", Options);
        Fail(breaker, 2);
        _time.Advance(TimeSpan.FromSeconds(20));

        breaker.OpenRemotely(TimeSpan.FromMinutes(5)); // capped at the break duration: 30 s from now
        _time.Advance(TimeSpan.FromSeconds(29));
        Assert.Equal(CircuitState.Open, breaker.State);
        breaker.OpenRemotely(TimeSpan.FromSeconds(1)); // shorter than what is left: no change
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(CircuitState.HalfOpen, breaker.State);
    }

    [Fact]
    public void A_remote_close_closes_an_open_circuit_but_not_an_isolated_one()
    {
        CircuitBreaker breaker = Registry().GetOrAddCircuitBreaker("b", Options);
        Fail(breaker, 2);

        breaker.CloseRemotely();
        Assert.Equal(CircuitState.Closed, breaker.State);

        breaker.Isolate();
        breaker.CloseRemotely();
        breaker.OpenRemotely(TimeSpan.FromSeconds(1));
        Assert.Equal(CircuitState.Isolated, breaker.State);
    }

    [Fact]
    public void A_refused_probe_is_rejected_as_half_open_and_gives_its_slot_back()
    {
        CircuitBreaker breaker = Registry().GetOrAddCircuitBreaker("b", Options);
        Fail(breaker, 2);
        _time.Advance(Options.BreakDuration);
        _coordinator.AdmitProbes = false;

        for (int i = 0; i < 5; i++)
        {
            Assert.False(breaker.TryAcquire(out CircuitBreakerLease refused, out BrokenCircuitException? rejection));
            Assert.Equal(default, refused);
            Assert.Equal(CircuitState.HalfOpen, rejection.State);
        }

        _coordinator.AdmitProbes = true;
        Assert.True(breaker.TryAcquire(out CircuitBreakerLease first));
        Assert.True(breaker.TryAcquire(out CircuitBreakerLease second)); // both local slots are free again
        Assert.False(breaker.TryAcquire(out _));
        first.RecordSuccess();
        second.RecordSuccess();
    }

    [Fact]
    public void A_keyed_breaker_shares_only_the_keys_the_coordinator_names()
    {
        _coordinator.SharedKey = "hot";
        KeyedCircuitBreaker<string> keyed = Registry().GetOrAddKeyedCircuitBreaker<string>("k", Options);

        foreach (string key in new[] { "hot", "cold" })
        {
            for (int i = 0; i < 2; i++)
            {
                keyed.TryAcquire(key, out CircuitBreakerLease lease);
                lease.RecordFailure();
            }
        }

        Assert.Equal(["Attach(k, hot)", "Closed->Open TripPolicy (hot)"], _coordinator.Calls);
        Assert.True(keyed.TryGet("hot", out CircuitBreaker? hot));
        hot.CloseRemotely();
        Assert.True(keyed.TryAcquire("hot", out _));
        Assert.False(keyed.TryAcquire("cold", out _));
    }

    [Fact]
    public void Without_a_provider_nothing_is_attached()
    {
        using ServiceProvider provider = new ServiceCollection().AddResilienceRegistry().BuildServiceProvider();
        CircuitBreaker breaker = provider.GetRequiredService<ResilienceRegistry>().GetOrAddCircuitBreaker("b", Options);

        Fail(breaker, 2);
        Assert.Equal(CircuitState.Open, breaker.State);
    }

    private ResilienceRegistry Registry()
    {
        var services = new ServiceCollection()
            .AddSingleton<TimeProvider>(_time)
            .AddSingleton<ICircuitBreakerCoordinatorProvider>(new Provider(_coordinator))
            .AddResilienceRegistry();
        return services.BuildServiceProvider().GetRequiredService<ResilienceRegistry>();
    }

    private static void Fail(CircuitBreaker breaker, int times)
    {
        for (int i = 0; i < times; i++)
        {
            Assert.True(breaker.TryAcquire(out CircuitBreakerLease lease));
            lease.RecordFailure();
        }
    }

    private sealed class Provider(CircuitBreakerCoordinator coordinator) : ICircuitBreakerCoordinatorProvider
    {
        public CircuitBreakerCoordinator? CreateCoordinator(string name, CircuitBreakerOptions options, bool isKeyed)
        {
            Assert.Equal(Options.BreakDuration, options.BreakDuration);
            return coordinator;
        }
    }

    private sealed class RecordingCoordinator : CircuitBreakerCoordinator
    {
        public List<string> Calls { get; } = [];

        public bool AdmitProbes { get; set; } = true;

        public string? SharedKey { get; set; }

        public override bool SharesKey(object? key) => Equals(key, SharedKey);

        public override void Attach(CircuitBreaker breaker, object? key) => Calls.Add($"Attach({breaker.Name}, {key})");

        public override void OnStateChanged(CircuitBreaker breaker, CircuitStateChangedEventArgs change)
            => Calls.Add($"{change.OldState}->{change.NewState} {change.Reason}" + (change.IsKeyed ? $" ({change.Key})" : ""));

        public override bool TryAcquireProbe(CircuitBreaker breaker, object? key)
        {
            Calls.Add("Probe");
            return AdmitProbes;
        }
    }
}
