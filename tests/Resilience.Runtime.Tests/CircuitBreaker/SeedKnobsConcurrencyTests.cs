using Microsoft.Extensions.Time.Testing;
using static Resilience.Runtime.Tests.CircuitBreaker.BreakerTestKit;

namespace Resilience.Runtime.Tests.CircuitBreaker;

using CircuitBreaker = global::Resilience.CircuitBreaker;

/// <summary>Real threads on the breaker's SuccessThreshold and Interval, and on the exact sliding window; exact counts only.</summary>
[Collection(StressCollection.Name)]
public sealed class SeedKnobsConcurrencyTests
{
    private const int Threads = 4;

    [Fact]
    public void Concurrent_probe_successes_close_the_circuit_exactly_once_after_SuccessThreshold_of_them()
    {
        const int Rounds = 100;
        CircuitBreakerOptions options = Consecutive(1, halfOpenMaxCalls: 8);
        options.SuccessThreshold = 5;
        CircuitBreaker breaker = Create(options, out FakeTimeProvider time);
        int closings = 0;
        breaker.StateChanged += (_, e) =>
        {
            if (e.Reason == CircuitTransitionReason.ProbeSucceeded)
            {
                Interlocked.Increment(ref closings);
            }
        };

        for (int round = 0; round < Rounds; round++)
        {
            Fail(breaker, 1);
            time.Advance(Break);
            int granted = 0;
            using var start = new Barrier(Threads);
            Thread[] workers = Start(_ =>
            {
                start.SignalAndWait();
                for (int i = 0; i < 50; i++)
                {
                    if (breaker.TryAcquire(out CircuitBreakerLease lease))
                    {
                        Interlocked.Increment(ref granted);
                        lease.RecordSuccess();
                    }
                }
            });
            Join(workers);

            // Up to 4 probes in flight against 8 slots: every call is granted, and the fifth success closes the circuit once.
            Assert.Equal(CircuitState.Closed, breaker.State);
            Assert.Equal(round + 1, closings);
            Assert.Equal(Threads * 50, granted);
        }
    }

    [Fact]
    public void Concurrent_failures_across_interval_ends_never_open_on_a_streak_older_than_the_interval()
    {
        CircuitBreakerOptions options = Consecutive(Threads * 10 + 1);
        options.Interval = TimeSpan.FromSeconds(1);
        CircuitBreaker breaker = Create(options, out FakeTimeProvider time);

        for (int round = 0; round < 50; round++)
        {
            using var start = new Barrier(Threads);
            Thread[] workers = Start(_ =>
            {
                start.SignalAndWait();
                for (int i = 0; i < 10; i++)
                {
                    Assert.True(breaker.TryAcquire(out CircuitBreakerLease lease));
                    lease.RecordFailure();
                }
            });
            Join(workers);

            // 40 failures per interval, one short of the threshold: a streak never spans two intervals.
            Assert.Equal(Threads * 10, breaker.Counts.ConsecutiveFailures);
            time.Advance(TimeSpan.FromSeconds(1));
        }

        Assert.Equal(CircuitState.Closed, breaker.State);
    }

    [Fact]
    public void Concurrent_callers_of_an_exact_window_get_exactly_what_the_model_allows()
    {
        const int PermitLimit = 37;
        long windowTicks = TimeSpan.FromSeconds(1).Ticks;
        var time = new FakeTimeProvider();
        using var limit = new RateLimitStrategy(
            "exact-stress",
            new RateLimitOptions { Algorithm = RateLimitAlgorithm.SlidingWindowExact, PermitLimit = PermitLimit, Window = TimeSpan.FromTicks(windowTicks) },
            time);
        var random = new Random(7);
        var grants = new List<(long At, int Count)>();
        long now = 0;

        for (int phase = 0; phase < 300; phase++)
        {
            int granted = 0;
            using var start = new Barrier(Threads);
            Thread[] workers = Start(_ =>
            {
                start.SignalAndWait();
                for (int i = 0; i < 20; i++)
                {
                    if (limit.TryAcquire())
                    {
                        Interlocked.Increment(ref granted);
                    }
                }
            });
            Join(workers);

            // Saturated demand at one instant: exactly the permits not in use in (now - Window, now].
            int inUse = grants.Where(g => g.At + windowTicks > now).Sum(g => g.Count);
            Assert.Equal(PermitLimit - inUse, granted);
            grants.Add((now, granted));

            long step = random.NextInt64(windowTicks / 4);
            time.Advance(TimeSpan.FromTicks(step));
            now += step;
        }
    }

    private static Thread[] Start(Action<int> body)
    {
        var threads = new Thread[Threads];
        for (int i = 0; i < Threads; i++)
        {
            int index = i;
            threads[i] = new Thread(() => body(index)) { IsBackground = true, Name = $"seed-knobs-stress-{index}" };
            threads[i].Start();
        }

        return threads;
    }

    private static void Join(Thread[] threads)
    {
        foreach (Thread thread in threads)
        {
            Assert.True(thread.Join(TimeSpan.FromSeconds(30)), $"{thread.Name} did not finish");
        }
    }
}
