using Microsoft.Extensions.Time.Testing;
using static Resilience.Runtime.Tests.CircuitBreaker.BreakerTestKit;

namespace Resilience.Runtime.Tests.CircuitBreaker;

using CircuitBreaker = global::Resilience.CircuitBreaker;

public sealed class CircuitBreakerStateTests
{
    [Fact]
    public void NewBreaker_IsClosed_AdmitsCalls_AndHasNoCounts()
    {
        CircuitBreaker breaker = Create(new CircuitBreakerOptions(), out _, name: "orders");

        Assert.Equal("orders", breaker.Name);
        Assert.Equal(CircuitState.Closed, breaker.State);
        Assert.True(breaker.TryAcquire(out CircuitBreakerLease lease));
        Assert.False(lease.IsCircuitOpen);
        Assert.Equal(default, breaker.Counts);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(5)]
    public void ConsecutiveFailures_OpenExactlyAtTheThreshold(int threshold)
    {
        CircuitBreaker breaker = Create(Consecutive(threshold), out _);

        Fail(breaker, threshold - 1);
        Assert.Equal(CircuitState.Closed, breaker.State);

        Fail(breaker, 1);
        Assert.Equal(CircuitState.Open, breaker.State);
        Assert.False(breaker.TryAcquire(out CircuitBreakerLease rejected));
        Assert.Equal(default, rejected);
    }

    [Fact]
    public void Success_BreaksTheFailureStreak()
    {
        CircuitBreaker breaker = Create(Consecutive(3), out _);

        Fail(breaker, 2);
        Succeed(breaker, 1);
        Fail(breaker, 2);

        Assert.Equal(CircuitState.Closed, breaker.State);
        Assert.Equal(2, breaker.Counts.ConsecutiveFailures);
        Fail(breaker, 1);
        Assert.Equal(CircuitState.Open, breaker.State);
    }

    [Fact]
    public void Open_AcquireThrows_WithRetryAfterShrinkingAsTimePasses()
    {
        CircuitBreaker breaker = Create(Consecutive(1), out FakeTimeProvider time, name: "payments");
        Fail(breaker, 1);

        BrokenCircuitException first = Assert.Throws<BrokenCircuitException>(() => breaker.Acquire());
        Assert.Equal(CircuitState.Open, first.State);
        Assert.Equal("payments", first.InstanceName);
        Assert.Equal(Break, first.RetryAfter);

        time.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(TimeSpan.FromSeconds(20), Assert.Throws<BrokenCircuitException>(() => breaker.Acquire()).RetryAfter);

        time.Advance(TimeSpan.FromSeconds(19.5));
        BrokenCircuitException last = Assert.Throws<BrokenCircuitException>(() => breaker.Acquire());
        Assert.Equal(TimeSpan.FromMilliseconds(500), last.RetryAfter);
        Assert.Contains("Retry after 500 ms", last.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_BecomesHalfOpen_ExactlyWhenTheBreakDurationHasPassed()
    {
        CircuitBreaker breaker = Create(Consecutive(1), out FakeTimeProvider time);
        var events = new List<CircuitStateChangedEventArgs>();
        breaker.StateChanged += (_, e) => events.Add(e);
        Fail(breaker, 1);

        time.Advance(Break - TimeSpan.FromTicks(1));
        Assert.Equal(CircuitState.Open, breaker.State);
        Assert.False(breaker.TryAcquire(out _));

        time.Advance(TimeSpan.FromTicks(1));
        Assert.Equal(CircuitState.HalfOpen, breaker.State);
        Assert.Equal([CircuitTransitionReason.TripPolicy], events.Select(e => e.Reason)); // reading State makes no transition

        Assert.True(breaker.TryAcquire(out _)); // the call after the break makes it
        Assert.Equal(
            [CircuitTransitionReason.TripPolicy, CircuitTransitionReason.BreakDurationElapsed],
            events.Select(e => e.Reason));
        Assert.Equal(CircuitState.Open, events[1].OldState);
        Assert.Equal(CircuitState.HalfOpen, events[1].NewState);
    }

    [Fact]
    public void HalfOpen_AdmitsHalfOpenMaxCallsProbes_AndRejectsTheRestAsHalfOpen()
    {
        CircuitBreaker breaker = Create(Consecutive(1, halfOpenMaxCalls: 2), out FakeTimeProvider time);
        BringToHalfOpen(breaker, time, 1);

        CircuitBreakerLease probe1 = breaker.Acquire();
        Assert.True(breaker.TryAcquire(out CircuitBreakerLease probe2));
        Assert.False(breaker.TryAcquire(out _));
        BrokenCircuitException rejected = Assert.Throws<BrokenCircuitException>(() => breaker.Acquire());

        Assert.Equal(CircuitState.HalfOpen, rejected.State);
        Assert.Null(rejected.RetryAfter);
        Assert.False(probe1.IsCircuitOpen);
        Assert.False(probe2.IsCircuitOpen);
    }

    [Fact]
    public void HalfOpen_ProbeSuccess_ClosesAndClearsCounts()
    {
        CircuitBreaker breaker = Create(Consecutive(2), out FakeTimeProvider time);
        BringToHalfOpen(breaker, time, 2);
        CircuitStateChangedEventArgs? closed = null;
        breaker.StateChanged += (_, e) => closed = e;

        breaker.Acquire().RecordSuccess();

        Assert.Equal(CircuitState.Closed, breaker.State);
        Assert.NotNull(closed);
        Assert.Equal(CircuitTransitionReason.ProbeSucceeded, closed.Reason);
        Assert.Equal(CircuitState.HalfOpen, closed.OldState);
        Assert.Equal(default, breaker.Counts);
        // The streak starts over: one failure no longer trips a threshold of 2.
        Fail(breaker, 1);
        Assert.Equal(CircuitState.Closed, breaker.State);
    }

    [Fact]
    public void HalfOpen_ProbeFailure_ReopensForAnotherFullBreakDuration()
    {
        CircuitBreaker breaker = Create(Consecutive(1), out FakeTimeProvider time);
        BringToHalfOpen(breaker, time, 1);
        CircuitStateChangedEventArgs? reopened = null;
        breaker.StateChanged += (_, e) => reopened = e;

        breaker.Acquire().RecordException(new InvalidOperationException("probe failed"), CancellationToken.None);

        Assert.NotNull(reopened);
        Assert.Equal(CircuitTransitionReason.ProbeFailed, reopened.Reason);
        Assert.Equal(CircuitState.Open, breaker.State);
        Assert.Equal(Break, Assert.Throws<BrokenCircuitException>(() => breaker.Acquire()).RetryAfter);

        time.Advance(Break - TimeSpan.FromTicks(1));
        Assert.Equal(CircuitState.Open, breaker.State);
        time.Advance(TimeSpan.FromTicks(1));
        Assert.Equal(CircuitState.HalfOpen, breaker.State);
    }

    public static TheoryData<string> NeutralOutcomes => ["caller-cancellation", "rejection", "unhandled-type"];

    [Theory]
    [MemberData(nameof(NeutralOutcomes))]
    public void HalfOpen_NeutralProbeOutcome_FreesTheSlot_WithoutChangingState(string outcome)
    {
        var options = Consecutive(1);
        options.Handle = [typeof(IOException)];
        CircuitBreaker breaker = Create(options, out FakeTimeProvider time);
        BringToHalfOpen(breaker, time, 1);
        CircuitBreakerLease probe = breaker.Acquire();
        Assert.False(breaker.TryAcquire(out _));

        switch (outcome)
        {
            case "caller-cancellation":
                probe.RecordException(new OperationCanceledException(), CancelledToken());
                break;
            case "rejection":
                probe.RecordException(new BrokenCircuitException("inner", CircuitState.Open, null), CancellationToken.None);
                break;
            default:
                probe.RecordException(new InvalidOperationException(), CancellationToken.None);
                break;
        }

        Assert.Equal(CircuitState.HalfOpen, breaker.State);
        Assert.Equal(0, breaker.Counts.Requests);
        Assert.True(breaker.TryAcquire(out CircuitBreakerLease next));
        next.RecordSuccess();
        Assert.Equal(CircuitState.Closed, breaker.State);
    }

    [Fact]
    public void HalfOpen_OutcomesOfOtherProbes_AfterTheCircuitClosed_AreIgnored()
    {
        CircuitBreaker breaker = Create(Consecutive(1, halfOpenMaxCalls: 2), out FakeTimeProvider time);
        BringToHalfOpen(breaker, time, 1);
        CircuitBreakerLease first = breaker.Acquire();
        CircuitBreakerLease second = breaker.Acquire();

        first.RecordSuccess();
        second.RecordFailure();

        Assert.Equal(CircuitState.Closed, breaker.State);
        Assert.Equal(0, breaker.Counts.Failures);
    }

    [Fact]
    public void Isolate_RejectsUntilReset_EvenLongAfterTheBreakDuration()
    {
        CircuitBreaker breaker = Create(Consecutive(5), out FakeTimeProvider time, name: "isolated-one");

        breaker.Isolate();
        time.Advance(TimeSpan.FromHours(1));

        Assert.Equal(CircuitState.Isolated, breaker.State);
        Assert.False(breaker.TryAcquire(out _));
        BrokenCircuitException rejected = Assert.Throws<BrokenCircuitException>(() => breaker.Acquire());
        Assert.Equal(CircuitState.Isolated, rejected.State);
        Assert.Null(rejected.RetryAfter);
        Assert.Contains("Reset()", rejected.Message, StringComparison.Ordinal);

        breaker.Reset();
        Assert.Equal(CircuitState.Closed, breaker.State);
        Assert.True(breaker.TryAcquire(out _));
    }

    [Fact]
    public void Isolate_FromOpen_OverridesTheBreak_AndIsIdempotent()
    {
        CircuitBreaker breaker = Create(Consecutive(1), out FakeTimeProvider time);
        Fail(breaker, 1);
        var events = new List<CircuitStateChangedEventArgs>();
        breaker.StateChanged += (_, e) => events.Add(e);

        breaker.Isolate();
        breaker.Isolate();
        time.Advance(Break * 2);

        Assert.Equal(CircuitState.Isolated, breaker.State);
        CircuitStateChangedEventArgs isolated = Assert.Single(events);
        Assert.Equal(CircuitState.Open, isolated.OldState);
        Assert.Equal(CircuitTransitionReason.Isolated, isolated.Reason);
    }

    [Fact]
    public void Reset_FromOpen_ClosesClearsCounts_AndReportsTheCountsItCleared()
    {
        CircuitBreaker breaker = Create(Consecutive(3), out _);
        Succeed(breaker, 2);
        Fail(breaker, 3);
        CircuitStateChangedEventArgs? reset = null;
        breaker.StateChanged += (_, e) => reset = e;

        breaker.Reset();

        Assert.Equal(CircuitState.Closed, breaker.State);
        Assert.Equal(default, breaker.Counts);
        Assert.NotNull(reset);
        Assert.Equal(CircuitTransitionReason.Reset, reset.Reason);
        Assert.Equal(CircuitState.Open, reset.OldState);
        Assert.Equal(5, reset.Counts.Requests);
        Assert.Equal(3, reset.Counts.ConsecutiveFailures);
    }

    [Fact]
    public void Reset_WhileClosed_ClearsCounts_WithoutAnEvent()
    {
        CircuitBreaker breaker = Create(Consecutive(3), out _);
        Fail(breaker, 2);
        int events = 0;
        breaker.StateChanged += (_, _) => events++;

        breaker.Reset();
        Fail(breaker, 2);

        Assert.Equal(0, events);
        Assert.Equal(CircuitState.Closed, breaker.State);
        Assert.Equal(2, breaker.Counts.Failures);
    }

    [Fact]
    public void StaleLease_TakenBeforeReset_IsIgnored()
    {
        CircuitBreaker breaker = Create(Consecutive(1), out _);
        Assert.True(breaker.TryAcquire(out CircuitBreakerLease stale));

        breaker.Reset();
        stale.RecordFailure();
        stale.RecordException(new InvalidOperationException(), CancellationToken.None);

        Assert.Equal(CircuitState.Closed, breaker.State);
        Assert.Equal(default, breaker.Counts);
    }

    [Fact]
    public void StaleLease_FromTheClosedPeriod_CannotCloseAHalfOpenCircuit()
    {
        CircuitBreaker breaker = Create(Consecutive(1), out FakeTimeProvider time);
        Assert.True(breaker.TryAcquire(out CircuitBreakerLease slowCall));
        BringToHalfOpen(breaker, time, 1);

        slowCall.RecordSuccess();

        Assert.Equal(CircuitState.HalfOpen, breaker.State);
        Assert.True(breaker.TryAcquire(out _)); // the probe slot is still free
    }

    [Fact]
    public void StaleProbe_FromAnEarlierHalfOpenPeriod_IsIgnored_AndFreesNoSlotOfTheNewPeriod()
    {
        CircuitBreaker breaker = Create(Consecutive(1, halfOpenMaxCalls: 2), out FakeTimeProvider time);
        BringToHalfOpen(breaker, time, 1);
        CircuitBreakerLease failing = breaker.Acquire();
        CircuitBreakerLease slow = breaker.Acquire();
        failing.RecordFailure();                       // back to Open
        time.Advance(Break);
        CircuitBreakerLease current1 = breaker.Acquire();
        CircuitBreakerLease current2 = breaker.Acquire();

        slow.RecordException(new OperationCanceledException(), CancelledToken()); // neutral, but from the old period
        Assert.False(breaker.TryAcquire(out _));       // no slot of the new period was freed
        slow.RecordSuccess();                          // a success from the old period does not close the circuit
        Assert.Equal(CircuitState.HalfOpen, breaker.State);

        current1.RecordSuccess();
        Assert.Equal(CircuitState.Closed, breaker.State);
        Assert.False(current2.IsCircuitOpen);
    }

    [Fact]
    public void IsCircuitOpen_FollowsTheBreakerFromTheLeasesPointOfView()
    {
        CircuitBreaker breaker = Create(Consecutive(1), out FakeTimeProvider time);
        Assert.True(breaker.TryAcquire(out CircuitBreakerLease closedLease));
        Assert.False(closedLease.IsCircuitOpen);

        Fail(breaker, 1);
        Assert.True(closedLease.IsCircuitOpen);

        time.Advance(Break);
        CircuitBreakerLease probe = breaker.Acquire();
        Assert.False(probe.IsCircuitOpen);
        Assert.True(closedLease.IsCircuitOpen); // half-open, and this lease is not a probe

        breaker.Isolate();
        Assert.True(probe.IsCircuitOpen);

        breaker.Reset();
        Assert.False(breaker.Acquire().IsCircuitOpen);
    }

    [Fact]
    public void DefaultLease_IsAHarmlessNoOp()
    {
        CircuitBreaker breaker = Create(Consecutive(1), out _);
        CircuitBreakerLease lease = default;

        lease.RecordSuccess();
        lease.RecordFailure();
        lease.RecordException(new InvalidOperationException(), CancellationToken.None);
        lease.RecordException(null!, CancellationToken.None);

        Assert.False(lease.IsCircuitOpen);
        Assert.Equal(CircuitState.Closed, breaker.State);
    }

    [Fact]
    public void StateChanged_FullCycle_ReportsEveryTransitionInOrderWithItsArguments()
    {
        CircuitBreaker breaker = Create(Consecutive(2), out FakeTimeProvider time, name: "cycle");
        var events = new List<(object? Sender, CircuitStateChangedEventArgs Args)>();
        breaker.StateChanged += (sender, e) => events.Add((sender, e));

        Fail(breaker, 2);                              // Closed → Open
        time.Advance(Break);
        breaker.Acquire().RecordFailure();             // Open → HalfOpen → Open
        time.Advance(Break);
        breaker.Acquire().RecordSuccess();             // Open → HalfOpen → Closed
        breaker.Isolate();                             // Closed → Isolated
        breaker.Reset();                               // Isolated → Closed

        Assert.Equal(
            [
                (CircuitState.Closed, CircuitState.Open, CircuitTransitionReason.TripPolicy),
                (CircuitState.Open, CircuitState.HalfOpen, CircuitTransitionReason.BreakDurationElapsed),
                (CircuitState.HalfOpen, CircuitState.Open, CircuitTransitionReason.ProbeFailed),
                (CircuitState.Open, CircuitState.HalfOpen, CircuitTransitionReason.BreakDurationElapsed),
                (CircuitState.HalfOpen, CircuitState.Closed, CircuitTransitionReason.ProbeSucceeded),
                (CircuitState.Closed, CircuitState.Isolated, CircuitTransitionReason.Isolated),
                (CircuitState.Isolated, CircuitState.Closed, CircuitTransitionReason.Reset),
            ],
            events.Select(e => (e.Args.OldState, e.Args.NewState, e.Args.Reason)));
        Assert.All(events, e => Assert.Same(breaker, e.Sender));
        Assert.All(events, e => Assert.Equal("cycle", e.Args.Name));

        CircuitCounts tripped = events[0].Args.Counts;
        Assert.Equal(2, tripped.Failures);
        Assert.Equal(2, tripped.ConsecutiveFailures);
        Assert.Equal(2, tripped.Requests);
        Assert.Equal(1, events[4].Args.Counts.ConsecutiveSuccesses); // the probe success, before the counts were cleared
    }

    [Fact]
    public void StateChanged_IsRaisedOutsideTheLock()
    {
        CircuitBreaker breaker = Create(Consecutive(1), out FakeTimeProvider time);
        var otherThreadGotIn = new List<bool>();
        breaker.StateChanged += (_, _) =>
        {
            // Another thread needs the breaker's lock; if the event ran under it, this would time out.
            Task<CircuitCounts> reader = Task.Run(() => breaker.Counts);
            otherThreadGotIn.Add(reader.Wait(TimeSpan.FromSeconds(5)));
        };

        Fail(breaker, 1);
        time.Advance(Break);
        Assert.True(breaker.TryAcquire(out _)); // Open → HalfOpen on the first call after the break
        breaker.Isolate();

        Assert.Equal([true, true, true], otherThreadGotIn);
    }

    [Fact]
    public void StateChanged_HandlerThrowingWhileAProbeIsAcquired_DoesNotLeakTheProbeSlot()
    {
        CircuitBreaker breaker = Create(Consecutive(1), out FakeTimeProvider time);
        Fail(breaker, 1);
        time.Advance(Break);
        bool fail = true;
        breaker.StateChanged += (_, _) =>
        {
            if (fail)
            {
                throw new InvalidOperationException("handler failed");
            }
        };

        Assert.Throws<InvalidOperationException>(() => breaker.TryAcquire(out _));
        fail = false;

        Assert.Equal(CircuitState.HalfOpen, breaker.State);
        Assert.True(breaker.TryAcquire(out CircuitBreakerLease probe));
        probe.RecordSuccess();
        Assert.Equal(CircuitState.Closed, breaker.State);
    }
}
