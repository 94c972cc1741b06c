using System.Diagnostics.Metrics;
using Microsoft.Extensions.Time.Testing;
using static Resilience.Runtime.Tests.CircuitBreaker.BreakerTestKit;

namespace Resilience.Runtime.Tests.CircuitBreaker;

using CircuitBreaker = global::Resilience.CircuitBreaker;

/// <summary>The knobs from gobreaker: SuccessThreshold (MaxRequests), Interval and HandleException (IsSuccessful).</summary>
public sealed class CircuitBreakerSeedKnobsTests
{
    [Fact]
    public void Half_open_closes_only_after_SuccessThreshold_successful_probes_in_a_row()
    {
        CircuitBreakerOptions options = Consecutive(2);
        options.SuccessThreshold = 3;
        CircuitBreaker breaker = Create(options, out FakeTimeProvider time);
        var transitions = new List<CircuitTransitionReason>();
        breaker.StateChanged += (_, e) => transitions.Add(e.Reason);
        BringToHalfOpen(breaker, time, 2);

        Succeed(breaker, 2);
        Assert.Equal(CircuitState.HalfOpen, breaker.State);
        Succeed(breaker, 1);

        Assert.Equal(CircuitState.Closed, breaker.State);
        Assert.Equal(CircuitTransitionReason.ProbeSucceeded, transitions[^1]);
    }

    [Fact]
    public void A_failed_probe_reopens_and_the_successes_before_it_do_not_carry_over()
    {
        CircuitBreakerOptions options = Consecutive(1);
        options.SuccessThreshold = 2;
        CircuitBreaker breaker = Create(options, out FakeTimeProvider time);
        BringToHalfOpen(breaker, time, 1);

        Succeed(breaker, 1);
        Fail(breaker, 1);
        Assert.Equal(CircuitState.Open, breaker.State);

        time.Advance(Break);
        Succeed(breaker, 1);
        Assert.Equal(CircuitState.HalfOpen, breaker.State);
        Succeed(breaker, 1);
        Assert.Equal(CircuitState.Closed, breaker.State);
    }

    [Fact]
    public void Probes_beyond_HalfOpenMaxCalls_are_rejected_until_one_is_recorded()
    {
        CircuitBreakerOptions options = Consecutive(1);
        options.SuccessThreshold = 2;
        CircuitBreaker breaker = Create(options, out FakeTimeProvider time);
        BringToHalfOpen(breaker, time, 1);

        Assert.True(breaker.TryAcquire(out CircuitBreakerLease first));
        Assert.False(breaker.TryAcquire(out _));
        first.RecordSuccess();
        Assert.True(breaker.TryAcquire(out CircuitBreakerLease second));
        second.RecordSuccess();

        Assert.Equal(CircuitState.Closed, breaker.State);
    }

    [Fact]
    public void Neutral_probe_outcomes_neither_count_nor_break_the_run()
    {
        CircuitBreakerOptions options = Consecutive(1);
        options.SuccessThreshold = 2;
        CircuitBreaker breaker = Create(options, out FakeTimeProvider time);
        BringToHalfOpen(breaker, time, 1);

        Succeed(breaker, 1);
        Throw(breaker, new OperationCanceledException(CancelledToken()), callerToken: CancelledToken());
        Assert.Equal(CircuitState.HalfOpen, breaker.State);
        Succeed(breaker, 1);
        Assert.Equal(CircuitState.Closed, breaker.State);
    }

    [Fact]
    public void Without_an_interval_a_failure_streak_never_expires()
    {
        CircuitBreaker breaker = Create(Consecutive(3), out FakeTimeProvider time);
        Fail(breaker, 2);
        time.Advance(TimeSpan.FromDays(3));
        Fail(breaker, 1);

        Assert.Equal(CircuitState.Open, breaker.State);
    }

    [Fact]
    public void An_interval_clears_the_streak_when_the_first_outcome_after_its_end_is_recorded()
    {
        CircuitBreakerOptions options = Consecutive(3);
        options.Interval = TimeSpan.FromSeconds(10);
        CircuitBreaker breaker = Create(options, out FakeTimeProvider time);

        Fail(breaker, 2);
        time.Advance(TimeSpan.FromSeconds(10) - TimeSpan.FromTicks(1));
        Assert.Equal(2, breaker.Counts.ConsecutiveFailures);
        time.Advance(TimeSpan.FromTicks(1));
        Fail(breaker, 2);

        Assert.Equal(CircuitState.Closed, breaker.State);
        Assert.Equal(2, breaker.Counts.ConsecutiveFailures);
        Assert.Equal(2, breaker.Counts.Failures);
    }

    [Fact]
    public void Reading_Counts_after_the_end_reports_zeros_and_does_not_move_the_next_interval()
    {
        CircuitBreakerOptions options = Consecutive(3);
        options.Interval = TimeSpan.FromSeconds(10);
        CircuitBreaker breaker = Create(options, out FakeTimeProvider time);

        Fail(breaker, 2);
        time.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(default, breaker.Counts);
        time.Advance(TimeSpan.FromSeconds(5));
        Fail(breaker, 1); // the reset happens here, at 15 s: the next interval ends at 25 s
        time.Advance(TimeSpan.FromSeconds(9));
        Fail(breaker, 1);

        Assert.Equal(2, breaker.Counts.ConsecutiveFailures);
    }

    [Fact]
    public void On_a_coarse_clock_the_interval_is_rounded_up_never_down()
    {
        var time = new OddFrequencyTimeProvider(1_000); // 1 ms timestamps
        var breaker = new CircuitBreaker(
            "coarse",
            new CircuitBreakerOptions { FailureThreshold = 3, Interval = TimeSpan.FromTicks(10_005) }, // 1.0005 ms
            time);

        Fail(breaker, 1);
        time.Advance(TimeSpan.FromMilliseconds(1));
        Fail(breaker, 1);
        Assert.Equal(2, breaker.Counts.ConsecutiveFailures);
        time.Advance(TimeSpan.FromMilliseconds(1));
        Fail(breaker, 1);
        Assert.Equal(1, breaker.Counts.ConsecutiveFailures);
    }

    [Fact]
    public void The_next_interval_starts_at_the_reset_not_at_the_old_end()
    {
        CircuitBreakerOptions options = Consecutive(3);
        options.Interval = TimeSpan.FromSeconds(10);
        CircuitBreaker breaker = Create(options, out FakeTimeProvider time);

        time.Advance(TimeSpan.FromSeconds(25));
        Fail(breaker, 2); // resets at 25 s: the next interval ends at 35 s
        time.Advance(TimeSpan.FromSeconds(9));
        Fail(breaker, 1);

        Assert.Equal(CircuitState.Open, breaker.State);
    }

    [Fact]
    public void An_interval_clears_the_window_totals_that_ratios_read()
    {
        var options = new CircuitBreakerOptions
        {
            FailureRatio = 0.5,
            MinimumThroughput = 4,
            SamplingDuration = TimeSpan.FromMinutes(1),
            Interval = TimeSpan.FromSeconds(5),
        };
        CircuitBreaker breaker = Create(options, out FakeTimeProvider time);

        Fail(breaker, 1);
        Succeed(breaker, 2);
        time.Advance(TimeSpan.FromSeconds(5));
        Fail(breaker, 2);

        Assert.Equal(CircuitState.Closed, breaker.State);
        Assert.Equal(2, breaker.Counts.Requests);
    }

    [Fact]
    public void Closing_the_circuit_starts_a_fresh_interval()
    {
        CircuitBreakerOptions options = Consecutive(2);
        options.Interval = TimeSpan.FromSeconds(40);
        CircuitBreaker breaker = Create(options, out FakeTimeProvider time);
        BringToHalfOpen(breaker, time, 2); // 30 s after creation
        Succeed(breaker, 1); // closes at 30 s: the interval now ends at 70 s, not 40 s

        Fail(breaker, 1);
        time.Advance(TimeSpan.FromSeconds(15));
        Fail(breaker, 1);

        Assert.Equal(CircuitState.Open, breaker.State);
    }

    [Fact]
    public void Interval_resets_are_counted_by_the_registry_telemetry()
    {
        var time = new FakeTimeProvider();
        using var registry = new ResilienceRegistry(time);
        CircuitBreaker breaker = registry.GetOrAddCircuitBreaker(
            "interval-resets",
            new CircuitBreakerOptions { Interval = TimeSpan.FromSeconds(1) });
        var resets = new List<(long Value, string? Instance)>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (ReferenceEquals(instrument.Meter, registry.Telemetry.Meter) && instrument.Name == "resilience.circuit_breaker.interval_resets")
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            foreach (KeyValuePair<string, object?> tag in tags)
            {
                if (tag.Key == "resilience.instance")
                {
                    resets.Add((value, tag.Value as string));
                }
            }
        });
        listener.Start();

        Succeed(breaker, 1);
        time.Advance(TimeSpan.FromSeconds(1));
        Succeed(breaker, 1);
        Succeed(breaker, 1);

        Assert.Equal([(1L, "interval-resets")], resets);
    }

    [Fact]
    public void HandleException_false_makes_an_exception_neutral()
    {
        CircuitBreakerOptions options = Consecutive(2);
        options.HandleException = static e => e is not ArgumentException;
        CircuitBreaker breaker = Create(options, out _);

        Throw(breaker, new ArgumentException("caller's fault"), count: 5);
        Assert.Equal(CircuitState.Closed, breaker.State);
        Assert.Equal(0, breaker.Counts.Failures);

        Throw(breaker, new InvalidOperationException("downstream"), count: 2);
        Assert.Equal(CircuitState.Open, breaker.State);
    }

    [Fact]
    public void HandleException_is_asked_only_about_what_Handle_lets_through_and_never_about_timeouts()
    {
        var asked = new List<Type>();
        CircuitBreakerOptions options = Consecutive(10);
        options.Handle = [typeof(InvalidOperationException)];
        options.HandleException = e =>
        {
            asked.Add(e.GetType());
            return true;
        };
        CircuitBreaker breaker = Create(options, out _);

        Throw(breaker, new ArgumentException());
        Throw(breaker, new TimeoutException());
        Throw(breaker, new InvalidOperationException());

        Assert.Equal([typeof(InvalidOperationException)], asked);
        Assert.Equal(2, breaker.Counts.Failures);
        Assert.Equal(1, breaker.Counts.Timeouts);
    }

    [Fact]
    public void Options_validate_the_new_settings_and_compare_them()
    {
        Assert.Equal(
            "SuccessThreshold",
            Assert.Throws<ArgumentOutOfRangeException>(() => new CircuitBreakerOptions { SuccessThreshold = 0 }.Validate()).ParamName);
        Assert.Equal(
            "Interval",
            Assert.Throws<ArgumentOutOfRangeException>(() => new CircuitBreakerOptions { Interval = TimeSpan.FromTicks(-1) }.Validate()).ParamName);
        Assert.Equal(
            "Interval",
            Assert.Throws<ArgumentOutOfRangeException>(() => new CircuitBreakerOptions { Interval = TimeSpan.MaxValue }.Validate()).ParamName);
        new CircuitBreakerOptions { Interval = TimeSpan.Zero, SuccessThreshold = 1 }.Validate();

        Func<Exception, bool> first = IsTransient;
        Func<Exception, bool> second = IsTransient;
        Assert.Equal(new CircuitBreakerOptions { HandleException = first }, new CircuitBreakerOptions { HandleException = second });
        Assert.Equal(
            new CircuitBreakerOptions { HandleException = first }.GetHashCode(),
            new CircuitBreakerOptions { HandleException = second }.GetHashCode());
        Assert.NotEqual(new CircuitBreakerOptions { HandleException = first }, new CircuitBreakerOptions());
        Assert.NotEqual(new CircuitBreakerOptions { SuccessThreshold = 2 }, new CircuitBreakerOptions());
        Assert.NotEqual(new CircuitBreakerOptions { Interval = TimeSpan.FromSeconds(1) }, new CircuitBreakerOptions());
    }

    [Fact]
    public void Keyed_breakers_apply_the_new_settings_per_key()
    {
        var time = new FakeTimeProvider();
        using var breaker = new KeyedCircuitBreaker<string>(
            "keyed-knobs",
            new CircuitBreakerOptions
            {
                FailureThreshold = 2,
                Interval = TimeSpan.FromSeconds(10),
                HandleException = static e => e is not ArgumentException,
            },
            time);

        breaker.Acquire("a").RecordFailure();
        time.Advance(TimeSpan.FromSeconds(10));
        breaker.Acquire("a").RecordFailure();
        breaker.Acquire("a").RecordException(new ArgumentException(), default);
        Assert.True(breaker.TryGet("a", out CircuitBreaker? key));
        Assert.Equal(CircuitState.Closed, key.State);

        breaker.Acquire("a").RecordFailure();
        Assert.Equal(CircuitState.Open, key.State);
    }

    private static bool IsTransient(Exception exception) => exception is TimeoutException;
}
