using System.Diagnostics.Metrics;
using CsCheck;
using Microsoft.Extensions.Time.Testing;

namespace Resilience.Runtime.Tests.RateLimiting;

/// <summary>Reservations, as golang.org/x/time/rate's: take permits from the future, learn the delay, cancel to give them back.</summary>
public sealed class RateLimitReservationTests
{
    private static readonly TimeSpan Second = TimeSpan.FromSeconds(1);

    [Fact]
    public void Available_permits_are_reserved_at_once_with_no_delay()
    {
        using RateLimitStrategy limit = Bucket(permitLimit: 2, out _);

        RateLimitReservation reservation = limit.Reserve();

        Assert.True(reservation.IsAcquired);
        Assert.Equal(TimeSpan.Zero, reservation.Delay);
        Assert.Null(reservation.RetryAfter);
        Assert.True(limit.TryAcquire());
        Assert.False(limit.TryAcquire());
    }

    [Fact]
    public void A_token_bucket_reserves_from_tokens_still_to_come_and_later_callers_wait_behind_the_debt()
    {
        using RateLimitStrategy limit = Bucket(permitLimit: 4, out FakeTimeProvider time); // a token every 250 ms
        Assert.True(limit.Reserve(4, TimeSpan.Zero).IsAcquired);

        RateLimitReservation first = limit.Reserve(2, TimeSpan.MaxValue);
        RateLimitReservation second = limit.Reserve();

        Assert.Equal(TimeSpan.FromMilliseconds(500), first.Delay);
        Assert.Equal(TimeSpan.FromMilliseconds(750), second.Delay);
        time.Advance(TimeSpan.FromMilliseconds(750));
        Assert.False(limit.TryAcquire()); // the three tokens so far were reserved
        time.Advance(TimeSpan.FromMilliseconds(250));
        Assert.True(limit.TryAcquire());
    }

    [Fact]
    public void A_delay_beyond_maxDelay_is_refused_and_takes_nothing()
    {
        using RateLimitStrategy limit = Bucket(permitLimit: 4, out FakeTimeProvider time);
        limit.Reserve(4, TimeSpan.Zero);

        RateLimitReservation refused = limit.Reserve(2, TimeSpan.FromMilliseconds(499));

        Assert.False(refused.IsAcquired);
        Assert.Equal(TimeSpan.MaxValue, refused.Delay);
        Assert.Equal(TimeSpan.FromMilliseconds(500), refused.RetryAfter);
        refused.Cancel();
        Assert.True(limit.Reserve(2, TimeSpan.FromMilliseconds(500)).IsAcquired);
    }

    [Fact]
    public void Cancelling_before_the_delay_gives_the_permits_back()
    {
        using RateLimitStrategy limit = Bucket(permitLimit: 4, out FakeTimeProvider time);
        limit.Reserve(4, TimeSpan.Zero);
        RateLimitReservation reservation = limit.Reserve(2, TimeSpan.MaxValue);

        time.Advance(TimeSpan.FromMilliseconds(250));
        reservation.Cancel();

        // Back to where it was without the reservation: one token has come.
        Assert.True(limit.TryAcquire());
        Assert.False(limit.TryAcquire());
        RateLimitReservation next = limit.Reserve();
        Assert.Equal(TimeSpan.FromMilliseconds(250), next.Delay);
    }

    [Fact]
    public void Cancelling_gives_back_only_what_no_later_reservation_counted_on()
    {
        using RateLimitStrategy limit = Bucket(permitLimit: 4, out FakeTimeProvider time);
        limit.Reserve(4, TimeSpan.Zero);
        RateLimitReservation first = limit.Reserve(3, TimeSpan.MaxValue); // due at 750 ms
        RateLimitReservation second = limit.Reserve(2, TimeSpan.MaxValue); // due at 1250 ms

        first.Cancel(); // 3 - 2 reserved after it = 1 back

        Assert.Equal(1250, second.Delay.TotalMilliseconds);
        RateLimitReservation third = limit.Reserve();
        Assert.Equal(TimeSpan.FromMilliseconds(1250), third.Delay); // 4 still owed, so the 5th token to come, at 1250 ms
        time.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(4, TakeAll(limit));
    }

    [Fact]
    public void Cancelling_after_the_delay_or_an_immediate_reservation_or_twice_gives_nothing_back()
    {
        using RateLimitStrategy limit = Bucket(permitLimit: 4, out FakeTimeProvider time);
        RateLimitReservation immediate = limit.Reserve(4, TimeSpan.Zero);
        immediate.Cancel();
        Assert.False(limit.TryAcquire());

        RateLimitReservation due = limit.Reserve(1, TimeSpan.MaxValue);
        time.Advance(due.Delay);
        due.Cancel();
        Assert.False(limit.TryAcquire());

        RateLimitReservation twice = limit.Reserve(2, TimeSpan.MaxValue);
        RateLimitReservation copy = twice;
        twice.Cancel();
        copy.Cancel();
        twice.Cancel();
        time.Advance(TimeSpan.FromMilliseconds(250));
        Assert.True(limit.TryAcquire());
        Assert.False(limit.TryAcquire());
    }

    [Fact]
    public void A_reload_that_changes_the_counting_makes_older_reservations_uncancellable()
    {
        using RateLimitStrategy limit = Bucket(permitLimit: 4, out FakeTimeProvider time);
        limit.Reserve(4, TimeSpan.Zero);
        RateLimitReservation reservation = limit.Reserve(2, TimeSpan.MaxValue);

        limit.Reconfigure(new RateLimitOptions { PermitLimit = 8, Window = Second });
        reservation.Cancel();

        Assert.Equal(2, TakeAll(limit)); // 8 - 6 in use; the reservation's 2 stay in use
    }

    [Theory]
    [InlineData(RateLimitAlgorithm.SlidingWindow)]
    [InlineData(RateLimitAlgorithm.FixedWindow)]
    [InlineData(RateLimitAlgorithm.SlidingWindowExact)]
    public void Window_algorithms_grant_only_immediate_reservations(RateLimitAlgorithm algorithm)
    {
        var time = new FakeTimeProvider();
        using var limit = new RateLimitStrategy("window", new RateLimitOptions { Algorithm = algorithm, PermitLimit = 2, Window = Second }, time);

        Assert.Equal(TimeSpan.Zero, limit.Reserve(2, TimeSpan.MaxValue).Delay);
        RateLimitReservation refused = limit.Reserve(1, TimeSpan.MaxValue);

        Assert.False(refused.IsAcquired);
        Assert.Equal(Second, refused.RetryAfter);
        time.Advance(Second);
        Assert.True(limit.Reserve().IsAcquired);
    }

    [Fact]
    public async Task A_bucket_with_callers_queued_refuses_what_it_cannot_grant_at_once_so_they_keep_their_turn()
    {
        var time = new FakeTimeProvider();
        using var limit = new RateLimitStrategy("queued", new RateLimitOptions { PermitLimit = 1, Window = Second, QueueLimit = 1 }, time);
        await limit.AcquireAsync(default);
        ValueTask queued = limit.AcquireAsync(default);

        Assert.False(limit.Reserve().IsAcquired);
        time.Advance(Second);
        await queued;
    }

    [Fact]
    public void Arguments_are_checked()
    {
        using RateLimitStrategy limit = Bucket(permitLimit: 4, out _);

        Assert.Equal("permits", Assert.Throws<ArgumentOutOfRangeException>(() => limit.Reserve(0, TimeSpan.Zero)).ParamName);
        Assert.Equal("permits", Assert.Throws<ArgumentOutOfRangeException>(() => limit.Reserve(5, TimeSpan.Zero)).ParamName);
        Assert.Equal("maxDelay", Assert.Throws<ArgumentOutOfRangeException>(() => limit.Reserve(1, TimeSpan.FromTicks(-1))).ParamName);
        limit.Dispose();
        Assert.Throws<ObjectDisposedException>(() => limit.Reserve());
        default(RateLimitReservation).Cancel();
        Assert.False(default(RateLimitReservation).IsAcquired);
    }

    [Fact]
    public void Immediate_and_refused_reservations_allocate_nothing()
    {
        // Room for every window's 500 (an immediate reservation keeps its permit: the clock stands still).
        using RateLimitStrategy limit = new("alloc", new RateLimitOptions { Algorithm = RateLimitAlgorithm.FixedWindow, PermitLimit = 2_000, Window = Second }, new FakeTimeProvider());
        limit.Reserve().Cancel();

        int immediate = 0;
        long allocated = AllocationProbe.Least(
            () =>
            {
                for (int i = 0; i < 500; i++)
                {
                    RateLimitReservation reservation = limit.Reserve();
                    immediate += reservation.IsAcquired && reservation.Delay == TimeSpan.Zero ? 1 : 0;
                    reservation.Cancel();
                }
            },
            out int windows);

        Assert.Equal(0, allocated);
        Assert.Equal(windows * 500, immediate);
    }

    [Fact]
    public void Reservations_are_counted_by_outcome()
    {
        var time = new FakeTimeProvider();
        using var registry = new ResilienceRegistry(time);
        RateLimitStrategy limit = registry.GetOrAddRateLimit("reserved", new RateLimitOptions { PermitLimit = 1, Window = Second });
        var outcomes = new List<string?>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (ReferenceEquals(instrument.Meter, registry.Telemetry.Meter) && instrument.Name == "resilience.rate_limit.reservations")
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((_, _, tags, _) =>
        {
            foreach (KeyValuePair<string, object?> tag in tags)
            {
                if (tag.Key == "resilience.rate_limit.reservation")
                {
                    outcomes.Add(tag.Value as string);
                }
            }
        });
        listener.Start();

        limit.Reserve();
        limit.Reserve().Cancel();
        limit.Reserve(1, TimeSpan.Zero);

        Assert.Equal(["immediate", "delayed", "cancelled", "refused"], outcomes);
    }

    [Fact]
    public void Calls_made_when_their_reservations_say_stay_within_the_bucket_bound_whatever_is_cancelled()
    {
        Gen<(int PermitLimit, (long Step, int Op, int Permits, int MaxDelayMs)[] Ops)> cases = Gen.Select(
            Gen.Int[1, 8],
            Gen.Select(Gen.Long[0, 3_000_000], Gen.Int[0, 3], Gen.Int[1, 8], Gen.Int[0, 3_000]).Array[20, 300]);

        cases.Sample(
            input =>
            {
                var time = new FakeTimeProvider();
                using var limit = new RateLimitStrategy("bound", new RateLimitOptions { PermitLimit = input.PermitLimit, Window = Second }, time);
                var acts = new List<long>();
                var pending = new List<(RateLimitReservation Reservation, long ActAt, int Permits)>();
                long now = 0;
                foreach ((long step, int op, int wanted, int maxDelayMs) in input.Ops)
                {
                    time.Advance(TimeSpan.FromTicks(step));
                    now += step;
                    int permits = Math.Min(wanted, input.PermitLimit);
                    switch (op)
                    {
                        case 0:
                            if (limit.TryAcquire())
                            {
                                acts.Add(now);
                            }

                            break;
                        case 1 when pending.Count > 0:
                            // Cancel the newest reservation not yet due (or one that is: it then gives nothing back).
                            (RateLimitReservation reservation, _, _) = pending[^1];
                            pending.RemoveAt(pending.Count - 1);
                            reservation.Cancel();
                            break;
                        default:
                            RateLimitReservation reserved = limit.Reserve(permits, TimeSpan.FromMilliseconds(maxDelayMs));
                            if (reserved.IsAcquired)
                            {
                                pending.Add((reserved, now + reserved.Delay.Ticks, permits));
                            }

                            break;
                    }
                }

                foreach ((_, long actAt, int permits) in pending)
                {
                    acts.AddRange(Enumerable.Repeat(actAt, permits));
                }

                // Every span [a, b] holds at most b + r·(b − a + 1 tick) calls: a delay is rounded up to a whole tick, so two
                // reservations' calls can be one tick less apart than the tokens they wait for.
                long[] sorted = acts.Order().ToArray();
                for (int i = 0; i < sorted.Length; i++)
                {
                    for (int j = i; j < sorted.Length; j++)
                    {
                        Int128 calls = (Int128)(j - i + 1) * Second.Ticks;
                        Int128 allowed = ((Int128)input.PermitLimit * Second.Ticks) + ((Int128)(sorted[j] - sorted[i] + 1) * input.PermitLimit);
                        Assert.True(calls <= allowed, $"{j - i + 1} calls in [{sorted[i]}, {sorted[j]}]");
                    }
                }
            },
            seed: "0000Z4RcUNP1",
            iter: 300,
            threads: 1);
    }

    [Fact]
    public void Concurrent_reservations_cancellations_and_acquires_never_lose_or_duplicate_a_permit()
    {
        var time = new FakeTimeProvider();
        const int PermitLimit = 20;
        using var limit = new RateLimitStrategy("stress", new RateLimitOptions { PermitLimit = PermitLimit, Window = Second }, time);
        long used = 0;
        const int Threads = 4;
        const int Iterations = 5_000;
        using var start = new Barrier(Threads + 1);
        var workers = new Thread[Threads];
        for (int t = 0; t < Threads; t++)
        {
            int seed = t;
            workers[t] = new Thread(() =>
            {
                var random = new Random(seed);
                start.SignalAndWait();
                for (int i = 0; i < Iterations; i++)
                {
                    switch (random.Next(3))
                    {
                        case 0:
                            RateLimitReservation reservation = limit.Reserve(1 + random.Next(3), TimeSpan.FromMilliseconds(random.Next(400)));
                            if (reservation.IsAcquired && random.Next(2) == 0)
                            {
                                // Cancelled twice, as two owners of a copy might.
                                RateLimitReservation copy = reservation;
                                reservation.Cancel();
                                copy.Cancel();
                            }

                            break;
                        case 1:
                            if (limit.TryAcquire())
                            {
                                Interlocked.Increment(ref used);
                            }

                            break;
                        default:
                            limit.Reserve().Cancel();
                            break;
                    }
                }
            });
            workers[t].Start();
        }

        start.SignalAndWait();
        for (int step = 0; step < 2_000 && workers.Any(w => w.IsAlive); step++)
        {
            time.Advance(TimeSpan.FromMilliseconds(5));
            Thread.Yield();
        }

        foreach (Thread worker in workers)
        {
            Assert.True(worker.Join(TimeSpan.FromSeconds(60)));
        }

        // Whatever happened, once every debt is repaid the bucket is exactly full: nothing leaked, nothing was minted.
        time.Advance(TimeSpan.FromHours(1));
        Assert.Equal(PermitLimit, TakeAll(limit));
        Assert.True(used > 0);
    }

    [Fact]
    public void Keyed_limits_reserve_per_key()
    {
        var time = new FakeTimeProvider();
        using var keyed = new KeyedRateLimitStrategy<string>("keyed", new RateLimitOptions { PermitLimit = 2, Window = Second }, time);

        Assert.Equal(TimeSpan.Zero, keyed.Reserve("a", 2, TimeSpan.Zero).Delay);
        RateLimitReservation later = keyed.Reserve("a", 1, TimeSpan.MaxValue);
        Assert.Equal(TimeSpan.FromMilliseconds(500), later.Delay);
        Assert.Equal(TimeSpan.Zero, keyed.Reserve("b", 2, TimeSpan.Zero).Delay);

        later.Cancel();
        time.Advance(TimeSpan.FromMilliseconds(500));
        Assert.True(keyed.TryAcquire("a"));
        Assert.False(keyed.TryAcquire("a"));

        Assert.Equal("permits", Assert.Throws<ArgumentOutOfRangeException>(() => keyed.Reserve("a", 3, TimeSpan.Zero)).ParamName);
        keyed.Dispose();
        Assert.Throws<ObjectDisposedException>(() => keyed.Reserve("a", 1, TimeSpan.Zero));
    }

    private static RateLimitStrategy Bucket(int permitLimit, out FakeTimeProvider time)
    {
        time = new FakeTimeProvider();
        return new RateLimitStrategy("bucket", new RateLimitOptions { PermitLimit = permitLimit, Window = Second }, time);
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
