using Microsoft.Extensions.Time.Testing;
using static Resilience.Runtime.Tests.CircuitBreaker.BreakerTestKit;

namespace Resilience.Runtime.Tests.CircuitBreaker;

using CircuitBreaker = global::Resilience.CircuitBreaker;

/// <summary>
/// Scenarios that mutation testing (docs/testing.md) showed no other test covering: a probe slot given back twice,
/// settings copied at construction, argument checks, and the sampling window and break on a clock whose timestamp
/// frequency is not <see cref="TimeSpan.TicksPerSecond"/>.
/// </summary>
public sealed class CircuitBreakerMutationTests
{
    [Fact]
    public void A_probe_whose_neutral_outcome_is_recorded_twice_frees_only_its_own_slot()
    {
        CircuitBreaker breaker = Create(Consecutive(1, halfOpenMaxCalls: 1), out FakeTimeProvider time);
        BringToHalfOpen(breaker, time, 1);
        CircuitBreakerLease probe = breaker.Acquire();

        // A misuse (a lease is to be recorded once), but it must not hand out a slot that does not exist.
        probe.RecordException(new OperationCanceledException(), CancelledToken());
        probe.RecordException(new OperationCanceledException(), CancelledToken());

        Assert.True(breaker.TryAcquire(out _));
        Assert.False(breaker.TryAcquire(out _, out BrokenCircuitException? rejection));
        Assert.Equal(CircuitState.HalfOpen, rejection.State);
    }

    [Fact]
    public void A_neutral_outcome_of_a_probe_frees_one_slot_of_several()
    {
        CircuitBreaker breaker = Create(Consecutive(1, halfOpenMaxCalls: 3), out FakeTimeProvider time);
        BringToHalfOpen(breaker, time, 1);
        CircuitBreakerLease first = breaker.Acquire();
        breaker.Acquire();
        breaker.Acquire();
        Assert.False(breaker.TryAcquire(out _));

        first.RecordException(new OperationCanceledException(), CancelledToken());

        Assert.True(breaker.TryAcquire(out _));
        Assert.False(breaker.TryAcquire(out _));
        Assert.Equal(CircuitState.HalfOpen, breaker.State);
    }

    [Fact]
    public void A_neutral_outcome_of_a_closed_period_lease_frees_no_probe_slot_later()
    {
        CircuitBreaker breaker = Create(Consecutive(1, halfOpenMaxCalls: 1), out FakeTimeProvider time);
        Assert.True(breaker.TryAcquire(out CircuitBreakerLease closedLease));
        BringToHalfOpen(breaker, time, 1);
        Assert.True(breaker.TryAcquire(out _)); // the one probe

        closedLease.RecordException(new OperationCanceledException(), CancelledToken());

        Assert.False(breaker.TryAcquire(out _));
    }

    [Fact]
    public void The_constructor_names_a_missing_argument_and_validates_the_options()
    {
        Assert.Equal("name", Assert.Throws<ArgumentNullException>(() => new CircuitBreaker(null!, new CircuitBreakerOptions())).ParamName);
        Assert.Equal("options", Assert.Throws<ArgumentNullException>(() => new CircuitBreaker("b", null!)).ParamName);
        Assert.ThrowsAny<ArgumentException>(() => new CircuitBreaker("b", new CircuitBreakerOptions { FailureThreshold = 0 }));
    }

    [Fact]
    public void ShouldHandle_refuses_null()
    {
        var breaker = new CircuitBreaker("b", new CircuitBreakerOptions());

        Assert.Equal("exception", Assert.Throws<ArgumentNullException>(() => breaker.ShouldHandle(null!)).ParamName);
    }

    [Fact]
    public void The_Handle_list_is_copied_at_construction()
    {
        var handle = new List<Type> { typeof(TimeoutException) };
        var breaker = new CircuitBreaker("b", new CircuitBreakerOptions { Handle = handle });
        handle[0] = typeof(InvalidOperationException);
        handle.Add(typeof(IOException));

        Assert.True(breaker.ShouldHandle(new TimeoutException()));
        Assert.False(breaker.ShouldHandle(new InvalidOperationException()));
        Assert.False(breaker.ShouldHandle(new IOException()));
    }

    [Fact]
    public void Settings_changed_on_the_options_after_construction_change_nothing()
    {
        CircuitBreakerOptions options = Consecutive(2, halfOpenMaxCalls: 1);
        CircuitBreaker breaker = Create(options, out FakeTimeProvider time);
        options.FailureThreshold = 1;
        options.BreakDuration = TimeSpan.FromSeconds(1);
        options.HalfOpenMaxCalls = 5;

        Fail(breaker, 1);
        Assert.Equal(CircuitState.Closed, breaker.State);
        Fail(breaker, 1);
        Assert.Equal(CircuitState.Open, breaker.State);
        time.Advance(Break - TimeSpan.FromTicks(1));
        Assert.Equal(CircuitState.Open, breaker.State);
        time.Advance(TimeSpan.FromTicks(1));
        Assert.True(breaker.TryAcquire(out _));
        Assert.False(breaker.TryAcquire(out _));
    }

    [Fact]
    public void The_plain_TryAcquire_on_an_open_circuit_returns_false_and_a_default_lease()
    {
        CircuitBreaker breaker = Create(Consecutive(1), out _);
        Fail(breaker, 1);

        Assert.False(breaker.TryAcquire(out CircuitBreakerLease lease));
        Assert.False(lease.IsCircuitOpen); // the default lease belongs to no breaker
        lease.RecordFailure();
        Assert.Equal(1, breaker.Counts.Failures);
    }

    public static TheoryData<long> Frequencies => [1_000, 1_193_182, 1_000_000_000, 3];

    [Theory]
    [MemberData(nameof(Frequencies))]
    public void The_sampling_window_forgets_outcomes_after_the_sampling_duration_on_any_clock(long frequency)
    {
        var clock = new OddFrequencyTimeProvider(frequency);
        var breaker = new CircuitBreaker("b", new CircuitBreakerOptions
        {
            FailureRatio = 1.0,
            MinimumThroughput = 100,
            SamplingDuration = TimeSpan.FromSeconds(10),
            BreakDuration = Break,
        }, clock);
        Fail(breaker, 4);                                     // t = 0
        clock.AdvanceTo(TimeSpan.FromSeconds(5));
        Succeed(breaker, 3);                                  // t = 5 s

        clock.AdvanceTo(TimeSpan.FromSeconds(10) - TimeSpan.FromTicks(1));
        Assert.Equal(7, breaker.Counts.Requests);
        clock.AdvanceTo(TimeSpan.FromSeconds(10));           // the first failures' bucket has left the window
        Assert.Equal(new CircuitCounts { Requests = 3, Successes = 3, ConsecutiveSuccesses = 3 }, breaker.Counts);
        clock.AdvanceTo(TimeSpan.FromSeconds(15));
        Assert.Equal(new CircuitCounts { ConsecutiveSuccesses = 3 }, breaker.Counts);
    }

    [Theory]
    [MemberData(nameof(Frequencies))]
    public void The_break_and_its_RetryAfter_follow_the_break_duration_on_any_clock(long frequency)
    {
        var clock = new OddFrequencyTimeProvider(frequency);
        var breaker = new CircuitBreaker("b", Consecutive(1), clock);
        Fail(breaker, 1);

        clock.AdvanceTo(TimeSpan.FromSeconds(12));
        Assert.False(breaker.TryAcquire(out _, out BrokenCircuitException? rejection));
        Assert.Equal(Break - TimeSpan.FromSeconds(12), rejection.RetryAfter);

        clock.AdvanceTo(clock.Units(Units(Break, frequency)) - TimeSpan.FromTicks(1));
        Assert.Equal(CircuitState.Open, breaker.State);
        clock.AdvanceTo(clock.Units(Units(Break, frequency)));
        Assert.Equal(CircuitState.HalfOpen, breaker.State);
    }

    private static long Units(TimeSpan span, long frequency) => (long)Math.Ceiling(span.Ticks * (double)frequency / TimeSpan.TicksPerSecond);
}
