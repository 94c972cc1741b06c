using System.Runtime.ExceptionServices;
using Microsoft.Extensions.Time.Testing;
using Resilience.Runtime.Tests.Telemetry;

namespace Resilience.Runtime.Tests.CircuitBreaker;

using static BreakerTestKit;
using CircuitBreaker = global::Resilience.CircuitBreaker;

/// <summary>
/// <c>TryAcquire(out lease, out rejection)</c>: the rejection <see cref="CircuitBreaker.Acquire"/> would throw is
/// handed back unthrown, reported to telemetry once, and probe slots behave as with <see cref="CircuitBreaker.Acquire"/>.
/// </summary>
[Collection(TelemetryCollection.Name)]
public sealed class CircuitBreakerRejectionTests
{
    private static readonly CircuitBreakerOptions OneFailure = new() { FailureThreshold = 1, BreakDuration = Break, HalfOpenMaxCalls = 2 };

    [Fact]
    public void Closed_grants_a_lease_and_no_rejection()
    {
        CircuitBreaker breaker = Create(Consecutive(2), out _);

        Assert.True(breaker.TryAcquire(out CircuitBreakerLease lease, out BrokenCircuitException? rejection));
        Assert.Null(rejection);
        lease.RecordFailure();
        Assert.True(breaker.TryAcquire(out lease, out rejection));
        lease.RecordFailure(); // the lease counts: the second failure opens the circuit

        Assert.Equal(CircuitState.Open, breaker.State);
    }

    [Fact]
    public void Open_returns_the_rejection_without_throwing_and_reports_it_once()
    {
        using var registry = new ResilienceRegistry(new FakeTimeProvider());
        using var metrics = new MetricCollector(registry, "resilience.rejections");
        var events = new List<RejectedEventArgs>();
        registry.OnRejected += (_, e) => events.Add(e);
        CircuitBreaker breaker = registry.GetOrAddCircuitBreaker("db", OneFailure);
        breaker.Acquire().RecordFailure();
        using var throws = new ThrowCounter();

        Assert.False(breaker.TryAcquire(out CircuitBreakerLease lease, out BrokenCircuitException? rejection));

        Assert.Equal(0, throws.Count);
        Assert.NotNull(rejection);
        Assert.Null(rejection.StackTrace); // created, never thrown
        Assert.Equal(("db", CircuitState.Open, Break), (rejection.InstanceName, rejection.State, rejection.RetryAfter));
        Assert.Equal(default, lease);
        Assert.Same(rejection, Assert.Single(events).Exception);
        Recorded counted = Assert.Single(metrics.Of("resilience.rejections"));
        Assert.Equal("circuit_breaker", counted.Tag("resilience.strategy"));

        // Acquire throws an equal rejection, reported once more.
        var thrown = Assert.Throws<BrokenCircuitException>(() => breaker.Acquire());
        Assert.Equal((rejection.State, rejection.RetryAfter, rejection.Message), (thrown.State, thrown.RetryAfter, thrown.Message));
        Assert.Equal(2, events.Count);
        Assert.Equal(2, metrics.Of("resilience.rejections").Count);
    }

    [Fact]
    public void Half_open_hands_out_the_probe_slots_then_rejects_as_half_open()
    {
        CircuitBreaker breaker = Create(OneFailure, out FakeTimeProvider time);
        BringToHalfOpen(breaker, time, 1);

        Assert.True(breaker.TryAcquire(out CircuitBreakerLease first, out BrokenCircuitException? none));
        Assert.Null(none);
        Assert.True(breaker.TryAcquire(out CircuitBreakerLease second, out _));
        Assert.False(breaker.TryAcquire(out _, out BrokenCircuitException? rejection));
        Assert.Equal(CircuitState.HalfOpen, rejection.State);
        Assert.Null(rejection.RetryAfter);

        first.RecordSuccess(); // a probe succeeding closes the circuit
        second.RecordSuccess();
        Assert.Equal(CircuitState.Closed, breaker.State);
        Assert.True(breaker.TryAcquire(out _, out rejection));
        Assert.Null(rejection);
    }

    [Fact]
    public void A_freed_probe_slot_is_handed_out_again()
    {
        CircuitBreaker breaker = Create(Consecutive(1), out FakeTimeProvider time);
        BringToHalfOpen(breaker, time, 1);

        Assert.True(breaker.TryAcquire(out CircuitBreakerLease probe, out _));
        Assert.False(breaker.TryAcquire(out _, out _));
        probe.RecordException(new OperationCanceledException(CancelledToken()), CancelledToken()); // neutral: frees the slot

        Assert.True(breaker.TryAcquire(out probe, out BrokenCircuitException? rejection));
        Assert.Null(rejection);
        probe.RecordFailure(); // the probe failing opens it for a full break again
        Assert.False(breaker.TryAcquire(out _, out rejection));
        Assert.Equal((CircuitState.Open, Break), (rejection.State, rejection.RetryAfter));
    }

    [Fact]
    public void Isolated_rejects_as_isolated()
    {
        CircuitBreaker breaker = Create(Consecutive(5), out _);
        breaker.Isolate();

        Assert.False(breaker.TryAcquire(out _, out BrokenCircuitException? rejection));
        Assert.Equal(CircuitState.Isolated, rejection.State);
        Assert.Null(rejection.RetryAfter);
    }

    [Fact]
    public void Keyed_open_key_returns_the_rejection_without_throwing_and_reports_it_once()
    {
        using var registry = new ResilienceRegistry(new FakeTimeProvider());
        using var metrics = new MetricCollector(registry, "resilience.rejections");
        var events = new List<RejectedEventArgs>();
        registry.OnRejected += (_, e) => events.Add(e);
        KeyedCircuitBreaker<string> hosts = registry.GetOrAddKeyedCircuitBreaker<string>("hosts", OneFailure);
        hosts.Acquire("db-1").RecordFailure();
        using var throws = new ThrowCounter();

        Assert.False(hosts.TryAcquire("db-1", out CircuitBreakerLease lease, out BrokenCircuitException? rejection));
        Assert.True(hosts.TryAcquire("db-2", out CircuitBreakerLease other, out BrokenCircuitException? none));

        Assert.Equal(0, throws.Count);
        Assert.Null(none);
        other.RecordSuccess();
        Assert.Equal(default, lease);
        Assert.Equal(("hosts", CircuitState.Open, Break), (rejection.InstanceName, rejection.State, rejection.RetryAfter));
        RejectedEventArgs reported = Assert.Single(events);
        Assert.Equal("hosts", reported.InstanceName);
        Assert.Same(rejection, reported.Exception);
        Assert.Single(metrics.Of("resilience.rejections"));
    }

    /// <summary>Counts first-chance exceptions raised on the creating thread.</summary>
    private sealed class ThrowCounter : IDisposable
    {
        private readonly int _thread = Environment.CurrentManagedThreadId;
        private int _count;

        public ThrowCounter() => AppDomain.CurrentDomain.FirstChanceException += OnFirstChance;

        public int Count => Volatile.Read(ref _count);

        public void Dispose() => AppDomain.CurrentDomain.FirstChanceException -= OnFirstChance;

        private void OnFirstChance(object? sender, FirstChanceExceptionEventArgs e)
        {
            if (Environment.CurrentManagedThreadId == _thread)
            {
                Interlocked.Increment(ref _count);
            }
        }
    }
}
