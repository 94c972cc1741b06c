using Microsoft.Extensions.Time.Testing;
using static Resilience.Runtime.Tests.CircuitBreaker.BreakerTestKit;

namespace Resilience.Runtime.Tests.CircuitBreaker;

using CircuitBreaker = global::Resilience.CircuitBreaker;

/// <summary>Real threads hammering one breaker; every assertion is about exact counts, never about timing.</summary>
[Collection(StressCollection.Name)]
public sealed class CircuitBreakerConcurrencyTests
{
    private const int Threads = 4;

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(8)]
    public void HalfOpen_ManyThreadsRacingToProbe_GetExactlyHalfOpenMaxCallsLeases(int maxProbes)
    {
        const int Iterations = 150;
        const int AttemptsPerThread = 500;
        CircuitBreaker breaker = Create(Consecutive(1, maxProbes), out FakeTimeProvider time);
        int halfOpenTransitions = 0;
        breaker.StateChanged += (_, e) =>
        {
            if (e.NewState == CircuitState.HalfOpen)
            {
                Interlocked.Increment(ref halfOpenTransitions);
            }
        };

        var granted = new int[Iterations];
        var leases = new List<CircuitBreakerLease>[Threads];
        using var start = new Barrier(Threads + 1);
        using var done = new Barrier(Threads + 1);
        Thread[] workers = StartWorkers(index =>
        {
            leases[index] = [];
            for (int iteration = 0; iteration < Iterations; iteration++)
            {
                start.SignalAndWait();
                for (int attempt = 0; attempt < AttemptsPerThread; attempt++)
                {
                    if (breaker.TryAcquire(out CircuitBreakerLease lease))
                    {
                        Interlocked.Increment(ref granted[iteration]);
                        leases[index].Add(lease);
                    }
                }

                done.SignalAndWait();
            }
        });

        var failedRounds = new List<string>();
        for (int iteration = 0; iteration < Iterations; iteration++)
        {
            if (breaker.State == CircuitState.Closed)
            {
                Fail(breaker, 1);
            }

            time.Advance(Break);                       // the racing threads make the Open → HalfOpen transition
            start.SignalAndWait();
            done.SignalAndWait();

            var probes = leases.SelectMany(l => l).ToList();
            foreach (List<CircuitBreakerLease> list in leases)
            {
                list.Clear();
            }

            if (breaker.State != CircuitState.HalfOpen || probes.Count != maxProbes)
            {
                failedRounds.Add($"round {iteration}: {probes.Count} probes granted, state {breaker.State}");
            }

            // Alternate: a failed probe reopens, a successful one closes. The other probes' outcomes are then stale.
            if (iteration % 2 == 0)
            {
                probes[0].RecordFailure();
            }
            else
            {
                probes[0].RecordSuccess();
            }

            foreach (CircuitBreakerLease other in probes.Skip(1))
            {
                other.RecordFailure();
            }
        }

        JoinAll(workers);
        Assert.Empty(failedRounds);
        Assert.All(granted, g => Assert.Equal(maxProbes, g));
        Assert.Equal(Iterations, halfOpenTransitions);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(5)]
    public void HalfOpen_ProbesFinishingAndStartingConcurrently_NeverExceedTheLimit(int maxProbes)
    {
        const int AttemptsPerThread = 50_000;
        CircuitBreaker breaker = Create(Consecutive(1, maxProbes), out FakeTimeProvider time);
        BringToHalfOpen(breaker, time, 1);
        CancellationToken cancelled = CancelledToken();
        var callerCancelled = new OperationCanceledException(cancelled);
        var rejected = new BrokenCircuitException("nested", CircuitState.Open, null);
        int inFlight = 0, maxInFlight = 0, totalGranted = 0;

        using var start = new ManualResetEventSlim();
        Thread[] workers = StartWorkers(index =>
        {
            start.Wait();
            for (int attempt = 0; attempt < AttemptsPerThread; attempt++)
            {
                if (!breaker.TryAcquire(out CircuitBreakerLease probe))
                {
                    continue;
                }

                Interlocked.Increment(ref totalGranted);
                int now = Interlocked.Increment(ref inFlight);
                int seen;
                while (now > (seen = Volatile.Read(ref maxInFlight)) && Interlocked.CompareExchange(ref maxInFlight, now, seen) != seen)
                {
                }

                Interlocked.Decrement(ref inFlight);   // leave before the slot is freed, so inFlight <= slots taken
                probe.RecordException(attempt % 2 == 0 ? callerCancelled : rejected, cancelled);
            }
        });

        start.Set();
        JoinAll(workers);

        Assert.InRange(maxInFlight, 1, maxProbes);
        Assert.True(totalGranted > maxProbes * 10, $"slots were not reused: only {totalGranted} probes granted");
        Assert.Equal(CircuitState.HalfOpen, breaker.State);
        Assert.Equal(0, breaker.Counts.Requests);

        // Every slot came back: exactly maxProbes can be taken now.
        for (int i = 0; i < maxProbes; i++)
        {
            Assert.True(breaker.TryAcquire(out _));
        }

        Assert.False(breaker.TryAcquire(out _));
    }

    [Fact]
    public void ConcurrentRecording_KeepsEveryCountExact()
    {
        const int CallsPerThread = 30_000;
        CircuitBreaker breaker = Create(Consecutive(int.MaxValue), out _);
        var timeout = new TimeoutException();
        var failure = new InvalidOperationException();

        using var start = new ManualResetEventSlim();
        Thread[] workers = StartWorkers(index =>
        {
            start.Wait();
            for (int i = 0; i < CallsPerThread; i++)
            {
                CircuitBreakerLease lease = breaker.Acquire();
                switch (i % 6)
                {
                    case 0: lease.RecordFailure(); break;
                    case 1: lease.RecordException(timeout, CancellationToken.None); break;
                    case 2: lease.RecordException(failure, CancellationToken.None); break;
                    default: lease.RecordSuccess(); break;
                }
            }
        });

        start.Set();
        JoinAll(workers);

        CircuitCounts counts = breaker.Counts;
        long total = (long)Threads * CallsPerThread;
        Assert.Equal(total, counts.Requests);
        Assert.Equal(total / 2, counts.Successes);
        Assert.Equal(total / 2, counts.Failures);
        Assert.Equal(total / 6, counts.Timeouts);
        Assert.True(counts.ConsecutiveFailures == 0 || counts.ConsecutiveSuccesses == 0, counts.ToString());
        Assert.Equal(CircuitState.Closed, breaker.State);
    }

    [Fact]
    public void ConcurrentFailures_TripTheCircuitExactlyOnce_AndCountExactlyTheThreshold()
    {
        const int Iterations = 100;
        const int Threshold = 50;
        const int AttemptsPerThread = 200;
        CircuitBreaker breaker = Create(Consecutive(Threshold), out _);
        int trips = 0;
        breaker.StateChanged += (_, e) =>
        {
            if (e.Reason == CircuitTransitionReason.TripPolicy)
            {
                Interlocked.Increment(ref trips);
            }
        };

        using var start = new Barrier(Threads + 1);
        using var done = new Barrier(Threads + 1);
        Thread[] workers = StartWorkers(index =>
        {
            for (int iteration = 0; iteration < Iterations; iteration++)
            {
                start.SignalAndWait();
                for (int attempt = 0; attempt < AttemptsPerThread; attempt++)
                {
                    if (breaker.TryAcquire(out CircuitBreakerLease lease))
                    {
                        lease.RecordFailure();
                    }
                }

                done.SignalAndWait();
            }
        });

        var wrong = new List<string>();
        for (int iteration = 0; iteration < Iterations; iteration++)
        {
            start.SignalAndWait();
            done.SignalAndWait();
            CircuitCounts counts = breaker.Counts;
            if (breaker.State != CircuitState.Open || counts.Failures != Threshold || counts.ConsecutiveFailures != Threshold)
            {
                wrong.Add($"round {iteration}: {breaker.State}, {counts}");
            }

            breaker.Reset();
        }

        JoinAll(workers);
        Assert.Empty(wrong);
        Assert.Equal(Iterations, trips);
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(false, true)]
    [InlineData(true, false)]
    [InlineData(true, true)]
    public void MixedOutcomes_LockFreeSuccessesAndLockedFailures_AddUpExactly(bool ratioMode, bool systemClock)
    {
        const int CallsPerThread = 50_000;
        var options = new CircuitBreakerOptions { SamplingDuration = TimeSpan.FromHours(1) };
        if (ratioMode)
        {
            options.FailureRatio = 1;
            options.MinimumThroughput = int.MaxValue;
        }
        else
        {
            options.FailureThreshold = int.MaxValue;
        }

        CircuitBreaker breaker = systemClock ? new CircuitBreaker("system", options) : new CircuitBreaker("fake", options, new FakeTimeProvider());
        var timeout = new TimeoutException();

        using var start = new ManualResetEventSlim();
        Thread[] workers = StartWorkers(index =>
        {
            start.Wait();
            for (int i = 0; i < CallsPerThread; i++)
            {
                CircuitBreakerLease lease = breaker.Acquire();
                switch ((i + index) % 10)
                {
                    case 0: lease.RecordFailure(); break;
                    case 1: lease.RecordException(timeout, CancellationToken.None); break;
                    default: lease.RecordSuccess(); break;
                }
            }
        });

        start.Set();
        JoinAll(workers);

        CircuitCounts counts = breaker.Counts;
        long total = (long)Threads * CallsPerThread;
        Assert.Equal(total, counts.Requests);
        Assert.Equal(total * 8 / 10, counts.Successes);
        Assert.Equal(total * 2 / 10, counts.Failures);
        Assert.Equal(total / 10, counts.Timeouts);
        Assert.True(counts.ConsecutiveFailures == 0 || counts.ConsecutiveSuccesses == 0, counts.ToString());
        Assert.Equal(CircuitState.Closed, breaker.State);

        // One more success, on this thread, ends whatever failure run the storm left.
        Succeed(breaker, 1);
        Assert.Equal(0, breaker.Counts.ConsecutiveFailures);
    }

    [Fact]
    public void MixedOutcomes_TripExactlyOncePerBreak_OnTheFailureThatCompletesTheRun()
    {
        const int Rounds = 60;
        const int Threshold = 6;
        const int CallsPerThread = 3_000;
        CircuitBreaker breaker = Create(Consecutive(Threshold), out _);
        var trips = new List<CircuitStateChangedEventArgs>();
        int otherChanges = 0;
        breaker.StateChanged += (_, e) =>
        {
            if (e.Reason == CircuitTransitionReason.TripPolicy)
            {
                lock (trips)
                {
                    trips.Add(e);
                }
            }
            else if (e.Reason != CircuitTransitionReason.Reset)
            {
                Interlocked.Increment(ref otherChanges);
            }
        };

        var recorded = new long[Threads];
        using var start = new Barrier(Threads + 1);
        using var done = new Barrier(Threads + 1);
        Thread[] workers = StartWorkers(index =>
        {
            for (int round = 0; round < Rounds; round++)
            {
                start.SignalAndWait();
                for (int i = 0; i < CallsPerThread; i++)
                {
                    if (!breaker.TryAcquire(out CircuitBreakerLease lease))
                    {
                        continue;
                    }

                    // Mostly failures, a success now and then: whether a run of Threshold forms depends on the interleaving.
                    if ((i + index) % 5 == 0)
                    {
                        lease.RecordSuccess();
                    }
                    else
                    {
                        lease.RecordFailure();
                    }

                    Interlocked.Increment(ref recorded[index]);
                }

                done.SignalAndWait();
            }
        });

        var wrong = new List<string>();
        int tripsBefore = 0;
        for (int round = 0; round < Rounds; round++)
        {
            Array.Clear(recorded);
            start.SignalAndWait();
            done.SignalAndWait();
            int tripsNow;
            CircuitStateChangedEventArgs? last;
            lock (trips)
            {
                tripsNow = trips.Count - tripsBefore;
                last = trips.Count > 0 ? trips[^1] : null;
                tripsBefore = trips.Count;
            }

            CircuitState state = breaker.State;
            CircuitCounts counts = breaker.Counts;
            if (state == CircuitState.Open ? tripsNow != 1 : tripsNow != 0 || state != CircuitState.Closed)
            {
                wrong.Add($"round {round}: {state} after {tripsNow} trips");
            }
            else if (state == CircuitState.Open && last!.Counts.ConsecutiveFailures != Threshold)
            {
                wrong.Add($"round {round}: tripped on {last.Counts}");
            }
            else if (state == CircuitState.Closed && counts.Requests != recorded.Sum())
            {
                wrong.Add($"round {round}: {counts.Requests} counted, {recorded.Sum()} recorded");
            }

            breaker.Reset();
        }

        JoinAll(workers);
        Assert.Empty(wrong);
        Assert.Equal(0, otherChanges);
        Assert.True(tripsBefore > 0, "no round tripped: the test exercised nothing");
    }

    private static Thread[] StartWorkers(Action<int> body)
    {
        var threads = new Thread[Threads];
        for (int i = 0; i < Threads; i++)
        {
            int index = i;
            threads[i] = new Thread(() => body(index)) { IsBackground = true, Name = $"breaker-stress-{index}" };
            threads[i].Start();
        }

        return threads;
    }

    private static void JoinAll(Thread[] threads)
    {
        foreach (Thread thread in threads)
        {
            Assert.True(thread.Join(TimeSpan.FromSeconds(30)), $"{thread.Name} did not finish");
        }
    }
}
