using Microsoft.Extensions.Time.Testing;
using static Resilience.Runtime.Tests.CircuitBreaker.BreakerTestKit;

namespace Resilience.Runtime.Tests.CircuitBreaker;

using CircuitBreaker = global::Resilience.CircuitBreaker;

/// <summary>
/// The closed breaker's lock-free success: what it counts, what it must not count (successes of an earlier period),
/// and the streaks derived from it.
/// </summary>
public sealed class CircuitBreakerSuccessPathTests
{
    [Fact]
    public void SuccessOfAClosedPeriod_RecordedAfterTheCircuitClosedAgain_IsNotCounted()
    {
        CircuitBreaker breaker = Create(Consecutive(1), out FakeTimeProvider time);
        Assert.True(breaker.TryAcquire(out CircuitBreakerLease old));
        Fail(breaker, 1);                 // Open
        time.Advance(Break);
        Succeed(breaker, 1);              // the probe closes it: a new closed period
        Assert.Equal(CircuitState.Closed, breaker.State);

        old.RecordSuccess();

        Assert.Equal(0, breaker.Counts.Requests);
        Assert.Equal(0, breaker.Counts.ConsecutiveSuccesses);
    }

    [Fact]
    public void SuccessOfAClosedPeriod_RecordedWhileOpen_IsNotCounted()
    {
        CircuitBreaker breaker = Create(Consecutive(2), out _);
        Assert.True(breaker.TryAcquire(out CircuitBreakerLease old));
        Fail(breaker, 2);

        old.RecordSuccess();

        CircuitCounts counts = breaker.Counts;
        Assert.Equal(CircuitState.Open, breaker.State);
        Assert.Equal(2, counts.Requests);
        Assert.Equal(0, counts.Successes);
        Assert.Equal(2, counts.ConsecutiveFailures);
        Assert.Equal(0, counts.ConsecutiveSuccesses);
    }

    [Fact]
    public void SuccessOfAClosedPeriod_AfterReset_IsNotCounted_ButANewLeaseIs()
    {
        CircuitBreaker breaker = Create(Consecutive(5), out _);
        Assert.True(breaker.TryAcquire(out CircuitBreakerLease old));
        breaker.Reset();                  // closed → closed: no event, but a new period
        old.RecordSuccess();
        Assert.Equal(0, breaker.Counts.Successes);

        Succeed(breaker, 1);
        Assert.Equal(1, breaker.Counts.Successes);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Streaks_FollowTheLastOutcome(bool systemClock)
    {
        CircuitBreaker breaker = systemClock
            ? new CircuitBreaker("system", Consecutive(10))
            : Create(Consecutive(10), out _);

        Fail(breaker, 3);
        Assert.Equal((3, 0), Streaks(breaker));
        Succeed(breaker, 2);
        Assert.Equal((0, 2), Streaks(breaker));
        Fail(breaker, 1);
        Assert.Equal((1, 0), Streaks(breaker));
        Fail(breaker, 1);
        Assert.Equal((2, 0), Streaks(breaker));
        Succeed(breaker, 4);

        CircuitCounts counts = breaker.Counts;
        Assert.Equal((0, 4), (counts.ConsecutiveFailures, counts.ConsecutiveSuccesses));
        Assert.Equal(11, counts.Requests);
        Assert.Equal(6, counts.Successes);
        Assert.Equal(5, counts.Failures);
    }

    [Fact]
    public void ASuccessBetweenFailures_KeepsAConsecutiveBreakerClosed()
    {
        CircuitBreaker breaker = Create(Consecutive(3), out _);
        for (int i = 0; i < 10; i++)
        {
            Fail(breaker, 2);
            Succeed(breaker, 1);
        }

        Assert.Equal(CircuitState.Closed, breaker.State);
        Fail(breaker, 3);
        Assert.Equal(CircuitState.Open, breaker.State);
    }

    [Fact]
    public void ManySuccessesInOneBucket_AreCountedExactly()
    {
        // More than one bucket word holds (65 535): the rest spills into the bucket's locked count.
        const int Successes = 140_000;
        CircuitBreaker breaker = Create(new CircuitBreakerOptions { FailureRatio = 0.5, MinimumThroughput = 1 }, out _);
        Succeed(breaker, Successes);
        Fail(breaker, 1);
        Succeed(breaker, 2);

        CircuitCounts counts = breaker.Counts;
        Assert.Equal(Successes + 2, counts.Successes);
        Assert.Equal(Successes + 3, counts.Requests);
        Assert.Equal(2, counts.ConsecutiveSuccesses);
        Assert.Equal(CircuitState.Closed, breaker.State);
    }

    [Fact]
    public void SuccessesLeaveTheWindow_AndStillEndTheFailureStreak()
    {
        CircuitBreaker breaker = Create(
            new CircuitBreakerOptions { FailureThreshold = 2, SamplingDuration = TimeSpan.FromSeconds(10) },
            out FakeTimeProvider time);
        Fail(breaker, 1);
        Succeed(breaker, 3);
        time.Advance(TimeSpan.FromSeconds(10));
        Succeed(breaker, 1);

        CircuitCounts counts = breaker.Counts;
        Assert.Equal(1, counts.Successes);
        Assert.Equal(0, counts.Failures);
        Assert.Equal(4, counts.ConsecutiveSuccesses);
        Fail(breaker, 1);
        Assert.Equal(CircuitState.Closed, breaker.State);
    }

    [Fact]
    public void SuccessWithAnOlderTimestampThanItsBucket_IsOutsideTheWindow_ButEndsTheStreak()
    {
        // A clock that goes back (an adjusted wall clock): the outcome's bucket already counts a later time.
        var clock = new SettableTimeProvider();
        var breaker = new CircuitBreaker(
            "back",
            new CircuitBreakerOptions { FailureThreshold = 3, SamplingDuration = TimeSpan.FromSeconds(10) },
            clock);
        clock.Now = TimeSpan.FromSeconds(20).Ticks;
        Fail(breaker, 2);
        clock.Now = TimeSpan.FromSeconds(10).Ticks;   // the same bucket slot, one window earlier

        Succeed(breaker, 1);
        Fail(breaker, 1);

        clock.Now = TimeSpan.FromSeconds(20).Ticks;
        CircuitCounts counts = breaker.Counts;
        Assert.Equal(2, counts.Failures);
        Assert.Equal(0, counts.Successes);
        Assert.Equal(1, counts.ConsecutiveFailures);
        Assert.Equal(CircuitState.Closed, breaker.State);
    }

    [Fact]
    public void TripEvent_CarriesTheFailuresTheTripWasDecidedOn()
    {
        CircuitBreaker breaker = Create(Consecutive(3), out _);
        CircuitStateChangedEventArgs? trip = null;
        breaker.StateChanged += (_, e) => trip = e;
        Succeed(breaker, 2);
        Fail(breaker, 3);

        Assert.NotNull(trip);
        Assert.Equal(3, trip.Counts.ConsecutiveFailures);
        Assert.Equal(0, trip.Counts.ConsecutiveSuccesses);
        Assert.Equal(5, trip.Counts.Requests);
    }

    [Fact]
    public void SystemClock_CountsSuccessesAndFailuresInTheWindow()
    {
        var breaker = new CircuitBreaker("system", new CircuitBreakerOptions { FailureRatio = 0.5, MinimumThroughput = 4 });
        Succeed(breaker, 3);
        Fail(breaker, 2);
        Assert.Equal(CircuitState.Closed, breaker.State);
        Fail(breaker, 1);

        Assert.Equal(CircuitState.Open, breaker.State);
        Assert.Equal(6, breaker.Counts.Requests);
        Assert.Equal(3, breaker.Counts.Successes);
    }

    private static (int Failures, int Successes) Streaks(CircuitBreaker breaker)
    {
        CircuitCounts counts = breaker.Counts;
        return (counts.ConsecutiveFailures, counts.ConsecutiveSuccesses);
    }

    /// <summary>A clock the test sets, in <see cref="TimeSpan"/> ticks; it may go back.</summary>
    private sealed class SettableTimeProvider : TimeProvider
    {
        public long Now { get; set; }

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => Now;
    }
}
