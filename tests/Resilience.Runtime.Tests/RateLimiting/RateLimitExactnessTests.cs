using System.Threading.RateLimiting;
using CsCheck;
using Microsoft.Extensions.Time.Testing;

namespace Resilience.Runtime.Tests.RateLimiting;

/// <summary>
/// The exact guarantees of docs/rate-limit.md, checked against the ideal curves over long simulated schedules: a token
/// bucket of rate r and burst b admits at most b + r·T in every span of length T; a sliding window never holds more than
/// PermitLimit grants in any half-open span of length Window.
/// </summary>
public sealed class RateLimitExactnessTests
{
    public static TheoryData<int, int> BucketRates => new() { { 7, 1_000 }, { 1_500, 1_000 }, { 3, 1_000 }, { 7, 3_000 } };

    [Theory]
    [MemberData(nameof(BucketRates))]
    public void Token_bucket_over_a_simulated_hour_never_exceeds_b_plus_rT_in_any_span_and_grants_exactly_the_ideal_curve(int permitLimit, int windowMs)
    {
        var time = new FakeTimeProvider();
        var window = TimeSpan.FromMilliseconds(windowMs);
        using var limit = new RateLimitStrategy("bucket", new RateLimitOptions { PermitLimit = permitLimit, Window = window }, time);
        var check = new BucketCheck(permitLimit, window, TimeSpan.TicksPerSecond);
        var random = new Random(permitLimit * 31 + windowMs);
        long meanStep = Math.Max(1, window.Ticks / permitLimit);
        long elapsed = 0;
        long hour = TimeSpan.FromHours(1).Ticks;
        while (elapsed < hour)
        {
            // Saturated demand: every poll takes all that is there, so the total must follow the ideal curve exactly.
            while (limit.TryAcquire())
            {
                check.Grant(elapsed);
            }

            long step = 1 + random.NextInt64(2 * meanStep);
            time.Advance(TimeSpan.FromTicks(step));
            elapsed += step;
        }

        while (limit.TryAcquire())
        {
            check.Grant(elapsed);
        }

        // b + floor(r·t): the bucket started full and was first drawn on at t = 0.
        long ideal = permitLimit + (long)((Int128)elapsed * permitLimit / window.Ticks);
        Assert.Equal(ideal, check.Granted);
    }

    [Theory]
    [InlineData(7, 1_000, 3)]
    [InlineData(10, 1_000, 3)]
    [InlineData(100, 1_000, 7)]
    [InlineData(5, 700, 6)]
    public void Sliding_window_over_a_simulated_hour_never_holds_more_than_PermitLimit_in_any_window(int permitLimit, int windowMs, int segments)
    {
        var time = new FakeTimeProvider();
        var window = TimeSpan.FromMilliseconds(windowMs);
        using var limit = new RateLimitStrategy("sliding", new RateLimitOptions { Algorithm = RateLimitAlgorithm.SlidingWindow, PermitLimit = permitLimit, Window = window, SegmentsPerWindow = segments }, time);
        var check = new WindowCheck(permitLimit, window.Ticks);
        var random = new Random(permitLimit * 17 + segments);
        long elapsed = 0;
        long hour = TimeSpan.FromHours(1).Ticks;
        long meanStep = window.Ticks / permitLimit;
        while (elapsed < hour)
        {
            int calls = random.Next(4);
            for (int i = 0; i < calls && limit.TryAcquire(); i++)
            {
                check.Grant(elapsed);
            }

            long step = 1 + random.NextInt64(2 * meanStep);
            time.Advance(TimeSpan.FromTicks(step));
            elapsed += step;
        }

        // Liveness: it still admits at least PermitLimit per (Window + one segment).
        long atLeast = hour / (window.Ticks + (window.Ticks / segments) + 1) * permitLimit / 2;
        Assert.True(check.Granted >= atLeast, $"granted {check.Granted}, expected at least {atLeast}");
    }

    [Fact]
    public void Token_bucket_refills_continuously_not_on_a_grid_counted_from_creation()
    {
        var time = new FakeTimeProvider();
        using var limit = new RateLimitStrategy("grid", new RateLimitOptions { PermitLimit = 1, Window = TimeSpan.FromSeconds(1) }, time);

        time.Advance(TimeSpan.FromSeconds(1) - TimeSpan.FromTicks(1)); // 1 s − 100 ns
        Assert.True(limit.TryAcquire());
        time.Advance(TimeSpan.FromTicks(1)); // 1 s: only 100 ns of refill, not a whole token
        Assert.False(limit.TryAcquire());

        time.Advance(TimeSpan.FromSeconds(1) - TimeSpan.FromTicks(2));
        Assert.False(limit.TryAcquire());
        time.Advance(TimeSpan.FromTicks(1)); // exactly 1 s after the first draw
        Assert.True(limit.TryAcquire());
    }

    [Fact]
    public void Sliding_window_of_7_per_second_in_3_segments_never_hands_permits_back_early()
    {
        var time = new FakeTimeProvider();
        using var limit = new RateLimitStrategy("sliding", new RateLimitOptions { Algorithm = RateLimitAlgorithm.SlidingWindow, PermitLimit = 7, Window = TimeSpan.FromSeconds(1), SegmentsPerWindow = 3 }, time);
        for (int i = 0; i < 7; i++)
        {
            Assert.True(limit.TryAcquire());
        }

        time.Advance(TimeSpan.FromSeconds(1) - TimeSpan.FromTicks(1)); // 3 segments of 333.33.. ms are a whole second, not 9 999 999 ticks
        Assert.False(limit.TryAcquire());
        time.Advance(TimeSpan.FromTicks(1));
        Assert.True(limit.TryAcquire());

        // Taken mid-segment (at 1.1 s): back at the first boundary at or after 2.1 s, i.e. 2 333 333.4 → 2.3333334 s.
        time.Advance(TimeSpan.FromMilliseconds(100));
        Assert.True(limit.TryAcquire());
        Assert.Equal(5, TakeAll(limit));
        Assert.Equal(TimeSpan.FromMilliseconds(900), RetryAfter(limit)); // the one taken exactly at 1 s is back at 2 s
        time.Advance(TimeSpan.FromMilliseconds(900));
        Assert.True(limit.TryAcquire());
        Assert.Equal(TimeSpan.FromTicks(23_333_334 - 20_000_000), RetryAfter(limit));
        time.Advance(TimeSpan.FromTicks(23_333_334 - 20_000_000 - 1));
        Assert.False(limit.TryAcquire());
        time.Advance(TimeSpan.FromTicks(1));
        Assert.Equal(6, TakeAll(limit));
    }

    [Fact]
    public void RetryAfter_of_a_partly_drained_bucket_is_exact_and_the_permits_are_back_exactly_then()
    {
        var time = new FakeTimeProvider();
        using var limit = new RateLimitStrategy("drained", new RateLimitOptions { PermitLimit = 7, Window = TimeSpan.FromSeconds(1) }, time);
        for (int i = 0; i < 3; i++)
        {
            Assert.True(limit.TryAcquire());
        }

        time.Advance(TimeSpan.FromMilliseconds(100));
        Assert.Equal(4, TakeAll(limit)); // 0.7 of a token earned since the first draw at 0

        // The next token at 1/7 s = 1 428 571.43 ticks → 1 428 572; three tokens at 3/7 s → 4 285 715.
        Assert.Equal(TimeSpan.FromTicks(1_428_572 - 1_000_000), RetryAfter(limit));
        using (RateLimitLease three = limit.Limiter.AttemptAcquire(3))
        {
            Assert.False(three.IsAcquired);
            Assert.True(three.TryGetMetadata(MetadataName.RetryAfter, out TimeSpan retryThree));
            Assert.Equal(TimeSpan.FromTicks(4_285_715 - 1_000_000), retryThree);
        }

        time.Advance(TimeSpan.FromTicks(428_571));
        Assert.False(limit.TryAcquire());
        time.Advance(TimeSpan.FromTicks(1));
        Assert.True(limit.TryAcquire());

        time.Advance(TimeSpan.FromTicks(4_285_714 - 1_428_572));
        Assert.Equal(1, TakeAll(limit)); // the second token (2/7 s = 2 857 143) only
        time.Advance(TimeSpan.FromTicks(1));
        Assert.Equal(1, TakeAll(limit)); // the third, at 4 285 715
    }

    [Theory]
    [InlineData(1_000_000_007L)]
    [InlineData(3L)]
    [InlineData(1_000_000_000L)]
    public void Token_bucket_is_exact_with_an_odd_timestamp_frequency(long frequency)
    {
        var fake = new FakeTimeProvider();
        var time = new OddFrequencyTimeProvider(fake, frequency);
        using var limit = new RateLimitStrategy("odd", new RateLimitOptions { PermitLimit = 7, Window = TimeSpan.FromSeconds(1) }, time);
        var check = new BucketCheck(7, TimeSpan.FromSeconds(1), frequency);
        var random = new Random(7);
        long start = time.GetTimestamp();
        for (int step = 0; step < 20_000; step++)
        {
            while (limit.TryAcquire())
            {
                check.Grant(time.GetTimestamp() - start);
            }

            fake.Advance(TimeSpan.FromTicks(1 + random.NextInt64(3_000_000)));
        }

        long elapsed = time.GetTimestamp() - start;
        while (limit.TryAcquire())
        {
            check.Grant(elapsed);
        }

        Assert.Equal(7 + (long)((Int128)elapsed * 7 / frequency), check.Granted);
    }

    [Fact]
    public async Task Queued_callers_are_served_exactly_when_a_token_is_due_with_an_odd_frequency()
    {
        var fake = new FakeTimeProvider();
        var time = new OddFrequencyTimeProvider(fake, 1_000_000_007L);
        using var limit = new RateLimitStrategy("odd", new RateLimitOptions { PermitLimit = 7, Window = TimeSpan.FromSeconds(1), QueueLimit = 1 }, time);
        Assert.Equal(7, TakeAll(limit));

        Task queued = limit.AcquireAsync(CancellationToken.None).AsTask();
        fake.Advance(TimeSpan.FromTicks(1_428_571)); // 1/7 s is 1 428 571.43 ticks
        Assert.False(queued.IsCompleted);
        fake.Advance(TimeSpan.FromTicks(1));
        await queued.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Theory]
    [InlineData(RateLimitAlgorithm.TokenBucket)]
    [InlineData(RateLimitAlgorithm.SlidingWindow)]
    [InlineData(RateLimitAlgorithm.FixedWindow)]
    public void A_reload_that_counts_alike_keeps_the_refill_clock_and_its_progress(RateLimitAlgorithm algorithm)
    {
        var time = new FakeTimeProvider();
        var options = new RateLimitOptions { Algorithm = algorithm, PermitLimit = 1, Window = TimeSpan.FromSeconds(1), SegmentsPerWindow = 4 };
        using var limit = new RateLimitStrategy("reload", options, time);
        Assert.True(limit.TryAcquire());

        // Reloads every 300 ms (the queue limit changes, or nothing at all: another instance changed).
        for (int i = 0; i < 3; i++)
        {
            time.Advance(TimeSpan.FromMilliseconds(300));
            limit.Reconfigure(new RateLimitOptions { Algorithm = algorithm, PermitLimit = 1, Window = TimeSpan.FromSeconds(1), SegmentsPerWindow = 4, QueueLimit = i });
            Assert.False(limit.TryAcquire());
        }

        time.Advance(TimeSpan.FromMilliseconds(99)); // 999 ms
        Assert.False(limit.TryAcquire());
        time.Advance(TimeSpan.FromMilliseconds(1)); // 1 s: back, as without the reloads
        Assert.True(limit.TryAcquire());
    }

    [Fact]
    public void A_reload_that_changes_the_rate_keeps_the_fraction_of_the_next_token()
    {
        var time = new FakeTimeProvider();
        using var limit = new RateLimitStrategy("reload", new RateLimitOptions { PermitLimit = 1, Window = TimeSpan.FromSeconds(1) }, time);
        Assert.True(limit.TryAcquire());

        time.Advance(TimeSpan.FromMilliseconds(500)); // half a token earned
        limit.Reconfigure(new RateLimitOptions { PermitLimit = 2, Window = TimeSpan.FromSeconds(4) }); // 1 token per 2 s, burst 2
        Assert.True(limit.TryAcquire()); // the new limit's second permit (one is still in use)
        Assert.False(limit.TryAcquire());

        time.Advance(TimeSpan.FromMilliseconds(999)); // half of a 2 s token was earned: the rest takes 1 s
        Assert.False(limit.TryAcquire());
        time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(limit.TryAcquire());
    }

    [Fact]
    public async Task An_already_cancelled_token_takes_no_permit_on_any_path()
    {
        var time = new FakeTimeProvider();
        using var limit = new RateLimitStrategy("cancelled", new RateLimitOptions { PermitLimit = 1, Window = TimeSpan.FromSeconds(1) }, time);
        using var queued = new RateLimitStrategy("cancelled", new RateLimitOptions { PermitLimit = 1, Window = TimeSpan.FromSeconds(1), QueueLimit = 1 }, time);
        using var keyed = new KeyedRateLimitStrategy<string>("cancelled", new RateLimitOptions { PermitLimit = 1, Window = TimeSpan.FromSeconds(1) }, time);
        var cancelled = new CancellationToken(canceled: true);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => limit.AcquireAsync(cancelled).AsTask());
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => queued.AcquireAsync(cancelled).AsTask());
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => limit.Limiter.AcquireAsync(1, cancelled).AsTask());
        Assert.ThrowsAny<OperationCanceledException>(() => limit.Acquire(cancelled));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => keyed.AcquireAsync("k", cancelled).AsTask());
        Assert.ThrowsAny<OperationCanceledException>(() => keyed.Acquire("k", cancelled));

        Assert.True(limit.TryAcquire());
        Assert.True(queued.TryAcquire());
        Assert.True(keyed.TryAcquire("k"));
    }

    [Theory]
    [InlineData("0000Z4RcUNP1")]
    [InlineData("cH51xjfGXQW1")]
    [InlineData("1JfOMceQwAR1")]
    [InlineData("65yki-BluBk1")]
    public void Random_schedules_keep_every_algorithm_within_its_ideal_curve(string seed)
    {
        Gen<(int Algorithm, int PermitLimit, int WindowMs, int Segments, (long Step, int Calls, bool Reload)[] Schedule)> schedules =
            Gen.Select(
                Gen.Int[0, 2],
                Gen.Int[1, 50],
                Gen.Int[1, 3_000],
                Gen.Int[1, 9],
                Gen.Select(Gen.Long[1, 20_000_000], Gen.Int[0, 5], Gen.Int[0, 19].Select(r => r == 0)).Array[200, 2_000]);

        schedules.Sample(
            input =>
            {
                var algorithm = (RateLimitAlgorithm)input.Algorithm;
                int segments = Math.Min(input.Segments, input.WindowMs);
                var window = TimeSpan.FromMilliseconds(input.WindowMs);
                var options = new RateLimitOptions { Algorithm = algorithm, PermitLimit = input.PermitLimit, Window = window, SegmentsPerWindow = segments };
                var time = new FakeTimeProvider();
                using var limit = new RateLimitStrategy("random", options, time);
                var bucket = new BucketCheck(input.PermitLimit, window, TimeSpan.TicksPerSecond);
                var sliding = new WindowCheck(input.PermitLimit, window.Ticks);
                long elapsed = 0;
                int queueLimit = 0;
                foreach ((long step, int calls, bool reload) in input.Schedule)
                {
                    if (reload)
                    {
                        // A reload that counts alike (another instance changed): nothing may change.
                        options.QueueLimit = ++queueLimit % 3;
                        limit.Reconfigure(options);
                    }

                    for (int i = 0; i < calls && limit.TryAcquire(); i++)
                    {
                        switch (algorithm)
                        {
                            case RateLimitAlgorithm.TokenBucket:
                                bucket.Grant(elapsed);
                                break;
                            case RateLimitAlgorithm.SlidingWindow:
                                sliding.Grant(elapsed);
                                break;
                            default:
                                // Fixed windows from creation: at most PermitLimit per [k·W, (k+1)·W).
                                sliding.GrantAligned(elapsed);
                                break;
                        }
                    }

                    time.Advance(TimeSpan.FromTicks(step));
                    elapsed += step;
                }
            },
            seed: seed,
            iter: 1,
            threads: 1);
    }

    private static int TakeAll(RateLimitStrategy limit)
    {
        int taken = 0;
        while (limit.TryAcquire())
        {
            taken++;
        }

        return taken;
    }

    private static TimeSpan? RetryAfter(RateLimitStrategy limit)
        => Assert.Throws<RateLimitRejectedException>(() => limit.Acquire(CancellationToken.None)).RetryAfter;

    /// <summary>
    /// Checks b + r·T over every span ending at each grant: with grants numbered i at timestamps t_i,
    /// (i − j + 1)·D ≤ b·D + N·(t_i − t_j) for all j ≤ i, where r = N / D tokens per timestamp unit.
    /// </summary>
    private sealed class BucketCheck(int permitLimit, TimeSpan window, long frequency)
    {
        private readonly Int128 _numerator = (Int128)permitLimit * TimeSpan.TicksPerSecond;
        private readonly Int128 _denominator = (Int128)window.Ticks * frequency;
        private Int128 _lowest = Int128.MaxValue;

        public long Granted { get; private set; }

        public void Grant(long at)
        {
            // Span from grant j to grant i: (i + 1)·D − N·t_i ≤ b·D + (j·D − N·t_j).
            Int128 mine = (Granted * _denominator) - (_numerator * at);
            _lowest = Int128.Min(_lowest, mine);
            Int128 end = ((Granted + 1) * _denominator) - (_numerator * at);
            Assert.True(end <= (permitLimit * _denominator) + _lowest, $"grant {Granted + 1} at {at}: more than b + r·T in a span ending here");
            Granted++;
        }
    }

    /// <summary>Counts grants in the half-open window (t − W, t] ending at every grant.</summary>
    private sealed class WindowCheck(int permitLimit, long windowTicks)
    {
        private readonly Queue<long> _recent = new();
        private long _windowIndex = -1;
        private int _inWindow;

        public long Granted { get; private set; }

        public void Grant(long at)
        {
            while (_recent.Count > 0 && _recent.Peek() <= at - windowTicks)
            {
                _recent.Dequeue();
            }

            _recent.Enqueue(at);
            Granted++;
            Assert.True(_recent.Count <= permitLimit, $"{_recent.Count} grants within one window ending at {at}");
        }

        public void GrantAligned(long at)
        {
            long index = at / windowTicks;
            _inWindow = index == _windowIndex ? _inWindow + 1 : 1;
            _windowIndex = index;
            Granted++;
            Assert.True(_inWindow <= permitLimit, $"{_inWindow} grants in fixed window {index}");
        }
    }

    /// <summary>A clock whose timestamps tick at an odd frequency, derived from a <see cref="FakeTimeProvider"/>.</summary>
    private sealed class OddFrequencyTimeProvider(FakeTimeProvider inner, long frequency) : TimeProvider
    {
        private readonly long _start = inner.GetTimestamp();

        public override long TimestampFrequency => frequency;

        public override long GetTimestamp() => (long)((Int128)(inner.GetTimestamp() - _start) * frequency / TimeSpan.TicksPerSecond);

        public override DateTimeOffset GetUtcNow() => inner.GetUtcNow();

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) => inner.CreateTimer(callback, state, dueTime, period);
    }
}
