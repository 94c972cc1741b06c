using System.Threading.RateLimiting;
using Microsoft.Extensions.Time.Testing;

namespace Resilience.Runtime.Tests.RateLimiting;

/// <summary>
/// Code the limiter calls that may call back into it: a clock whose reading runs due timers (the limiter's own among
/// them), and a cancellation callback that runs inside the registration. The limiter's gate is not reentrant, so none
/// of these may run while it is held; each test runs on its own thread and fails, instead of hanging, if one does.
/// </summary>
public sealed class RateLimiterReentrancyTests
{
    private static readonly TimeSpan Safety = TimeSpan.FromSeconds(30);

    [Fact]
    public void A_clock_that_runs_due_timers_when_read_serves_the_queue_from_inside_the_reading()
    {
        // Every read of this clock moves it 600 ms and runs the timers that came due on the reading thread: the limiter's
        // timer (serving the queue) fires inside the limiter's own reading of the clock.
        var time = new FakeTimeProvider { AutoAdvanceAmount = TimeSpan.FromMilliseconds(600) };
        var options = new RateLimitOptions
        {
            Algorithm = RateLimitAlgorithm.TokenBucket,
            PermitLimit = 1,
            Window = TimeSpan.FromSeconds(1),
            QueueLimit = 2,
        };
        var strategy = new RateLimitStrategy("reentrant-clock", options, time); // disposed only if the body ended (a hung body holds the gate)
        RateLimiter limiter = strategy.Limiter;
        int served = 0, immediate = 0;

        RunBounded(() =>
        {
            for (int i = 0; i < 200; i++)
            {
                ValueTask<RateLimitLease> wait = limiter.AcquireAsync(1);
                if (wait.IsCompleted)
                {
                    immediate++;
                }

                // Reading the statistics reads the clock (600 ms more), which runs the limiter's timer when it is due.
                for (int reads = 0; reads < 4 && !wait.IsCompleted; reads++)
                {
                    _ = limiter.GetStatistics();
                }

                using RateLimitLease lease = wait.AsTask().WaitAsync(Safety).GetAwaiter().GetResult();
                Assert.True(lease.IsAcquired);
                served++;
            }
        });

        Assert.Equal(200, served);
        Assert.InRange(immediate, 1, 199); // some waited in the queue and were served by the timer inside a reading
        Assert.Equal(0, limiter.GetStatistics()!.CurrentQueuedCount);
        strategy.Dispose();
    }

    [Fact]
    public void A_token_cancelled_by_a_timer_that_runs_inside_the_clock_reading_takes_the_waiter_out_of_the_queue()
    {
        // The caller's token is cancelled by a timer of the same clock, so the cancellation callback (which takes the
        // gate to leave the queue) runs inside a reading of the clock.
        var time = new FakeTimeProvider { AutoAdvanceAmount = TimeSpan.FromMilliseconds(100) };
        var options = new RateLimitOptions { PermitLimit = 1, Window = TimeSpan.FromHours(1), QueueLimit = 1 };
        var strategy = new RateLimitStrategy("reentrant-cancel", options, time); // as above
        RateLimiter limiter = strategy.Limiter;
        int cancelled = 0;

        RunBounded(() =>
        {
            using RateLimitLease first = limiter.AttemptAcquire(1);
            Assert.True(first.IsAcquired);
            for (int i = 0; i < 50; i++)
            {
                using var caller = new CancellationTokenSource(TimeSpan.FromMilliseconds(150), time);
                ValueTask<RateLimitLease> wait = limiter.AcquireAsync(1, caller.Token);
                for (int reads = 0; reads < 4 && !wait.IsCompleted; reads++)
                {
                    _ = limiter.GetStatistics();
                }

                Task<RateLimitLease> task = wait.AsTask();
                Assert.Throws<TaskCanceledException>(() => task.WaitAsync(Safety).GetAwaiter().GetResult());
                cancelled++;
            }
        });

        Assert.Equal(50, cancelled);
        Assert.Equal(0, limiter.GetStatistics()!.CurrentQueuedCount);
        strategy.Dispose();
    }

    [Fact]
    public void A_token_cancelled_while_the_caller_queues_takes_the_waiter_out_as_its_registration_is_made()
    {
        // The token's timer is due 50 ms after it is made, and the limiter's own reading of the clock (before it queues
        // the caller) moves the clock 100 ms: the token is cancelled between the limiter's check of it and the
        // registration, so the cancellation callback (which takes the gate) runs inside the registration.
        var time = new FakeTimeProvider { AutoAdvanceAmount = TimeSpan.FromMilliseconds(100) };
        var options = new RateLimitOptions { PermitLimit = 1, Window = TimeSpan.FromHours(1), QueueLimit = 1 };
        var strategy = new RateLimitStrategy("reentrant-register", options, time); // as above
        RateLimiter limiter = strategy.Limiter;
        int cancelledAtOnce = 0;

        RunBounded(() =>
        {
            using RateLimitLease first = limiter.AttemptAcquire(1);
            Assert.True(first.IsAcquired);
            for (int i = 0; i < 50; i++)
            {
                using var caller = new CancellationTokenSource(TimeSpan.FromMilliseconds(50), time);
                Assert.False(caller.IsCancellationRequested);
                ValueTask<RateLimitLease> wait = limiter.AcquireAsync(1, caller.Token);
                Assert.True(caller.IsCancellationRequested); // cancelled inside the limiter's reading of the clock
                if (wait.IsCompleted)
                {
                    cancelledAtOnce++;
                }

                Task<RateLimitLease> task = wait.AsTask();
                Assert.Throws<TaskCanceledException>(() => task.WaitAsync(Safety).GetAwaiter().GetResult());
                Assert.Equal(0, limiter.GetStatistics()!.CurrentQueuedCount);
            }
        });

        Assert.Equal(50, cancelledAtOnce); // each wait ended before AcquireAsync returned
        strategy.Dispose();
    }

    /// <summary>Runs <paramref name="body"/> on a background thread and fails if it has not ended within <see cref="Safety"/>.</summary>
    private static void RunBounded(Action body)
    {
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                body();
            }
            catch (Exception e)
            {
                failure = e;
            }
        })
        {
            IsBackground = true, // a hung body (a reentered gate spins forever) must not keep the test process alive
        };
        thread.Start();
        Assert.True(thread.Join(Safety), "the body did not end: a call into the limiter came back into its gate");
        if (failure is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(failure).Throw();
        }
    }
}
