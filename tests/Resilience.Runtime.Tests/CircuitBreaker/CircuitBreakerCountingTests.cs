using Microsoft.Extensions.Time.Testing;
using static Resilience.Runtime.Tests.CircuitBreaker.BreakerTestKit;

namespace Resilience.Runtime.Tests.CircuitBreaker;

using CircuitBreaker = global::Resilience.CircuitBreaker;

public sealed class CircuitBreakerCountingTests
{
    private static readonly TimeSpan Sampling = TimeSpan.FromSeconds(10);

    private static CircuitBreakerOptions Ratio(double failureRatio = 0, double timeoutRatio = 0, int minimumThroughput = 10)
        => new()
        {
            FailureRatio = failureRatio,
            TimeoutRatio = timeoutRatio,
            MinimumThroughput = minimumThroughput,
            SamplingDuration = Sampling,
            BreakDuration = Break,
        };

    [Fact]
    public void Counts_TrackEveryKindOfOutcome_AndTheStreaks()
    {
        CircuitBreaker breaker = Create(Consecutive(100), out _);

        Succeed(breaker, 3);
        Fail(breaker, 2);
        Throw(breaker, new TimeoutException());
        Throw(breaker, new OperationCanceledException("linked timeout fired"));

        Assert.Equal(
            new CircuitCounts { Requests = 7, Successes = 3, Failures = 4, Timeouts = 2, ConsecutiveSuccesses = 0, ConsecutiveFailures = 4 },
            breaker.Counts);

        Succeed(breaker, 2);
        Assert.Equal(2, breaker.Counts.ConsecutiveSuccesses);
        Assert.Equal(0, breaker.Counts.ConsecutiveFailures);
    }

    [Fact]
    public void FailureRatio_WaitsForMinimumThroughput_ThenTripsAtTheRatio()
    {
        CircuitBreaker breaker = Create(Ratio(failureRatio: 0.5, minimumThroughput: 10), out _);

        Fail(breaker, 5);
        Succeed(breaker, 4);
        Assert.Equal(CircuitState.Closed, breaker.State); // 5/9 failed, but only 9 calls

        Succeed(breaker, 1);
        Assert.Equal(CircuitState.Closed, breaker.State); // the ratio is only checked on a failure

        Fail(breaker, 1);
        Assert.Equal(CircuitState.Open, breaker.State);   // 6/11 >= 0.5
    }

    [Fact]
    public void FailureRatio_BelowTheRatio_StaysClosed_HoweverManyFailures()
    {
        CircuitBreaker breaker = Create(Ratio(failureRatio: 0.5, minimumThroughput: 4), out _);

        for (int i = 0; i < 100; i++)
        {
            Succeed(breaker, 2);
            Fail(breaker, 1);
        }

        Assert.Equal(CircuitState.Closed, breaker.State);
        Assert.Equal(100, breaker.Counts.Failures);
    }

    [Fact]
    public void FailureRatio_TripsAtExactlyTheRatio()
    {
        CircuitBreaker breaker = Create(Ratio(failureRatio: 0.3, minimumThroughput: 10), out _);

        Succeed(breaker, 7);
        Fail(breaker, 2);
        Assert.Equal(CircuitState.Closed, breaker.State);
        Fail(breaker, 1);                                // 3/10 = 0.3
        Assert.Equal(CircuitState.Open, breaker.State);
    }

    [Fact]
    public void RollingWindow_ForgetsOutcomesOnceTheSamplingDurationHasPassed()
    {
        CircuitBreaker breaker = Create(Ratio(failureRatio: 1.0, minimumThroughput: 10), out FakeTimeProvider time);
        Fail(breaker, 9);

        time.Advance(Sampling * 0.8);
        Assert.Equal(9, breaker.Counts.Failures);

        time.Advance(Sampling * 0.2);
        Assert.Equal(0, breaker.Counts.Requests);

        Fail(breaker, 1);
        Assert.Equal(CircuitState.Closed, breaker.State); // 1 call in the window, not 10
        Fail(breaker, 9);
        Assert.Equal(CircuitState.Open, breaker.State);
    }

    [Fact]
    public void RollingWindow_SlidesBucketByBucket()
    {
        CircuitBreaker breaker = Create(Ratio(failureRatio: 1.0, minimumThroughput: 1000), out FakeTimeProvider time);
        Fail(breaker, 4);                              // t = 0
        time.Advance(TimeSpan.FromSeconds(5));
        Succeed(breaker, 3);                           // t = 5 s
        time.Advance(TimeSpan.FromSeconds(3));
        Throw(breaker, new TimeoutException(), 2);     // t = 8 s

        Assert.Equal(new CircuitCounts { Requests = 9, Successes = 3, Failures = 6, Timeouts = 2, ConsecutiveFailures = 2 }, breaker.Counts);

        time.Advance(TimeSpan.FromSeconds(2));         // t = 10 s: the first failures are gone
        Assert.Equal(new CircuitCounts { Requests = 5, Successes = 3, Failures = 2, Timeouts = 2, ConsecutiveFailures = 2 }, breaker.Counts);

        time.Advance(TimeSpan.FromSeconds(5));         // t = 15 s: the successes are gone
        Assert.Equal(new CircuitCounts { Requests = 2, Failures = 2, Timeouts = 2, ConsecutiveFailures = 2 }, breaker.Counts);

        time.Advance(TimeSpan.FromSeconds(3));         // t = 18 s: everything is gone, the streak stays
        Assert.Equal(new CircuitCounts { ConsecutiveFailures = 2 }, breaker.Counts);
    }

    [Fact]
    public void ConsecutiveFailures_AreAStreak_NotLimitedToTheSamplingWindow()
    {
        var options = Consecutive(3);
        options.SamplingDuration = Sampling;
        CircuitBreaker breaker = Create(options, out FakeTimeProvider time);

        Fail(breaker, 2);
        time.Advance(Sampling * 3);
        Fail(breaker, 1);

        Assert.Equal(CircuitState.Open, breaker.State);
    }

    public static TheoryData<Exception> TimeoutExceptions =>
    [
        new OperationCanceledException("token of a linked timeout"),
        new TaskCanceledException(),
        new TimeoutException(),
        new ResilienceTimeoutException("outer", TimeSpan.FromSeconds(2)),
    ];

    [Theory]
    [MemberData(nameof(TimeoutExceptions))]
    public void TimeoutRatio_CountsCancellationsNotFromTheCallerAndTimeoutExceptions_AsTimeouts(Exception exception)
    {
        CircuitBreaker breaker = Create(Ratio(timeoutRatio: 0.5, minimumThroughput: 4), out _);
        Succeed(breaker, 2);

        // The caller's token is live, so a cancellation is not the caller's own.
        Throw(breaker, exception, 1, CancellationToken.None);
        Assert.Equal(new CircuitCounts { Requests = 3, Successes = 2, Failures = 1, Timeouts = 1, ConsecutiveFailures = 1 }, breaker.Counts);
        Assert.Equal(CircuitState.Closed, breaker.State);

        Throw(breaker, exception);
        Assert.Equal(CircuitState.Open, breaker.State);   // 2 timeouts / 4 calls
    }

    [Fact]
    public void TimeoutRatio_IgnoresFailuresThatAreNotTimeouts()
    {
        CircuitBreaker breaker = Create(Ratio(timeoutRatio: 0.5, minimumThroughput: 4), out _);

        Fail(breaker, 20);
        Throw(breaker, new InvalidOperationException(), 20);
        Assert.Equal(CircuitState.Closed, breaker.State);

        Throw(breaker, new TimeoutException(), 39);
        Assert.Equal(CircuitState.Closed, breaker.State); // 39/79
        Throw(breaker, new TimeoutException(), 1);
        Assert.Equal(CircuitState.Open, breaker.State);   // 40/80
    }

    [Fact]
    public void BothRatios_TripWhenEitherDoes()
    {
        CircuitBreaker byFailures = Create(Ratio(failureRatio: 0.5, timeoutRatio: 0.9, minimumThroughput: 4), out _);
        Succeed(byFailures, 2);
        Fail(byFailures, 2);
        Assert.Equal(CircuitState.Open, byFailures.State);

        CircuitBreaker byTimeouts = Create(Ratio(failureRatio: 0.9, timeoutRatio: 0.25, minimumThroughput: 4), out _);
        Succeed(byTimeouts, 3);
        Throw(byTimeouts, new TimeoutException());
        Assert.Equal(CircuitState.Open, byTimeouts.State);
    }

    [Fact]
    public void CustomTripPolicy_SeesTheCountsAfterEachFailure_AndOnlyWhileClosed()
    {
        var policy = new RecordingTripPolicy(tripAfter: 3);
        CircuitBreaker breaker = Create(new CircuitBreakerOptions { TripPolicy = policy, BreakDuration = Break }, out FakeTimeProvider time);

        Succeed(breaker, 2);
        Throw(breaker, new TimeoutException());
        Succeed(breaker, 1);
        Fail(breaker, 2);

        Assert.Equal(
            [
                new CircuitCounts { Requests = 3, Successes = 2, Failures = 1, Timeouts = 1, ConsecutiveFailures = 1 },
                new CircuitCounts { Requests = 5, Successes = 3, Failures = 2, Timeouts = 1, ConsecutiveFailures = 1 },
                new CircuitCounts { Requests = 6, Successes = 3, Failures = 3, Timeouts = 1, ConsecutiveFailures = 2 },
            ],
            policy.Seen);
        Assert.Equal(CircuitState.Open, breaker.State);

        time.Advance(Break);
        breaker.Acquire().RecordFailure();               // a probe failure reopens without asking the policy
        Assert.Equal(3, policy.Seen.Count);
    }

    [Fact]
    public void CustomTripPolicy_IsNotConsultedForNeutralOutcomes()
    {
        var policy = new RecordingTripPolicy(tripAfter: 1);
        CircuitBreaker breaker = Create(
            new CircuitBreakerOptions { TripPolicy = policy, Handle = [typeof(IOException)] }, out _);

        Throw(breaker, new OperationCanceledException(), 1, CancelledToken());
        Throw(breaker, new BrokenCircuitException("nested", CircuitState.Open, TimeSpan.FromSeconds(1)));
        Throw(breaker, new ArgumentException("not handled"));

        Assert.Empty(policy.Seen);
        Assert.Equal(CircuitState.Closed, breaker.State);
        Assert.Equal(0, breaker.Counts.Requests);
    }

    [Theory]
    [InlineData(typeof(IOException), true)]
    [InlineData(typeof(FileNotFoundException), true)]       // subtype of IOException
    [InlineData(typeof(HttpRequestException), true)]
    [InlineData(typeof(InvalidOperationException), false)]
    [InlineData(typeof(Exception), false)]                  // base type is not a match
    public void Handle_CountsListedTypesAndTheirSubtypesOnly(Type exceptionType, bool counted)
    {
        var options = Consecutive(1);
        options.Handle = [typeof(IOException), typeof(HttpRequestException)];
        CircuitBreaker breaker = Create(options, out _);
        var exception = (Exception)Activator.CreateInstance(exceptionType)!;

        Assert.Equal(counted, breaker.ShouldHandle(exception));
        Throw(breaker, exception);

        Assert.Equal(counted ? CircuitState.Open : CircuitState.Closed, breaker.State);
        Assert.Equal(counted ? 1 : 0, breaker.Counts.Failures);
    }

    [Fact]
    public void Handle_Null_CountsEveryException()
    {
        CircuitBreaker breaker = Create(Consecutive(3), out _);

        Assert.True(breaker.ShouldHandle(new Exception()));
        Assert.True(breaker.ShouldHandle(new ArgumentNullException()));
        Throw(breaker, new Exception());
        Throw(breaker, new ArgumentNullException());
        Throw(breaker, new InsufficientExecutionStackException());

        Assert.Equal(CircuitState.Open, breaker.State);
    }

    [Fact]
    public void Timeouts_CountEvenWhenHandleDoesNotListThem()
    {
        var options = Consecutive(2);
        options.Handle = [typeof(IOException)];
        CircuitBreaker breaker = Create(options, out _);

        Throw(breaker, new TimeoutException());
        Throw(breaker, new OperationCanceledException());

        Assert.Equal(2, breaker.Counts.Timeouts);
        Assert.Equal(CircuitState.Open, breaker.State);
    }

    [Fact]
    public void CallerCancellation_IsNeutral_ButTheSameExceptionWithALiveCallerTokenIsATimeout()
    {
        CircuitBreaker breaker = Create(Consecutive(1), out _);
        var cancellation = new OperationCanceledException();

        Throw(breaker, cancellation, 5, CancelledToken());
        Assert.Equal(CircuitState.Closed, breaker.State);
        Assert.Equal(default, breaker.Counts);

        Throw(breaker, cancellation, 1, CancellationToken.None);
        Assert.Equal(CircuitState.Open, breaker.State);
        Assert.Equal(1, breaker.Counts.Timeouts);
    }

    [Fact]
    public void CallerCancellation_DoesNotBreakTheSuccessStreak()
    {
        CircuitBreaker breaker = Create(Consecutive(5), out _);
        Succeed(breaker, 2);

        Throw(breaker, new TaskCanceledException(), 1, CancelledToken());
        Throw(breaker, new BrokenCircuitException("inner", CircuitState.HalfOpen, null));

        Assert.Equal(2, breaker.Counts.ConsecutiveSuccesses);
        Assert.Equal(2, breaker.Counts.Requests);
    }

    [Fact]
    public void RecordException_WithNull_Throws()
    {
        CircuitBreaker breaker = Create(Consecutive(1), out _);
        CircuitBreakerLease lease = breaker.Acquire();

        Assert.Throws<ArgumentNullException>(() => lease.RecordException(null!, CancellationToken.None));
        Assert.Throws<ArgumentNullException>(() => breaker.ShouldHandle(null!));
    }

    private sealed class RecordingTripPolicy(int tripAfter) : ITripPolicy
    {
        public List<CircuitCounts> Seen { get; } = [];

        public bool ShouldTrip(in CircuitCounts counts)
        {
            Seen.Add(counts);
            return Seen.Count >= tripAfter;
        }
    }
}
