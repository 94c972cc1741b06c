using System.Threading.RateLimiting;
using CsCheck;
using Microsoft.Extensions.Time.Testing;

namespace Resilience.Runtime.Tests.RateLimiting;

/// <summary>
/// <see cref="RateLimitAlgorithm.SlidingWindowExact"/>: a permit taken at t is back at exactly t + Window, so no window
/// of that length, aligned or not, ever holds more than PermitLimit grants. Checked decision by decision against a
/// brute-force model that keeps every grant.
/// </summary>
public sealed class ExactSlidingWindowTests
{
    [Fact]
    public void Random_arrivals_are_granted_exactly_when_the_brute_force_model_grants_them()
    {
        Gen<(int PermitLimit, int WindowTicks, (long Step, int Permits)[] Arrivals)> cases = Gen.Select(
            Gen.Int[1, 40],
            Gen.Int[1, 50_000],
            Gen.Select(Gen.Long[0, 30_000], Gen.Int[1, 3]).Array[50, 800]);

        cases.Sample(
            input =>
            {
                var time = new FakeTimeProvider();
                var options = new RateLimitOptions
                {
                    Algorithm = RateLimitAlgorithm.SlidingWindowExact,
                    PermitLimit = input.PermitLimit,
                    Window = TimeSpan.FromTicks(input.WindowTicks),
                };
                using var limit = new RateLimitStrategy("exact", options, time);
                var model = new List<long>();
                long now = 0;
                foreach ((long step, int wanted) in input.Arrivals)
                {
                    time.Advance(TimeSpan.FromTicks(step));
                    now += step;
                    int permits = Math.Min(wanted, input.PermitLimit);

                    // The model: a permit taken at g is in use while g + Window > now.
                    int inUse = model.Count(g => g + input.WindowTicks > now);
                    bool expected = inUse + permits <= input.PermitLimit;
                    using RateLimitLease lease = limit.Limiter.AttemptAcquire(permits);

                    Assert.Equal(expected, lease.IsAcquired);
                    if (lease.IsAcquired)
                    {
                        model.AddRange(Enumerable.Repeat(now, permits));
                    }
                    else
                    {
                        // RetryAfter is the wait until enough of the oldest grants are back.
                        long[] back = model.Where(g => g + input.WindowTicks > now).Order().ToArray();
                        long ready = back[inUse + permits - input.PermitLimit - 1] + input.WindowTicks;
                        Assert.True(lease.TryGetMetadata(MetadataName.RetryAfter, out TimeSpan retryAfter));
                        Assert.Equal(TimeSpan.FromTicks(ready - now), retryAfter);
                    }
                }

                // And the guarantee itself, on the grants made: no window of length Window holds more than PermitLimit.
                for (int i = input.PermitLimit; i < model.Count; i++)
                {
                    Assert.True(model[i] - model[i - input.PermitLimit] >= input.WindowTicks);
                }
            },
            seed: "0000Z4RcUNP1",
            iter: 200,
            threads: 1);
    }

    [Fact]
    public void Unlike_the_segmented_window_a_permit_comes_back_exactly_one_window_after_it_was_taken()
    {
        var time = new FakeTimeProvider();
        using var exact = new RateLimitStrategy(
            "exact",
            new RateLimitOptions { Algorithm = RateLimitAlgorithm.SlidingWindowExact, PermitLimit = 2, Window = TimeSpan.FromSeconds(1) },
            time);

        Assert.True(exact.TryAcquire());
        time.Advance(TimeSpan.FromMilliseconds(300));
        Assert.True(exact.TryAcquire());
        Assert.False(exact.TryAcquire());

        time.Advance(TimeSpan.FromMilliseconds(700) - TimeSpan.FromTicks(1));
        Assert.False(exact.TryAcquire());
        time.Advance(TimeSpan.FromTicks(1));
        Assert.True(exact.TryAcquire());
        Assert.False(exact.TryAcquire());
        time.Advance(TimeSpan.FromMilliseconds(300));
        Assert.True(exact.TryAcquire());
    }

    [Fact]
    public void On_a_clock_of_another_frequency_a_permit_comes_back_at_the_first_timestamp_at_or_after_one_window()
    {
        var time = new OddFrequencyTimeProvider(1_000); // 1 ms timestamps
        using var exact = new RateLimitStrategy(
            "exact",
            new RateLimitOptions { Algorithm = RateLimitAlgorithm.SlidingWindowExact, PermitLimit = 1, Window = TimeSpan.FromTicks(10_005) },
            time);

        Assert.True(exact.TryAcquire());
        time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.False(exact.TryAcquire()); // 1.0005 ms have not passed
        time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(exact.TryAcquire());
    }

    [Fact]
    public async Task Queued_callers_are_served_when_the_oldest_permit_comes_back()
    {
        var time = new FakeTimeProvider();
        using var exact = new RateLimitStrategy(
            "exact",
            new RateLimitOptions { Algorithm = RateLimitAlgorithm.SlidingWindowExact, PermitLimit = 1, Window = TimeSpan.FromSeconds(1), QueueLimit = 1 },
            time);

        await exact.AcquireAsync(default);
        time.Advance(TimeSpan.FromMilliseconds(400));
        ValueTask waiting = exact.AcquireAsync(default);
        Assert.False(waiting.IsCompleted);

        time.Advance(TimeSpan.FromMilliseconds(599));
        Assert.False(waiting.IsCompleted);
        time.Advance(TimeSpan.FromMilliseconds(1));
        await waiting;
    }

    [Fact]
    public void Memory_is_bounded_by_the_limit_however_many_calls_are_made()
    {
        var time = new FakeTimeProvider();
        using var exact = new RateLimitStrategy(
            "exact",
            new RateLimitOptions { Algorithm = RateLimitAlgorithm.SlidingWindowExact, PermitLimit = 1_000, Window = TimeSpan.FromSeconds(1) },
            time);

        long granted = 0;
        for (int i = 0; i < 100_000; i++)
        {
            granted += exact.TryAcquire() ? 1 : 0;
            time.Advance(TimeSpan.FromMilliseconds(0.1));
        }

        // 10 s of demand at 10 000/s through a limit of 1 000/s.
        Assert.Equal(10_000, granted);

        // Then one call per millisecond: each takes the permit that just came back, and allocates nothing.
        time.Advance(TimeSpan.FromSeconds(1));
        long allocated = AllocationProbe.Least(
            () =>
            {
                for (int i = 0; i < 5_000; i++)
                {
                    granted += exact.TryAcquire() ? 1 : 0;
                    time.Advance(TimeSpan.FromMilliseconds(1));
                }
            },
            out int windows);

        Assert.Equal(0, allocated);
        Assert.Equal(10_000 + (windows * 5_000), granted);
    }

    [Fact]
    public void More_than_1000_permits_is_rejected_naming_the_setting_and_the_alternative()
    {
        var options = new RateLimitOptions { Algorithm = RateLimitAlgorithm.SlidingWindowExact, PermitLimit = 1_001 };

        var error = Assert.Throws<ArgumentException>(() => new RateLimitStrategy("exact", options));
        Assert.Equal("PermitLimit", error.ParamName);
        Assert.Contains("SlidingWindow (segmented)", error.Message, StringComparison.Ordinal);
        new RateLimitOptions { Algorithm = RateLimitAlgorithm.SlidingWindowExact, PermitLimit = 1_000 }.Validate();
    }

    [Theory]
    [InlineData(RateLimitAlgorithm.TokenBucket)]
    [InlineData(RateLimitAlgorithm.SlidingWindow)]
    [InlineData(RateLimitAlgorithm.FixedWindow)]
    [InlineData(RateLimitAlgorithm.SlidingWindowExact)]
    public void A_reload_to_or_from_the_exact_window_never_hands_out_a_fresh_budget(RateLimitAlgorithm from)
    {
        var time = new FakeTimeProvider();
        var window = TimeSpan.FromSeconds(1);
        using var limit = new RateLimitStrategy("reload", new RateLimitOptions { Algorithm = from, PermitLimit = 3, Window = window }, time);
        Assert.Equal(3, TakeAll(limit));

        time.Advance(TimeSpan.FromMilliseconds(10));
        limit.Reconfigure(new RateLimitOptions { Algorithm = RateLimitAlgorithm.SlidingWindowExact, PermitLimit = 3, Window = window });
        Assert.Equal(0, TakeAll(limit));

        // Every permit is back at the latest one new window after the reload.
        time.Advance(window);
        Assert.Equal(3, TakeAll(limit));

        limit.Reconfigure(new RateLimitOptions { Algorithm = from == RateLimitAlgorithm.SlidingWindowExact ? RateLimitAlgorithm.FixedWindow : from, PermitLimit = 3, Window = window });
        Assert.Equal(0, TakeAll(limit));
    }

    [Fact]
    public void A_reload_that_shrinks_the_limit_keeps_the_ring_bounded_and_returns_permits_no_earlier_than_exact()
    {
        var time = new FakeTimeProvider();
        var window = TimeSpan.FromSeconds(1);
        using var limit = new RateLimitStrategy("shrink", new RateLimitOptions { Algorithm = RateLimitAlgorithm.SlidingWindowExact, PermitLimit = 5, Window = window }, time);
        for (int i = 0; i < 5; i++)
        {
            Assert.True(limit.TryAcquire());
            time.Advance(TimeSpan.FromMilliseconds(100));
        }

        limit.Reconfigure(new RateLimitOptions { Algorithm = RateLimitAlgorithm.SlidingWindowExact, PermitLimit = 2, Window = window });
        Assert.Equal(0, TakeAll(limit));

        // A ring of two groups: the oldest permit is back at 1.0 s; the other four share the second group, back at 1.4 s
        // (later than exact for some, never earlier).
        time.Advance(TimeSpan.FromMilliseconds(500)); // 1.0 s
        Assert.Equal(0, TakeAll(limit)); // 5 in use against 2: still 3 over
        time.Advance(TimeSpan.FromMilliseconds(400)); // 1.4 s: all back
        Assert.Equal(2, TakeAll(limit));
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
}
