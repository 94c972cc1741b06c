using System.Threading.RateLimiting;
using Microsoft.Extensions.Time.Testing;

namespace Resilience.Runtime.Tests.RateLimiting;

/// <summary>
/// The <see cref="RateLimiter"/> surface of <see cref="RateLimitStrategy.Limiter"/> that the strategy's own methods do not
/// reach (several permits, zero permits, requests above the limit, the queue, disposal, reloads with waiters), and the
/// conversions of a clock whose timestamps do not tick at <see cref="TimeSpan.TicksPerSecond"/>; written for the edits
/// that survived mutation testing (docs/testing.md).
/// </summary>
public sealed class RateLimiterMutationTests
{
    private static readonly TimeSpan Safety = TimeSpan.FromSeconds(10);
    private readonly FakeTimeProvider _time = new();

    [Theory]
    [InlineData(RateLimitAlgorithm.TokenBucket, 2_500_000)]
    [InlineData(RateLimitAlgorithm.SlidingWindow, 2_000_000)]
    [InlineData(RateLimitAlgorithm.FixedWindow, 10_000_000)]
    public void The_limiter_replenishes_itself_and_reports_the_period_of_its_algorithm(RateLimitAlgorithm algorithm, long periodTicks)
    {
        using var limit = Create(algorithm, permitLimit: 4, segments: 5);
        var limiter = (ReplenishingRateLimiter)limit.Limiter;

        Assert.True(limiter.IsAutoReplenishing);
        Assert.False(limiter.TryReplenish());
        Assert.Equal(TimeSpan.FromTicks(periodTicks), limiter.ReplenishmentPeriod);
    }

    [Theory]
    [InlineData(RateLimitAlgorithm.TokenBucket)]
    [InlineData(RateLimitAlgorithm.SlidingWindow)]
    [InlineData(RateLimitAlgorithm.FixedWindow)]
    public async Task A_request_for_more_permits_than_the_limit_is_refused_with_an_error_and_the_limit_itself_is_granted(RateLimitAlgorithm algorithm)
    {
        using var limit = Create(algorithm, permitLimit: 3);
        RateLimiter limiter = limit.Limiter;

        var sync = Assert.Throws<ArgumentOutOfRangeException>(() => limiter.AttemptAcquire(4));
        Assert.Equal("permitCount", sync.ParamName);
        Assert.Contains("must not exceed PermitLimit (3); got 4", sync.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => limiter.AcquireAsync(4).AsTask());

        using RateLimitLease all = limiter.AttemptAcquire(3);
        Assert.True(all.IsAcquired);
        Assert.Equal(0, limiter.GetStatistics()!.CurrentAvailablePermits);
    }

    [Theory]
    [InlineData(RateLimitAlgorithm.TokenBucket)]
    [InlineData(RateLimitAlgorithm.SlidingWindow)]
    [InlineData(RateLimitAlgorithm.FixedWindow)]
    public void Zero_permits_ask_whether_any_permit_is_left_and_take_none(RateLimitAlgorithm algorithm)
    {
        using var limit = Create(algorithm, permitLimit: 2);
        RateLimiter limiter = limit.Limiter;

        using (RateLimitLease probe = limiter.AttemptAcquire(0))
        {
            Assert.True(probe.IsAcquired);
        }

        Assert.Equal(2, limiter.GetStatistics()!.CurrentAvailablePermits);
        Assert.True(limit.TryAcquire());
        using (RateLimitLease probe = limiter.AttemptAcquire(0))
        {
            Assert.True(probe.IsAcquired); // one is left
        }

        Assert.True(limit.TryAcquire());
        using RateLimitLease none = limiter.AttemptAcquire(0);
        Assert.False(none.IsAcquired);
        Assert.True(none.TryGetMetadata(MetadataName.RetryAfter, out TimeSpan retryAfter));
        Assert.True(retryAfter > TimeSpan.Zero);
    }

    [Fact]
    public void A_zero_permit_probe_of_a_full_bucket_does_not_restart_its_idle_time()
    {
        using var limit = Create(RateLimitAlgorithm.TokenBucket, permitLimit: 2);
        RateLimiter limiter = limit.Limiter;
        _time.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(TimeSpan.FromSeconds(2), limiter.IdleDuration);

        using (RateLimitLease probe = limiter.AttemptAcquire(0))
        {
            Assert.True(probe.IsAcquired);
        }

        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(TimeSpan.FromSeconds(3), limiter.IdleDuration);
        Assert.Equal(2, limiter.GetStatistics()!.CurrentAvailablePermits);
    }

    [Fact]
    public async Task A_queued_zero_permit_request_is_answered_when_a_permit_is_back_and_leaves_it()
    {
        using var limit = Create(RateLimitAlgorithm.TokenBucket, permitLimit: 2, queueLimit: 1);
        RateLimiter limiter = limit.Limiter;
        Assert.True(limit.TryAcquire());
        Assert.True(limit.TryAcquire());

        Task<RateLimitLease> probe = limiter.AcquireAsync(0).AsTask();
        _time.Advance(TimeSpan.FromMilliseconds(499));
        Assert.False(probe.IsCompleted);
        _time.Advance(TimeSpan.FromMilliseconds(1));

        using RateLimitLease lease = await probe.WaitAsync(Safety);
        Assert.True(lease.IsAcquired);
        Assert.Equal(1, limiter.GetStatistics()!.CurrentAvailablePermits);
    }

    [Fact]
    public void Several_permits_of_a_fixed_window_come_back_together_at_the_boundary_and_RetryAfter_says_when()
    {
        using var limit = Create(RateLimitAlgorithm.FixedWindow, permitLimit: 5);
        RateLimiter limiter = limit.Limiter;
        _time.Advance(TimeSpan.FromMilliseconds(300));
        using (RateLimitLease three = limiter.AttemptAcquire(3))
        {
            Assert.True(three.IsAcquired);
        }

        using (RateLimitLease again = limiter.AttemptAcquire(3))
        {
            Assert.False(again.IsAcquired);
            Assert.Equal(TimeSpan.FromMilliseconds(700), RetryAfterOf(again));
        }

        using (RateLimitLease two = limiter.AttemptAcquire(2))
        {
            Assert.True(two.IsAcquired);
        }

        _time.Advance(TimeSpan.FromMilliseconds(699));
        Assert.False(limit.TryAcquire());
        _time.Advance(TimeSpan.FromMilliseconds(1));
        using RateLimitLease all = limiter.AttemptAcquire(5);
        Assert.True(all.IsAcquired);
    }

    [Fact]
    public async Task A_fixed_window_behind_a_queue_deeper_than_one_window_answers_with_the_window_that_will_have_room()
    {
        using var limit = Create(RateLimitAlgorithm.FixedWindow, permitLimit: 2, queueLimit: 10);
        RateLimiter limiter = limit.Limiter;
        _time.Advance(TimeSpan.FromMilliseconds(250));
        Assert.True(limiter.AttemptAcquire(2).IsAcquired);
        Task<RateLimitLease> ahead = limiter.AcquireAsync(2).AsTask(); // gets the window starting at 1 s

        using (RateLimitLease behind = limiter.AttemptAcquire(2))
        {
            Assert.False(behind.IsAcquired);
            Assert.Equal(TimeSpan.FromMilliseconds(1_750), RetryAfterOf(behind)); // the window starting at 2 s
        }

        using (RateLimitLease behindTwice = limiter.AttemptAcquire(1))
        {
            Assert.Equal(TimeSpan.FromMilliseconds(1_750), RetryAfterOf(behindTwice));
        }

        _time.Advance(TimeSpan.FromMilliseconds(750));
        Assert.True((await ahead.WaitAsync(Safety)).IsAcquired);
        Assert.False(limit.TryAcquire());
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.True(limiter.AttemptAcquire(2).IsAcquired);
    }

    [Fact]
    public async Task A_sliding_window_gives_no_RetryAfter_when_the_permits_needed_are_not_yet_in_use()
    {
        using var limit = Create(RateLimitAlgorithm.SlidingWindow, permitLimit: 2, segments: 2, queueLimit: 10);
        RateLimiter limiter = limit.Limiter;
        Assert.True(limiter.AttemptAcquire(2).IsAcquired);
        Task<RateLimitLease> ahead = limiter.AcquireAsync(2).AsTask();

        using (RateLimitLease within = limiter.AttemptAcquire(0))
        {
            Assert.Equal(TimeSpan.FromSeconds(1), RetryAfterOf(within)); // the two in use come back at 1 s
        }

        using RateLimitLease beyond = limiter.AttemptAcquire(2);
        Assert.False(beyond.IsAcquired);
        Assert.False(beyond.TryGetMetadata(MetadataName.RetryAfter, out TimeSpan _));
        Assert.Empty(beyond.MetadataNames);

        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.True((await ahead.WaitAsync(Safety)).IsAcquired);
    }

    [Fact]
    public async Task Cancelling_a_large_request_at_the_head_of_the_queue_serves_the_smaller_ones_behind_it_at_once()
    {
        using var limit = Create(RateLimitAlgorithm.TokenBucket, permitLimit: 3, window: TimeSpan.FromSeconds(3), queueLimit: 10);
        RateLimiter limiter = limit.Limiter;
        Assert.True(limiter.AttemptAcquire(3).IsAcquired);
        using var cts = new CancellationTokenSource();
        Task<RateLimitLease> large = limiter.AcquireAsync(3, cts.Token).AsTask();
        Task<RateLimitLease> small = limiter.AcquireAsync(1).AsTask();

        _time.Advance(TimeSpan.FromSeconds(1)); // one token: not enough for the head, and the queue is FIFO
        Assert.False(small.IsCompleted);
        Assert.Equal(4, limiter.GetStatistics()!.CurrentQueuedCount);

        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => large.WaitAsync(Safety));
        Assert.True((await small.WaitAsync(Safety)).IsAcquired);
        Assert.Equal(0, limiter.GetStatistics()!.CurrentQueuedCount);
        Assert.Equal(0, limiter.GetStatistics()!.CurrentAvailablePermits);
    }

    [Fact]
    public async Task Cancelling_a_request_behind_another_leaves_the_head_waiting()
    {
        using var limit = Create(RateLimitAlgorithm.TokenBucket, permitLimit: 3, window: TimeSpan.FromSeconds(3), queueLimit: 10);
        RateLimiter limiter = limit.Limiter;
        Assert.True(limiter.AttemptAcquire(3).IsAcquired);
        Task<RateLimitLease> head = limiter.AcquireAsync(2).AsTask();
        using var cts = new CancellationTokenSource();
        Task<RateLimitLease> behind = limiter.AcquireAsync(1, cts.Token).AsTask();
        _time.Advance(TimeSpan.FromSeconds(1));

        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => behind.WaitAsync(Safety));
        Assert.False(head.IsCompleted);
        Assert.Equal(2, limiter.GetStatistics()!.CurrentQueuedCount);
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.True((await head.WaitAsync(Safety)).IsAcquired);
    }

    [Fact]
    public async Task A_reload_below_a_queued_request_fails_that_request_and_serves_the_rest_under_the_new_limit()
    {
        using var limit = Create(RateLimitAlgorithm.FixedWindow, permitLimit: 4, queueLimit: 10);
        RateLimiter limiter = limit.Limiter;
        Assert.True(limiter.AttemptAcquire(4).IsAcquired);
        Task<RateLimitLease> tooLarge = limiter.AcquireAsync(3).AsTask();
        Task<RateLimitLease> fits = limiter.AcquireAsync(2).AsTask();
        long failedBefore = limiter.GetStatistics()!.TotalFailedLeases;

        limit.Reconfigure(new RateLimitOptions { Algorithm = RateLimitAlgorithm.FixedWindow, PermitLimit = 2, Window = TimeSpan.FromSeconds(1), QueueLimit = 10 });

        using (RateLimitLease failed = await tooLarge.WaitAsync(Safety))
        {
            Assert.False(failed.IsAcquired);
        }

        Assert.Equal(failedBefore + 1, limiter.GetStatistics()!.TotalFailedLeases);
        Assert.Equal(2, limiter.GetStatistics()!.CurrentQueuedCount);
        Assert.False(fits.IsCompleted);
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.True((await fits.WaitAsync(Safety)).IsAcquired);
    }

    [Fact]
    public async Task A_reload_that_frees_permits_serves_the_queue_at_once()
    {
        using var limit = Create(RateLimitAlgorithm.TokenBucket, permitLimit: 1, queueLimit: 5);
        Assert.True(limit.TryAcquire());
        Task queued = limit.AcquireAsync(CancellationToken.None).AsTask();

        limit.Reconfigure(new RateLimitOptions { PermitLimit = 2, Window = TimeSpan.FromSeconds(1), QueueLimit = 5 });

        await queued.WaitAsync(Safety);
        Assert.Equal(0, limit.Limiter.GetStatistics()!.CurrentQueuedCount);
    }

    [Fact]
    public async Task After_a_reload_the_queue_is_served_at_the_instants_of_the_new_settings()
    {
        using var limit = Create(RateLimitAlgorithm.TokenBucket, permitLimit: 1, window: TimeSpan.FromSeconds(10), queueLimit: 5);
        Assert.True(limit.TryAcquire());
        Task queued = limit.AcquireAsync(CancellationToken.None).AsTask(); // its timer is armed for 10 s

        limit.Reconfigure(new RateLimitOptions { PermitLimit = 1, Window = TimeSpan.FromSeconds(1), QueueLimit = 5 }); // a token per second

        _time.Advance(TimeSpan.FromMilliseconds(999));
        Assert.False(queued.IsCompleted);
        _time.Advance(TimeSpan.FromMilliseconds(1)); // nobody calls: the re-armed timer serves it
        await queued.WaitAsync(Safety);
    }

    [Fact]
    public async Task DisposeAsync_fails_queued_callers_and_the_limiter_answers_nothing_afterwards()
    {
        var limit = Create(RateLimitAlgorithm.SlidingWindow, permitLimit: 1, queueLimit: 2);
        RateLimiter limiter = limit.Limiter;
        Assert.True(limit.TryAcquire());
        Task queued = limit.AcquireAsync(CancellationToken.None).AsTask();
        Task<RateLimitLease> queuedLease = limiter.AcquireAsync(1).AsTask();

        await limiter.DisposeAsync();

        await Assert.ThrowsAsync<ObjectDisposedException>(() => queued.WaitAsync(Safety));
        Assert.False((await queuedLease.WaitAsync(Safety)).IsAcquired);
        Assert.Null(limiter.IdleDuration);
        Assert.Throws<ObjectDisposedException>(() => limiter.GetStatistics());
        await Assert.ThrowsAsync<ObjectDisposedException>(() => limiter.AcquireAsync(1).AsTask());
        limit.Reconfigure(new RateLimitOptions { PermitLimit = 5, Window = TimeSpan.FromSeconds(1) }); // ignored, no error
        _time.Advance(TimeSpan.FromSeconds(5)); // no timer is left to fire
        Assert.Throws<ObjectDisposedException>(() => limit.TryAcquire());
    }

    [Fact]
    public void On_a_clock_with_an_odd_frequency_RetryAfter_is_the_first_instant_the_retry_succeeds()
    {
        // 1 000 003 timestamps per second: the token at 1/3 s is seen at timestamp 333 335, which the clock reaches at
        // 3 333 340 ticks (on a TimeSpan-tick clock it would be 3 333 334).
        var time = new OddFrequencyTimeProvider(1_000_003);
        using var limit = new RateLimitStrategy("odd", new RateLimitOptions { PermitLimit = 3, Window = TimeSpan.FromSeconds(1) }, time);
        for (int i = 0; i < 3; i++)
        {
            Assert.True(limit.TryAcquire());
        }

        using (RateLimitLease failed = limit.Limiter.AttemptAcquire(1))
        {
            Assert.Equal(TimeSpan.FromTicks(3_333_340), RetryAfterOf(failed));
        }

        time.AdvanceTo(TimeSpan.FromTicks(3_333_339));
        Assert.False(limit.TryAcquire());
        time.AdvanceTo(TimeSpan.FromTicks(3_333_340));
        Assert.True(limit.TryAcquire());
    }

    [Fact]
    public void On_a_clock_with_an_odd_frequency_the_idle_duration_is_rounded_down_to_whole_ticks()
    {
        var time = new OddFrequencyTimeProvider(1_000_003);
        using var limit = new RateLimitStrategy("odd", new RateLimitOptions { PermitLimit = 1, Window = TimeSpan.FromSeconds(1) }, time);
        Assert.True(limit.TryAcquire());

        // Full again at timestamp 1 000 003 (1 s); at 30 000 010 ticks the clock reads 3 000 010: 2 000 007 timestamps
        // later, 20 000 009.99997 ticks.
        time.AdvanceTo(TimeSpan.FromTicks(30_000_010));

        Assert.Equal(TimeSpan.FromTicks(20_000_009), limit.Limiter.IdleDuration);
    }

    [Fact]
    public async Task On_a_clock_with_an_odd_frequency_a_queued_caller_is_served_by_the_timer_at_the_token()
    {
        var time = new OddFrequencyTimeProvider(1_000_003);
        using var limit = new RateLimitStrategy("odd", new RateLimitOptions { PermitLimit = 3, Window = TimeSpan.FromSeconds(1), QueueLimit = 1 }, time);
        for (int i = 0; i < 3; i++)
        {
            Assert.True(limit.TryAcquire());
        }

        Task queued = limit.AcquireAsync(CancellationToken.None).AsTask();
        time.AdvanceTo(TimeSpan.FromTicks(3_333_339));
        Assert.False(queued.IsCompleted);
        time.AdvanceTo(TimeSpan.FromTicks(3_333_340));
        await queued.WaitAsync(Safety);
    }

    [Theory]
    [InlineData(RateLimitAlgorithm.FixedWindow, 1_000)] // back at the boundary at 1 s
    [InlineData(RateLimitAlgorithm.SlidingWindow, 1_500)] // taken at 0.3 s: back at the first boundary at or after 1.3 s
    public void A_window_is_idle_from_the_boundary_where_its_last_permit_came_back(RateLimitAlgorithm algorithm, int fullAtMs)
    {
        using var limit = Create(algorithm, permitLimit: 2, segments: 2);
        RateLimiter limiter = limit.Limiter;
        _time.Advance(TimeSpan.FromMilliseconds(300));
        Assert.True(limit.TryAcquire());
        Assert.Null(limiter.IdleDuration);

        _time.Advance(TimeSpan.FromMilliseconds(fullAtMs - 300 - 1));
        Assert.Null(limiter.IdleDuration);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(TimeSpan.Zero, limiter.IdleDuration);
        _time.Advance(TimeSpan.FromMilliseconds(2_500));
        Assert.Equal(TimeSpan.FromMilliseconds(2_500), limiter.IdleDuration);
    }

    [Fact]
    public void On_a_clock_with_an_odd_frequency_a_sliding_window_permit_taken_just_after_a_boundary_waits_for_the_next_one()
    {
        // 1 000 003 timestamps per second, segments of 1/3 s: boundary 1 falls between timestamps 333 334 and 333 335.
        // A permit taken at 333 335 (just after 1/3 s) is back at the first boundary at or after that instant plus 1 s:
        // boundary 5 (timestamp 1 666 672, 16 666 670 ticks), not boundary 4 (timestamp 1 333 338, 13 333 340 ticks).
        var time = new OddFrequencyTimeProvider(1_000_003);
        var options = new RateLimitOptions { Algorithm = RateLimitAlgorithm.SlidingWindow, PermitLimit = 1, Window = TimeSpan.FromSeconds(1), SegmentsPerWindow = 3 };
        using var limit = new RateLimitStrategy("odd", options, time);

        time.AdvanceTo(TimeSpan.FromTicks(3_333_340));
        Assert.True(limit.TryAcquire());

        time.AdvanceTo(TimeSpan.FromTicks(13_333_340));
        Assert.False(limit.TryAcquire());
        time.AdvanceTo(TimeSpan.FromTicks(16_666_669));
        Assert.False(limit.TryAcquire());
        time.AdvanceTo(TimeSpan.FromTicks(16_666_670));
        Assert.True(limit.TryAcquire());
    }

    [Theory]
    [InlineData(RateLimitAlgorithm.FixedWindow)]
    [InlineData(RateLimitAlgorithm.SlidingWindow)]
    public void After_many_idle_windows_a_window_holds_exactly_its_limit(RateLimitAlgorithm algorithm)
    {
        using var limit = Create(algorithm, permitLimit: 3, segments: 4);
        Assert.Equal(3, TakeAll(limit));

        _time.Advance(TimeSpan.FromSeconds(10.3));

        Assert.Equal(3, TakeAll(limit));
        Assert.Equal(0, limit.Limiter.GetStatistics()!.CurrentAvailablePermits);
    }

    [Fact]
    public void A_limiter_needs_a_clock_whose_timestamps_move_forward()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new RateLimitStrategy("broken", new RateLimitOptions(), new ZeroFrequencyTimeProvider()));

        Assert.Equal("timeProvider", error.ParamName);
        Assert.Contains("TimestampFrequency must be positive; got 0", error.Message, StringComparison.Ordinal);
    }

    private RateLimitStrategy Create(RateLimitAlgorithm algorithm, int permitLimit, TimeSpan? window = null, int segments = 2, int queueLimit = 0)
        => new("limit", new RateLimitOptions { Algorithm = algorithm, PermitLimit = permitLimit, Window = window ?? TimeSpan.FromSeconds(1), SegmentsPerWindow = segments, QueueLimit = queueLimit }, _time);

    private static int TakeAll(RateLimitStrategy limit)
    {
        int taken = 0;
        while (limit.TryAcquire())
        {
            taken++;
        }

        return taken;
    }

    private static TimeSpan RetryAfterOf(RateLimitLease lease)
    {
        Assert.False(lease.IsAcquired);
        Assert.True(lease.TryGetMetadata(MetadataName.RetryAfter, out TimeSpan retryAfter));
        return retryAfter;
    }

    private sealed class ZeroFrequencyTimeProvider : TimeProvider
    {
        public override long TimestampFrequency => 0;
    }
}
