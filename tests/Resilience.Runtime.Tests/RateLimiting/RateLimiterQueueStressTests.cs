using System.Threading.RateLimiting;
using Microsoft.Extensions.Time.Testing;

namespace Resilience.Runtime.Tests.RateLimiting;

/// <summary>
/// The limiter's waiter queue under races: callers cancelling while the clock serves them, and cancellations racing
/// the disposal that releases every waiter. Each wait must end exactly once, and the limiter's books must balance.
/// </summary>
[Collection(StressCollection.Name)]
public sealed class RateLimiterQueueStressTests
{
    private static readonly TimeSpan Safety = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Callers_cancelling_while_the_clock_serves_the_queue_each_end_once_and_no_more_permits_are_granted_than_time_allows()
    {
        const int callers = 4;
        const int perCaller = 1_500;
        var time = new FakeTimeProvider();
        var options = new RateLimitOptions
        {
            Algorithm = RateLimitAlgorithm.TokenBucket,
            PermitLimit = 2,
            Window = TimeSpan.FromSeconds(1),
            QueueLimit = callers,
        };
        using var strategy = new RateLimitStrategy("stress", options, time);
        RateLimiter limiter = strategy.Limiter;
        int acquired = 0, cancelled = 0, refused = 0, finished = 0;
        long ticks = 0;

        Task[] callerTasks = Enumerable.Range(0, callers).Select(c => Task.Run(async () =>
        {
            for (int i = 0; i < perCaller; i++)
            {
                using var cts = new CancellationTokenSource();
                ValueTask<RateLimitLease> wait = limiter.AcquireAsync(1, cts.Token);
                if ((i + c) % 3 == 0)
                {
                    cts.Cancel(); // races with the clock handing this caller a permit
                }

                try
                {
                    using RateLimitLease lease = await wait;
                    Interlocked.Increment(ref lease.IsAcquired ? ref acquired : ref refused);
                }
                catch (OperationCanceledException)
                {
                    Interlocked.Increment(ref cancelled);
                }
            }

            Interlocked.Increment(ref finished);
        })).ToArray();

        // One token per step (Window / PermitLimit), until every caller is done; the timer serves the queue inside Advance.
        Task clock = Task.Run(() =>
        {
            while (Volatile.Read(ref finished) < callers)
            {
                time.Advance(TimeSpan.FromMilliseconds(500));
                ticks++;
                Thread.Yield();
            }
        });

        await Task.WhenAll(callerTasks).WaitAsync(Safety);
        await clock.WaitAsync(Safety);

        Assert.Equal(callers * perCaller, acquired + cancelled + refused);
        Assert.Equal(0, refused); // each caller waits for its own call, so the queue never holds more than QueueLimit
        Assert.True(cancelled > 0);
        Assert.True(acquired <= options.PermitLimit + ticks, $"{acquired} permits granted in {ticks} token periods");
        RateLimiterStatistics statistics = limiter.GetStatistics()!;
        Assert.Equal(acquired, statistics.TotalSuccessfulLeases);
        Assert.Equal(0, statistics.CurrentQueuedCount);
    }

    [Fact]
    public async Task Cancellations_racing_the_disposal_end_every_queued_wait_exactly_once()
    {
        for (int round = 0; round < 20; round++)
        {
            const int queued = 200;
            var time = new FakeTimeProvider();
            var options = new RateLimitOptions { PermitLimit = 1, Window = TimeSpan.FromSeconds(1), QueueLimit = queued };
            var strategy = new RateLimitStrategy("dispose-race", options, time);
            RateLimiter limiter = strategy.Limiter;
            using RateLimitLease first = await limiter.AcquireAsync(1);
            Assert.True(first.IsAcquired);

            var sources = new CancellationTokenSource[queued];
            var waits = new Task<RateLimitLease>[queued];
            for (int i = 0; i < queued; i++)
            {
                sources[i] = new CancellationTokenSource();
                waits[i] = limiter.AcquireAsync(1, sources[i].Token).AsTask();
            }

            using var start = new Barrier(2);
            Task cancel = Task.Run(() =>
            {
                start.SignalAndWait();
                for (int i = 0; i < queued; i += 2)
                {
                    sources[i].Cancel();
                }
            });
            Task dispose = Task.Run(() =>
            {
                start.SignalAndWait();
                strategy.Dispose();
            });
            await Task.WhenAll(cancel, dispose).WaitAsync(Safety);

            int cancelled = 0, released = 0;
            for (int i = 0; i < queued; i++)
            {
                try
                {
                    using RateLimitLease lease = await waits[i].WaitAsync(Safety);
                    Assert.False(lease.IsAcquired); // released by the disposal, never granted
                    released++;
                }
                catch (OperationCanceledException)
                {
                    Assert.True(i % 2 == 0, $"wait {i} was never cancelled");
                    cancelled++;
                }

                sources[i].Dispose();
            }

            Assert.Equal(queued, cancelled + released);
        }
    }
}
