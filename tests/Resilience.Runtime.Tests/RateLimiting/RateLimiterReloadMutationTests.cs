using System.Threading.RateLimiting;
using Microsoft.Extensions.Time.Testing;

namespace Resilience.Runtime.Tests.RateLimiting;

/// <summary>
/// What the permits in use become across reloads that change the counting (one algorithm to another, several reloads in
/// a row), the queue's room counted in permits, the exact window's <c>RetryAfter</c>, and how long a retired limiter's
/// state would still have mattered; written for the edits that survived the fourth mutation pass (docs/testing.md).
/// </summary>
public sealed class RateLimiterReloadMutationTests
{
    private static readonly TimeSpan Safety = TimeSpan.FromSeconds(10);
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public async Task A_request_that_would_overfill_the_queue_fails_at_once_though_the_queue_has_some_room()
    {
        using RateLimitStrategy limit = Create(RateLimitAlgorithm.TokenBucket, permitLimit: 3, queueLimit: 3); // a token every 1/3 s
        RateLimiter limiter = limit.Limiter;
        Assert.True(limiter.AttemptAcquire(3).IsAcquired);
        Task<RateLimitLease> queued = limiter.AcquireAsync(2).AsTask();

        ValueTask<RateLimitLease> over = limiter.AcquireAsync(2); // 2 queued + 2 > 3
        Assert.True(over.IsCompleted);
        using (RateLimitLease rejected = await over)
        {
            // Four tokens are needed (the two queued ahead, then these two): the fourth comes at 4/3 s.
            Assert.Equal(TimeSpan.FromTicks(13_333_334), RetryAfterOf(rejected));
        }

        Assert.Equal(2, limiter.GetStatistics()!.CurrentQueuedCount);
        Task<RateLimitLease> fits = limiter.AcquireAsync(1).AsTask(); // 2 + 1 = 3: room for it
        Assert.False(fits.IsCompleted);
        Assert.Equal(3, limiter.GetStatistics()!.CurrentQueuedCount);

        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.True((await queued.WaitAsync(Safety)).IsAcquired);
        Assert.True((await fits.WaitAsync(Safety)).IsAcquired);
    }

    [Fact]
    public void The_exact_window_says_when_enough_permits_are_back_and_nothing_when_they_are_not_in_use()
    {
        using RateLimitStrategy limit = Create(RateLimitAlgorithm.SlidingWindowExact, permitLimit: 3, queueLimit: 3);
        RateLimiter limiter = limit.Limiter;
        Assert.True(limiter.AttemptAcquire(1).IsAcquired); // back at 1.0 s
        _time.Advance(TimeSpan.FromMilliseconds(400));
        Assert.True(limiter.AttemptAcquire(2).IsAcquired); // back at 1.4 s
        _time.Advance(TimeSpan.FromMilliseconds(100));

        using (RateLimitLease one = limiter.AttemptAcquire(1))
        {
            Assert.Equal(TimeSpan.FromMilliseconds(500), RetryAfterOf(one));
        }

        using (RateLimitLease two = limiter.AttemptAcquire(2))
        {
            Assert.Equal(TimeSpan.FromMilliseconds(900), RetryAfterOf(two));
        }

        Task<RateLimitLease> queued = limiter.AcquireAsync(3).AsTask();
        using (RateLimitLease behind = limiter.AttemptAcquire(1)) // needs a fourth permit: none is in use to come back
        {
            Assert.False(behind.IsAcquired);
            Assert.False(behind.TryGetMetadata(MetadataName.RetryAfter, out TimeSpan _));
        }

        _time.Advance(TimeSpan.FromMilliseconds(899));
        Assert.False(queued.IsCompleted);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(queued.IsCompleted);
    }

    [Fact]
    public void Permits_of_a_bucket_reloaded_as_a_sliding_window_come_back_when_the_bucket_would_have_been_full()
    {
        using RateLimitStrategy limit = Create(RateLimitAlgorithm.TokenBucket, permitLimit: 2, window: TimeSpan.FromSeconds(2)); // a token per second
        Assert.Equal(2, TakeAll(limit)); // full again at 2 s
        _time.Advance(TimeSpan.FromMilliseconds(500));

        limit.Reconfigure(new RateLimitOptions
        {
            Algorithm = RateLimitAlgorithm.SlidingWindow, PermitLimit = 2, Window = TimeSpan.FromSeconds(2), SegmentsPerWindow = 4,
        });

        using (RateLimitLease failed = limit.Limiter.AttemptAcquire(1))
        {
            Assert.Equal(TimeSpan.FromMilliseconds(1_500), RetryAfterOf(failed));
        }

        _time.Advance(TimeSpan.FromMilliseconds(1_499));
        Assert.Equal(0, TakeAll(limit));
        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(2, TakeAll(limit));
    }

    [Theory]
    [InlineData(RateLimitAlgorithm.TokenBucket, RateLimitAlgorithm.FixedWindow)]
    [InlineData(RateLimitAlgorithm.TokenBucket, RateLimitAlgorithm.SlidingWindowExact)]
    [InlineData(RateLimitAlgorithm.FixedWindow, RateLimitAlgorithm.SlidingWindow)]
    [InlineData(RateLimitAlgorithm.SlidingWindowExact, RateLimitAlgorithm.FixedWindow)]
    public void Permits_in_use_survive_a_chain_of_reloads_through_a_token_bucket(RateLimitAlgorithm first, RateLimitAlgorithm last)
    {
        using RateLimitStrategy limit = Create(first, permitLimit: 2);
        Assert.Equal(2, TakeAll(limit));
        _time.Advance(TimeSpan.FromMilliseconds(100));

        limit.Reconfigure(new RateLimitOptions { Algorithm = RateLimitAlgorithm.TokenBucket, PermitLimit = 2, Window = TimeSpan.FromSeconds(2) });
        Assert.Equal(0, TakeAll(limit));
        limit.Reconfigure(new RateLimitOptions { Algorithm = last, PermitLimit = 2, Window = TimeSpan.FromSeconds(1), SegmentsPerWindow = 2 });
        Assert.Equal(0, TakeAll(limit)); // no fresh budget

        _time.Advance(TimeSpan.FromSeconds(3)); // every permit is back by now, whatever the conversions rounded to
        Assert.Equal(2, TakeAll(limit));
    }

    [Theory]
    [InlineData(RateLimitAlgorithm.FixedWindow, 1_000)] // the next boundary of the new window
    [InlineData(RateLimitAlgorithm.SlidingWindowExact, 1_400)] // one new window after the reload, before the old 1.5 s
    public void The_farthest_permits_of_a_sliding_window_are_carried_over_by_a_reload(RateLimitAlgorithm to, int backAtMs)
    {
        using RateLimitStrategy limit = Create(RateLimitAlgorithm.SlidingWindow, permitLimit: 1, segments: 2);
        _time.Advance(TimeSpan.FromMilliseconds(300));
        Assert.True(limit.TryAcquire()); // back at the first boundary at or after 1.3 s: 1.5 s, the last slot of the ring
        _time.Advance(TimeSpan.FromMilliseconds(100));

        limit.Reconfigure(new RateLimitOptions { Algorithm = to, PermitLimit = 1, Window = TimeSpan.FromSeconds(1) });

        _time.Advance(TimeSpan.FromMilliseconds(backAtMs - 400 - 1));
        Assert.False(limit.TryAcquire());
        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(limit.TryAcquire());
    }

    [Fact]
    public void A_reservation_made_before_a_reload_that_leaves_the_bucket_in_debt_gives_nothing_back()
    {
        using RateLimitStrategy limit = Create(RateLimitAlgorithm.TokenBucket, permitLimit: 4); // a token every 250 ms
        Assert.True(limit.Reserve(4, TimeSpan.Zero).IsAcquired);
        RateLimitReservation reservation = limit.Reserve(2, TimeSpan.MaxValue); // in debt by 2

        limit.Reconfigure(new RateLimitOptions { PermitLimit = 5, Window = TimeSpan.FromSeconds(1) }); // 6 in use of 5: still in debt
        reservation.Cancel();

        Assert.False(limit.TryAcquire());
        Assert.Equal(0, limit.Limiter.GetStatistics()!.CurrentAvailablePermits);
    }

    [Fact]
    public void A_reload_keeps_the_idle_time_of_a_full_bucket()
    {
        using RateLimitStrategy limit = Create(RateLimitAlgorithm.TokenBucket, permitLimit: 2);
        _time.Advance(TimeSpan.FromSeconds(5));

        limit.Reconfigure(new RateLimitOptions { PermitLimit = 4, Window = TimeSpan.FromSeconds(1) });
        _time.Advance(TimeSpan.FromSeconds(2));

        Assert.Equal(TimeSpan.FromSeconds(7), limit.Limiter.IdleDuration);
        Assert.Equal(4, TakeAll(limit));
    }

    [Fact]
    public void The_idle_time_of_a_bucket_that_refilled_to_full_is_exact_across_a_reload()
    {
        // 3 permits a second: a token every 1/3 s. Two taken at 0 are back at 2/3 s, the instant the bucket is full again.
        using RateLimitStrategy limit = Create(RateLimitAlgorithm.TokenBucket, permitLimit: 3);
        Assert.True(limit.TryAcquire());
        Assert.True(limit.TryAcquire());
        _time.Advance(TimeSpan.FromSeconds(1));

        // A reload to settings of another scale (7 a second) keeps the instant it filled at, seen at 2/3 s rounded up to
        // a tick; nothing read the limiter between the refill and the reload.
        limit.Reconfigure(new RateLimitOptions { PermitLimit = 7, Window = TimeSpan.FromSeconds(1) });
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(TimeSpan.FromTicks(13_333_333), limit.Limiter.IdleDuration);
    }

    [Theory]
    [InlineData(RateLimitAlgorithm.TokenBucket, 20_000_000)] // two of three tokens in use at 1/s: full at 2 s
    [InlineData(RateLimitAlgorithm.FixedWindow, 7_000_000)] // back at the boundary at 1 s
    [InlineData(RateLimitAlgorithm.SlidingWindow, 12_000_000)] // taken at 0.3 s: back at 1.5 s
    [InlineData(RateLimitAlgorithm.SlidingWindowExact, 10_000_000)] // back at 1.3 s
    public void Retiring_a_limiter_in_use_says_how_long_until_it_would_be_full(RateLimitAlgorithm algorithm, long pending)
    {
        TimeSpan window = algorithm == RateLimitAlgorithm.TokenBucket ? TimeSpan.FromSeconds(3) : TimeSpan.FromSeconds(1);
        using RateLimitStrategy limit = Create(algorithm, permitLimit: 3, window: window);
        var limiter = (TimeProviderRateLimiter)limit.Limiter;
        if (algorithm != RateLimitAlgorithm.TokenBucket)
        {
            _time.Advance(TimeSpan.FromMilliseconds(300));
        }

        Assert.True(limiter.AttemptAcquire(2).IsAcquired);

        Assert.Equal(pending, limiter.Retire());
        Assert.Equal(0, limiter.Retire()); // already retired
    }

    [Fact]
    public void Retiring_a_limiter_at_rest_says_its_state_no_longer_matters()
    {
        using RateLimitStrategy limit = Create(RateLimitAlgorithm.TokenBucket, permitLimit: 3);
        var limiter = (TimeProviderRateLimiter)limit.Limiter;
        Assert.True(limit.TryAcquire());
        _time.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal(0, limiter.Retire());
        Assert.Throws<ObjectDisposedException>(() => limit.TryAcquire());
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
}

/// <summary>The limiter's one-shot timer: none while nobody waits, armed once per due instant, and created without the caller's execution context.</summary>
public sealed class RateLimiterTimerMutationTests
{
    private static readonly TimeSpan Safety = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task No_timer_exists_while_nobody_waits_and_one_is_armed_once_for_the_callers_queued()
    {
        var time = new RecordingTimeProvider();
        using var limit = new RateLimitStrategy("limit", new RateLimitOptions { PermitLimit = 2, Window = TimeSpan.FromSeconds(1), QueueLimit = 2 }, time);
        Assert.True(limit.TryAcquire());
        Assert.True(limit.TryAcquire());
        limit.Reconfigure(new RateLimitOptions { PermitLimit = 2, Window = TimeSpan.FromSeconds(2), QueueLimit = 2 }); // nobody waits
        time.Advance(TimeSpan.FromSeconds(3));
        Assert.Equal(0, time.TimersCreated);

        Assert.True(limit.TryAcquire());
        Assert.True(limit.TryAcquire());
        Task first = limit.AcquireAsync(CancellationToken.None).AsTask();
        Task second = limit.AcquireAsync(CancellationToken.None).AsTask();
        Assert.Equal(1, time.TimersCreated);
        Assert.Equal(1, time.Changes); // armed once, for the first token (1 s): the second caller finds it armed

        time.Advance(TimeSpan.FromSeconds(1));
        await first.WaitAsync(Safety);
        Assert.Equal(2, time.Changes); // re-armed for the second caller's token
        time.Advance(TimeSpan.FromSeconds(1));
        await second.WaitAsync(Safety);
        time.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(2, time.Changes); // nobody waits: not armed again
        Assert.Equal(1, time.TimersCreated);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task The_timer_is_created_without_the_callers_execution_context_which_is_left_as_it_was(bool callerSuppressed)
    {
        var time = new RecordingTimeProvider();
        using var limit = new RateLimitStrategy("limit", new RateLimitOptions { PermitLimit = 1, Window = TimeSpan.FromSeconds(1), QueueLimit = 1 }, time);
        Assert.True(limit.TryAcquire());

        Task queued;
        if (callerSuppressed)
        {
            using (ExecutionContext.SuppressFlow())
            {
                queued = limit.AcquireAsync(CancellationToken.None).AsTask();
                Assert.True(ExecutionContext.IsFlowSuppressed());
            }
        }
        else
        {
            queued = limit.AcquireAsync(CancellationToken.None).AsTask();
            Assert.False(ExecutionContext.IsFlowSuppressed());
        }

        Assert.Equal(1, time.TimersCreated);
        Assert.True(time.FlowSuppressedAtCreation);
        time.Advance(TimeSpan.FromSeconds(1));
        await queued.WaitAsync(Safety);
    }

    private sealed class RecordingTimeProvider : TimeProvider
    {
        private readonly FakeTimeProvider _inner = new();
        private int _changes;

        public int TimersCreated { get; private set; }

        public bool FlowSuppressedAtCreation { get; private set; }

        public int Changes => Volatile.Read(ref _changes);

        public override long TimestampFrequency => _inner.TimestampFrequency;

        public override long GetTimestamp() => _inner.GetTimestamp();

        public override DateTimeOffset GetUtcNow() => _inner.GetUtcNow();

        public void Advance(TimeSpan delta) => _inner.Advance(delta);

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            TimersCreated++;
            FlowSuppressedAtCreation = ExecutionContext.IsFlowSuppressed();
            return new CountingTimer(this, _inner.CreateTimer(callback, state, dueTime, period));
        }

        private sealed class CountingTimer(RecordingTimeProvider owner, ITimer inner) : ITimer
        {
            public bool Change(TimeSpan dueTime, TimeSpan period)
            {
                Interlocked.Increment(ref owner._changes);
                return inner.Change(dueTime, period);
            }

            public void Dispose() => inner.Dispose();

            public ValueTask DisposeAsync() => inner.DisposeAsync();
        }
    }
}
