using System.Reflection;

namespace Resilience.Runtime.Tests.CircuitBreaker;

/// <summary>
/// The internal <see cref="RollingCounts"/> driven directly, on a clock of <see cref="TimeSpan.TicksPerSecond"/> units:
/// bucket length clamps, period tags, full counts, retired successes, streaks, timestamps before the origin, and the
/// words <see cref="RollingCounts.Clear"/> and a bucket move leave behind. <see cref="RollingCounts.TryAddSuccess"/>
/// returning <see langword="true"/> or <see langword="false"/> is observable here (which path a success takes).
/// </summary>
public sealed class RollingCountsMutationTests
{
    private const long Frequency = TimeSpan.TicksPerSecond;

    // Generation 5 in the closed state: a non-zero tag.
    private const long Period = 5 << 2;

    // Ten clock units: buckets of one unit each.
    private static RollingCounts Unit(long period = Period, long origin = 0)
        => new(TimeSpan.FromTicks(RollingCounts.BucketCount), Frequency, origin, period);

    [Fact]
    public void A_window_shorter_than_the_bucket_count_gets_buckets_of_one_unit()
    {
        var counts = new RollingCounts(TimeSpan.FromTicks(5), Frequency, 0, Period);

        counts.AddFailure(0, timeout: false);

        Assert.Equal(1, counts.Snapshot(9).Failures);
        Assert.Equal(0, counts.Snapshot(10).Failures);
    }

    [Fact]
    public void An_enormous_window_is_clamped_without_overflow()
    {
        var counts = new RollingCounts(TimeSpan.MaxValue, Frequency * 1000, 0, Period);
        const long Bucket = long.MaxValue / 4;

        counts.AddFailure(3 * Bucket, timeout: true);

        // The failure sits in the fourth bucket: a snapshot as of the first one does not see it, one as of the last does.
        Assert.Equal(0, counts.Snapshot(0).Failures);
        CircuitCounts later = counts.Snapshot(long.MaxValue);
        Assert.Equal(1, later.Failures);
        Assert.Equal(1, later.Timeouts);
        Assert.True(counts.TryAddSuccess(Period, 3 * Bucket));
        Assert.Equal(1, counts.Snapshot(long.MaxValue).Successes);
    }

    [Fact]
    public void A_fresh_instance_counts_successes_of_its_period_lock_free()
    {
        var counts = Unit();

        // Every bucket starts at epoch 0, so only bucket 0 is in place; bucket 4 needs the locked path once.
        Assert.True(counts.TryAddSuccess(Period, 0));
        Assert.False(counts.TryAddSuccess(Period, 4));
        counts.AddSuccess(4);
        Assert.True(counts.TryAddSuccess(Period, 4));
        Assert.Equal(3, counts.Snapshot(4).Successes);
    }

    [Fact]
    public void Generation_zero_counts_lock_free_in_bucket_zero()
    {
        var counts = Unit(period: 0);

        Assert.True(counts.TryAddSuccess(0, 0));
        Assert.Equal(1, counts.Snapshot(0).Successes);
    }

    [Theory]
    [InlineData(4L << 2)]          // the generation before
    [InlineData(6L << 2)]          // the generation after
    [InlineData((5L + (1L << 14)) << 2)] // differs only in the generation's bits 14 and up (within the 16-bit tag)
    public void A_success_of_another_period_fails_its_lock_free_add(long other)
    {
        var counts = Unit();

        Assert.False(counts.TryAddSuccess(other, 0));
        Assert.Equal(0, counts.Snapshot(0).Successes);
    }

    [Fact]
    public void After_a_retag_only_the_new_period_counts_lock_free()
    {
        var counts = Unit();
        const long Next = 6 << 2;

        counts.Retag(Next);

        Assert.False(counts.TryAddSuccess(Period, 0));
        Assert.True(counts.TryAddSuccess(Next, 0));
        Assert.Equal(1, counts.Snapshot(0).Successes);
    }

    [Fact]
    public void A_full_count_spills_into_the_locked_count_with_exact_totals()
    {
        var counts = Unit();
        for (int i = 0; i < ushort.MaxValue; i++)
        {
            Assert.True(counts.TryAddSuccess(Period, 0));
        }

        Assert.False(counts.TryAddSuccess(Period, 0));
        counts.AddSuccess(0);
        Assert.True(counts.TryAddSuccess(Period, 0));

        CircuitCounts snapshot = counts.Snapshot(0);
        Assert.Equal(ushort.MaxValue + 2, snapshot.Successes);
        Assert.Equal(ushort.MaxValue + 2, snapshot.ConsecutiveSuccesses);
    }

    [Fact]
    public void A_spilled_bucket_that_leaves_the_window_keeps_its_successes_in_the_streak()
    {
        var counts = Unit();
        for (int i = 0; i < ushort.MaxValue; i++)
        {
            Assert.True(counts.TryAddSuccess(Period, 0));
        }

        counts.AddSuccess(0);                 // spills: 65 535 locked + 1 in the word
        counts.AddSuccess(10);                // same slot, next round: the bucket retires

        CircuitCounts snapshot = counts.Snapshot(10);
        Assert.Equal(1, snapshot.Successes);
        Assert.Equal(ushort.MaxValue + 2, snapshot.ConsecutiveSuccesses);
    }

    [Fact]
    public void A_success_for_a_bucket_that_left_the_window_is_counted_in_the_streak_only()
    {
        var counts = Unit();
        counts.AddFailure(10, timeout: false); // slot 0 now counts epoch 10

        counts.AddSuccess(0);                  // epoch 0: too old for slot 0

        CircuitCounts snapshot = counts.Snapshot(10);
        Assert.Equal(0, snapshot.Successes);
        Assert.Equal(1, snapshot.Failures);
        Assert.Equal(1, snapshot.ConsecutiveSuccesses);
        Assert.Equal(0, snapshot.ConsecutiveFailures);
    }

    [Fact]
    public void A_bucket_ahead_of_the_snapshot_is_not_counted()
    {
        var counts = Unit();

        counts.AddFailure(15, timeout: false);

        Assert.Equal(0, counts.Snapshot(5).Failures);
        Assert.Equal(1, counts.Snapshot(15).Failures);
    }

    [Fact]
    public void A_timestamp_before_the_origin_counts_in_the_first_bucket()
    {
        var counts = Unit(origin: 100);

        counts.AddFailure(95, timeout: false);
        counts.AddFailure(50, timeout: true);

        CircuitCounts snapshot = counts.Snapshot(100);
        Assert.Equal(2, snapshot.Failures);
        Assert.Equal(1, snapshot.Timeouts);
        Assert.True(counts.TryAddSuccess(Period, 90));
        Assert.Equal(1, counts.Snapshot(100).Successes);
    }

    [Fact]
    public void The_streaks_right_after_a_failure_ignore_a_later_lock_free_success()
    {
        var counts = Unit();
        counts.AddFailure(1, timeout: false);
        Assert.True(counts.TryAddSuccess(Period, 1));

        CircuitCounts afterFailure = counts.Snapshot(1, afterFailure: true);
        Assert.Equal(1, afterFailure.ConsecutiveFailures);
        Assert.Equal(0, afterFailure.ConsecutiveSuccesses);

        CircuitCounts now = counts.Snapshot(1);
        Assert.Equal(0, now.ConsecutiveFailures);
        Assert.Equal(1, now.ConsecutiveSuccesses);
    }

    [Fact]
    public void The_failure_run_saturates_at_int_MaxValue()
    {
        var counts = Unit();
        counts.AddFailure(0, timeout: false);

        // 2^31 failures take minutes; start the run just below the top instead.
        FieldInfo run = typeof(RollingCounts).GetField("_failureRun", BindingFlags.Instance | BindingFlags.NonPublic)!;
        run.SetValue(counts, int.MaxValue - 1);

        counts.AddFailure(0, timeout: false);
        Assert.Equal(int.MaxValue, counts.Snapshot(0).ConsecutiveFailures);
        counts.AddFailure(0, timeout: false);
        Assert.Equal(int.MaxValue, counts.Snapshot(0).ConsecutiveFailures);
    }

    [Fact]
    public void The_success_streak_saturates_at_int_MaxValue()
    {
        var counts = Unit();

        // 2^31 successes take minutes; start the retired total just below the top instead.
        FieldInfo retired = typeof(RollingCounts).GetField("_retiredSuccesses", BindingFlags.Instance | BindingFlags.NonPublic)!;
        retired.SetValue(counts, (long)int.MaxValue - 1);

        counts.AddSuccess(0);
        Assert.Equal(int.MaxValue, counts.Snapshot(0).ConsecutiveSuccesses);
        counts.AddSuccess(0);
        counts.AddSuccess(0);
        Assert.Equal(int.MaxValue, counts.Snapshot(0).ConsecutiveSuccesses);
        Assert.Equal(0, counts.Snapshot(0).ConsecutiveFailures);
    }

    [Fact]
    public void After_a_clear_lock_free_successes_land_in_the_bucket_in_place()
    {
        var counts = Unit();
        counts.AddFailure(3, timeout: false);  // slot 3 at epoch 3
        Assert.True(counts.TryAddSuccess(Period, 3));

        counts.Clear();

        Assert.Equal(default(CircuitCounts), counts.Snapshot(3));
        Assert.True(counts.TryAddSuccess(Period, 3));
        counts.AddFailure(3, timeout: false);  // same epoch: must not retire the success just counted

        CircuitCounts snapshot = counts.Snapshot(3);
        Assert.Equal(1, snapshot.Successes);
        Assert.Equal(1, snapshot.Failures);
        Assert.Equal(2, snapshot.Requests);
    }

    [Fact]
    public void A_moved_bucket_counts_lock_free_successes_of_the_current_period()
    {
        var counts = Unit();

        counts.AddFailure(3, timeout: false);  // moves slot 3 from epoch 0 to epoch 3
        counts.AddFailure(13, timeout: false); // and on to epoch 13

        Assert.True(counts.TryAddSuccess(Period, 13));
        Assert.False(counts.TryAddSuccess(Period, 3));
        CircuitCounts snapshot = counts.Snapshot(13);
        Assert.Equal(1, snapshot.Successes);
        Assert.Equal(1, snapshot.Failures);
    }
}
