using System.Threading.RateLimiting;
using Microsoft.Extensions.Time.Testing;

namespace Resilience.Runtime.Tests.RateLimiting;

public sealed class RateLimitStrategyTests
{
    private static readonly TimeSpan Safety = TimeSpan.FromSeconds(10);
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public void Token_bucket_allows_a_burst_of_PermitLimit_then_one_token_per_period_exactly_on_time()
    {
        using var limit = Create(RateLimitAlgorithm.TokenBucket, permitLimit: 10, window: TimeSpan.FromSeconds(1));

        Assert.Equal(10, TakeAll(limit));

        _time.Advance(TimeSpan.FromMilliseconds(99));
        Assert.False(limit.TryAcquire());

        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(1, TakeAll(limit));

        _time.Advance(TimeSpan.FromMilliseconds(350));
        Assert.Equal(3, TakeAll(limit));

        _time.Advance(TimeSpan.FromMilliseconds(50));
        Assert.Equal(1, TakeAll(limit)); // 450 ms -> 500 ms boundary; the half period carried over
    }

    [Fact]
    public void Token_bucket_never_holds_more_than_PermitLimit_after_a_long_idle()
    {
        using var limit = Create(RateLimitAlgorithm.TokenBucket, permitLimit: 10, window: TimeSpan.FromSeconds(1));
        Assert.Equal(10, TakeAll(limit));

        _time.Advance(TimeSpan.FromDays(3));

        Assert.Equal(10, TakeAll(limit));
    }

    [Fact]
    public void Token_bucket_with_a_fine_rate_refills_one_token_every_exact_period()
    {
        using var limit = Create(RateLimitAlgorithm.TokenBucket, permitLimit: 10_000, window: TimeSpan.FromSeconds(1));
        Assert.Equal(10_000, TakeAll(limit));

        _time.Advance(TimeSpan.FromTicks(999)); // 99.9 µs: a token takes 100 µs
        Assert.Equal(0, TakeAll(limit));

        _time.Advance(TimeSpan.FromTicks(1));
        Assert.Equal(1, TakeAll(limit));

        _time.Advance(TimeSpan.FromTicks(TimeSpan.TicksPerMillisecond - 1)); // the next 1 ms less a tick: 9 more
        Assert.Equal(9, TakeAll(limit));

        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(10_000, TakeAll(limit));
    }

    [Fact]
    public void Fixed_window_restores_every_permit_at_the_window_boundary_and_not_before()
    {
        using var limit = Create(RateLimitAlgorithm.FixedWindow, permitLimit: 5, window: TimeSpan.FromSeconds(1));

        _time.Advance(TimeSpan.FromMilliseconds(400));
        Assert.Equal(5, TakeAll(limit));

        _time.Advance(TimeSpan.FromMilliseconds(599));
        Assert.Equal(0, TakeAll(limit));

        _time.Advance(TimeSpan.FromMilliseconds(1)); // t = 1000 ms: the second window
        Assert.Equal(5, TakeAll(limit));

        _time.Advance(TimeSpan.FromMilliseconds(2_500)); // unused windows don't accumulate
        Assert.Equal(5, TakeAll(limit));
    }

    [Fact]
    public void Sliding_window_returns_permits_one_window_after_the_segment_they_were_taken_in()
    {
        using var limit = Create(RateLimitAlgorithm.SlidingWindow, permitLimit: 10, window: TimeSpan.FromSeconds(1), segments: 4);

        Assert.Equal(6, Take(limit, 6));                 // segment [0, 250)
        _time.Advance(TimeSpan.FromMilliseconds(500));
        Assert.Equal(4, TakeAll(limit));                 // segment [500, 750): only 4 left in the window

        _time.Advance(TimeSpan.FromMilliseconds(499));   // t = 999 ms
        Assert.Equal(0, TakeAll(limit));

        _time.Advance(TimeSpan.FromMilliseconds(1));     // t = 1000 ms: the 6 from segment 0 come back
        Assert.Equal(6, TakeAll(limit));

        _time.Advance(TimeSpan.FromMilliseconds(499));   // t = 1499 ms
        Assert.Equal(0, TakeAll(limit));

        _time.Advance(TimeSpan.FromMilliseconds(1));     // t = 1500 ms: the 4 from segment 2 come back
        Assert.Equal(4, TakeAll(limit));
    }

    [Fact]
    public void Sliding_window_allows_at_most_PermitLimit_in_any_window()
    {
        using var limit = Create(RateLimitAlgorithm.SlidingWindow, permitLimit: 20, window: TimeSpan.FromSeconds(1), segments: 10);
        var grantedAt = new List<TimeSpan>();
        var now = TimeSpan.Zero;

        for (int step = 0; step < 300; step++)
        {
            for (int i = 0; i < 3; i++)
            {
                if (limit.TryAcquire())
                {
                    grantedAt.Add(now);
                }
            }

            _time.Advance(TimeSpan.FromMilliseconds(37));
            now += TimeSpan.FromMilliseconds(37);
        }

        // The guarantee: any 10 consecutive segments (a window sliding by one segment) hold at most PermitLimit grants.
        for (var from = TimeSpan.Zero; from < now; from += TimeSpan.FromMilliseconds(100))
        {
            TimeSpan start = from;
            int inWindow = grantedAt.Count(t => t >= start && t < start + TimeSpan.FromSeconds(1));
            Assert.True(inWindow <= 20, $"{inWindow} permits within the window starting at {start}");
        }

        Assert.True(grantedAt.Count >= 20 * 10, $"the limit should still admit ~20/s over 11 s; admitted {grantedAt.Count}");
    }

    [Theory]
    [InlineData(RateLimitAlgorithm.TokenBucket, 30, 70)]     // 10/s: next token at the 100 ms boundary
    [InlineData(RateLimitAlgorithm.FixedWindow, 300, 700)]   // next window at 1000 ms
    [InlineData(RateLimitAlgorithm.SlidingWindow, 300, 700)] // permits of segment [0, 100) return at 1000 ms
    public async Task Rejection_carries_the_name_and_RetryAfter_until_the_next_permit(RateLimitAlgorithm algorithm, int elapsedMs, int expectedRetryAfterMs)
    {
        using var limit = Create(algorithm, permitLimit: 10, window: TimeSpan.FromSeconds(1), segments: 10, name: "orders");
        Assert.Equal(10, TakeAll(limit));
        _time.Advance(TimeSpan.FromMilliseconds(elapsedMs));

        var rejected = await Assert.ThrowsAsync<RateLimitRejectedException>(() => limit.AcquireAsync(CancellationToken.None).AsTask());

        Assert.Equal("orders", rejected.InstanceName);
        Assert.Equal(TimeSpan.FromMilliseconds(expectedRetryAfterMs), rejected.RetryAfter);
        Assert.Contains("orders", rejected.Message, StringComparison.Ordinal);
        Assert.IsAssignableFrom<ResilienceRejectedException>(rejected);

        // And the permit really is back after exactly that long.
        _time.Advance(TimeSpan.FromMilliseconds(expectedRetryAfterMs - 1));
        Assert.False(limit.TryAcquire());
        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(limit.TryAcquire());
    }

    [Fact]
    public void Sync_Acquire_takes_a_permit_and_rejects_when_none_is_left()
    {
        using var limit = Create(RateLimitAlgorithm.FixedWindow, permitLimit: 2, window: TimeSpan.FromSeconds(1));

        limit.Acquire(CancellationToken.None);
        limit.Acquire(CancellationToken.None);
        var rejected = Assert.Throws<RateLimitRejectedException>(() => limit.Acquire(CancellationToken.None));

        Assert.Equal(TimeSpan.FromSeconds(1), rejected.RetryAfter);
    }

    [Fact]
    public void AcquireAsync_completes_synchronously_while_permits_are_available()
    {
        using var limit = Create(RateLimitAlgorithm.TokenBucket, permitLimit: 3, window: TimeSpan.FromSeconds(1), queueLimit: 5);

        for (int i = 0; i < 3; i++)
        {
            ValueTask acquired = limit.AcquireAsync(CancellationToken.None);
            Assert.True(acquired.IsCompletedSuccessfully);
        }

        Assert.False(limit.AcquireAsync(CancellationToken.None).IsCompleted); // now it queues
    }

    [Fact]
    public async Task Queued_calls_complete_in_order_exactly_when_fake_time_refills()
    {
        using var limit = Create(RateLimitAlgorithm.TokenBucket, permitLimit: 2, window: TimeSpan.FromSeconds(1), queueLimit: 2);
        Assert.Equal(2, TakeAll(limit));

        Task first = limit.AcquireAsync(CancellationToken.None).AsTask();
        Task second = limit.AcquireAsync(CancellationToken.None).AsTask();
        Assert.Equal(2, Queued(limit));

        _time.Advance(TimeSpan.FromMilliseconds(499));
        Assert.Equal(2, Queued(limit));
        Assert.False(first.IsCompleted);

        _time.Advance(TimeSpan.FromMilliseconds(1)); // one token at 500 ms, served by the provider's timer
        await first.WaitAsync(Safety);
        Assert.Equal(1, Queued(limit));
        Assert.False(second.IsCompleted);
        Assert.False(limit.TryAcquire()); // a newcomer does not overtake the queue

        _time.Advance(TimeSpan.FromMilliseconds(500));
        await second.WaitAsync(Safety);
        Assert.Equal(0, Queued(limit));
    }

    [Fact]
    public async Task A_full_queue_rejects_at_once_with_RetryAfter_covering_the_callers_ahead()
    {
        using var limit = Create(RateLimitAlgorithm.TokenBucket, permitLimit: 2, window: TimeSpan.FromSeconds(1), queueLimit: 2);
        Assert.Equal(2, TakeAll(limit));
        Task first = limit.AcquireAsync(CancellationToken.None).AsTask();
        Task second = limit.AcquireAsync(CancellationToken.None).AsTask();

        var rejected = await Assert.ThrowsAsync<RateLimitRejectedException>(() => limit.AcquireAsync(CancellationToken.None).AsTask());

        Assert.Equal(TimeSpan.FromMilliseconds(1_500), rejected.RetryAfter); // two queued ahead, one token per 500 ms
        _time.Advance(TimeSpan.FromSeconds(1));
        await Task.WhenAll(first, second).WaitAsync(Safety);
    }

    [Fact]
    public async Task Cancelling_a_queued_call_throws_for_it_frees_its_queue_place_and_skips_it()
    {
        using var limit = Create(RateLimitAlgorithm.FixedWindow, permitLimit: 1, window: TimeSpan.FromSeconds(1), queueLimit: 2);
        Assert.True(limit.TryAcquire());
        using var cts = new CancellationTokenSource();

        Task cancelled = limit.AcquireAsync(cts.Token).AsTask();
        Task kept = limit.AcquireAsync(CancellationToken.None).AsTask();
        await cts.CancelAsync();

        var error = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled.WaitAsync(Safety));
        Assert.Equal(cts.Token, error.CancellationToken);
        Assert.Equal(1, Queued(limit));

        Task third = limit.AcquireAsync(CancellationToken.None).AsTask(); // the freed place can be used
        Assert.Equal(2, Queued(limit));

        _time.Advance(TimeSpan.FromSeconds(1));
        await kept.WaitAsync(Safety);
        Assert.False(third.IsCompleted);
        _time.Advance(TimeSpan.FromSeconds(1));
        await third.WaitAsync(Safety);
    }

    [Fact]
    public async Task An_already_cancelled_token_does_not_queue()
    {
        using var limit = Create(RateLimitAlgorithm.FixedWindow, permitLimit: 1, window: TimeSpan.FromSeconds(1), queueLimit: 2);
        Assert.True(limit.TryAcquire());

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => limit.AcquireAsync(new CancellationToken(canceled: true)).AsTask());

        Assert.Equal(0, Queued(limit));
    }

    [Fact]
    public async Task Sync_Acquire_blocks_in_the_queue_until_fake_time_refills()
    {
        using var limit = Create(RateLimitAlgorithm.FixedWindow, permitLimit: 1, window: TimeSpan.FromSeconds(1), queueLimit: 1);
        Assert.True(limit.TryAcquire());

        Task blocked = Task.Run(() => limit.Acquire(CancellationToken.None));
        Assert.True(SpinWait.SpinUntil(() => Queued(limit) == 1, Safety));
        Assert.False(blocked.IsCompleted);

        _time.Advance(TimeSpan.FromSeconds(1));

        await blocked.WaitAsync(Safety);
        Assert.False(limit.TryAcquire()); // the waiter took the new window's permit
    }

    [Fact]
    public async Task Dispose_fails_queued_callers_and_later_calls()
    {
        var limit = Create(RateLimitAlgorithm.FixedWindow, permitLimit: 1, window: TimeSpan.FromSeconds(1), queueLimit: 1);
        Assert.True(limit.TryAcquire());
        Task queued = limit.AcquireAsync(CancellationToken.None).AsTask();

        limit.Dispose();

        await Assert.ThrowsAsync<ObjectDisposedException>(() => queued.WaitAsync(Safety));
        Assert.Throws<ObjectDisposedException>(() => limit.TryAcquire());
        Assert.Throws<ObjectDisposedException>(() => limit.Limiter.AttemptAcquire());
        limit.Dispose(); // idempotent
    }

    [Fact]
    public void Limiter_exposes_the_same_permits_statistics_and_RetryAfter_metadata()
    {
        using var limit = Create(RateLimitAlgorithm.TokenBucket, permitLimit: 4, window: TimeSpan.FromSeconds(1));
        RateLimiter limiter = limit.Limiter;

        Assert.IsAssignableFrom<ReplenishingRateLimiter>(limiter);
        Assert.Equal(TimeSpan.FromMilliseconds(250), ((ReplenishingRateLimiter)limiter).ReplenishmentPeriod);
        Assert.Equal(TimeSpan.Zero, limiter.IdleDuration);

        using (RateLimitLease lease = limiter.AttemptAcquire(3))
        {
            Assert.True(lease.IsAcquired);
        }

        Assert.Null(limiter.IdleDuration);
        Assert.True(limit.TryAcquire());
        using RateLimitLease failed = limiter.AttemptAcquire(1);

        Assert.False(failed.IsAcquired);
        Assert.True(failed.TryGetMetadata(MetadataName.RetryAfter, out TimeSpan retryAfter));
        Assert.Equal(TimeSpan.FromMilliseconds(250), retryAfter);
        RateLimiterStatistics stats = limiter.GetStatistics()!;
        Assert.Equal(0, stats.CurrentAvailablePermits);
        Assert.Equal(2, stats.TotalSuccessfulLeases);
        Assert.Equal(1, stats.TotalFailedLeases);

        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(TimeSpan.Zero, limiter.IdleDuration); // full again exactly now
        _time.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(TimeSpan.FromSeconds(2), limiter.IdleDuration);
    }

    [Fact]
    public async Task Concurrent_callers_never_get_more_than_PermitLimit_in_a_window()
    {
        for (int round = 0; round < 20; round++)
        {
            using var limit = Create(RateLimitAlgorithm.TokenBucket, permitLimit: 1_000, window: TimeSpan.FromSeconds(1));
            int granted = 0;
            using var start = new ManualResetEventSlim();

            Task[] workers = Enumerable.Range(0, 8).Select(_ => Task.Run(() =>
            {
                start.Wait();
                int mine = 0;
                for (int i = 0; i < 1_000; i++)
                {
                    if (limit.TryAcquire())
                    {
                        mine++;
                    }
                }

                Interlocked.Add(ref granted, mine);
            })).ToArray();
            start.Set();
            await Task.WhenAll(workers).WaitAsync(Safety);

            Assert.Equal(1_000, granted);
        }
    }

    private RateLimitStrategy Create(RateLimitAlgorithm algorithm, int permitLimit, TimeSpan window, int segments = 10, int queueLimit = 0, string name = "test")
        => new(name, new RateLimitOptions { Algorithm = algorithm, PermitLimit = permitLimit, Window = window, SegmentsPerWindow = segments, QueueLimit = queueLimit }, _time);

    private static int TakeAll(RateLimitStrategy limit) => Take(limit, int.MaxValue);

    private static int Take(RateLimitStrategy limit, int most)
    {
        int taken = 0;
        while (taken < most && limit.TryAcquire())
        {
            taken++;
        }

        return taken;
    }

    private static long Queued(RateLimitStrategy limit) => limit.Limiter.GetStatistics()!.CurrentQueuedCount;
}
