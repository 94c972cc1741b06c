namespace Resilience.Runtime.Tests.Timeout;

/// <summary>
/// Timeouts on clocks whose timestamp frequency is not <see cref="TimeSpan.TicksPerSecond"/>. On FakeTimeProvider one
/// timestamp unit is one TimeSpan tick, so a conversion that multiplies where it should divide, or forgets to round up,
/// gives the same numbers there and is only caught on a clock like these.
/// </summary>
public sealed class TimeoutOddFrequencyTests
{
    public static TheoryData<long, long, long> Conversions => new()
    {
        // frequency (Hz), timeout (TimeSpan ticks), expected timestamp units: the timeout rounded up to whole units
        { 1_000, 15_000, 2 },                               // 1.5 ms on a millisecond counter: 2 units, never 1
        { 1_000, 1_000_000, 100 },                          // 100 ms
        { 1_193_182, 1_000_000, 119_319 },                  // 100 ms = 119 318.2 units
        { 1_000_000_000, 1_000_000, 100_000_000 },          // 100 ms in nanoseconds
        { 1_000_000_000, 1, 100 },                          // one TimeSpan tick = 100 ns
        { 3, 10_000_000, 3 },                               // 1 s on a 3 Hz counter
        { 3, 10_000_001, 4 },                               // a tick more: a whole unit more
        { 1_000_000_000, TimeSpan.TicksPerMillisecond * int.MaxValue, 2_147_483_647_000_000 }, // the longest timeout
    };

    public static TheoryData<long, long> Clocks => new()
    {
        { 1_000, 15_000 },
        { 1_000, 1_000_000 },
        { 1_193_182, 1_000_000 },
        { 1_193_182, 7 },
        { 1_000_000_000, 1_000_000 },
        { 3, 10_000_001 },
    };

    [Theory]
    [MemberData(nameof(Conversions))]
    public void The_timeout_is_converted_to_timestamp_units_rounding_up(long frequency, long timeoutTicks, long expectedUnits)
    {
        var timeout = new TimeoutStrategy("t", TimeSpan.FromTicks(timeoutTicks), new OddFrequencyTimeProvider(frequency));

        Assert.Equal(expectedUnits, timeout.TimeoutTimestampTicks);
    }

    [Theory]
    [MemberData(nameof(Conversions))]
    public void A_reloaded_timeout_is_converted_on_the_same_clock(long frequency, long timeoutTicks, long expectedUnits)
    {
        var timeout = new TimeoutStrategy("t", TimeSpan.FromDays(1), new OddFrequencyTimeProvider(frequency));

        timeout.Reconfigure(TimeSpan.FromTicks(timeoutTicks));

        Assert.Equal(expectedUnits, timeout.TimeoutTimestampTicks);
        Assert.Equal(TimeSpan.FromTicks(timeoutTicks), timeout.Timeout);
    }

    [Theory]
    [MemberData(nameof(Clocks))]
    public void A_scope_expires_once_the_counter_has_moved_by_the_timeout_and_not_before(long frequency, long timeoutTicks)
    {
        var clock = new OddFrequencyTimeProvider(frequency);
        var limit = TimeSpan.FromTicks(timeoutTicks);
        var timeout = new TimeoutStrategy("t", limit, clock);
        long units = timeout.TimeoutTimestampTicks;

        using TimeoutScope scope = timeout.Start(CancellationToken.None);

        // Neither before the timeout nor before the counter reaches the deadline (later when the timeout is not a whole
        // number of units).
        TimeSpan notYet = Max(limit, clock.Units(units)) - TimeSpan.FromTicks(1);
        clock.AdvanceTo(notYet);
        Assert.False(scope.Token.IsCancellationRequested, $"expired at {clock.Elapsed.Ticks} ticks, before {notYet.Ticks + 1}");
        Assert.False(scope.IsExpired);

        // At the latest one unit later: the timer may wake up a fraction of a unit early and then waits once more.
        clock.AdvanceTo(clock.Units(units + 1));
        Assert.True(scope.Token.IsCancellationRequested, $"not expired at {clock.Elapsed.Ticks} ticks");
        Assert.True(scope.IsExpired);
    }

    [Theory]
    [MemberData(nameof(Clocks))]
    public void A_reused_source_whose_timer_wakes_for_an_ended_use_waits_for_the_rest_of_the_next_use(long frequency, long timeoutTicks)
    {
        var clock = new OddFrequencyTimeProvider(frequency);
        var limit = TimeSpan.FromTicks(timeoutTicks);
        var timeout = new TimeoutStrategy("t", limit, clock);
        long units = timeout.TimeoutTimestampTicks;

        // The first use ends early and leaves its timer running, due at the first deadline.
        TimeoutScope first = timeout.Start(CancellationToken.None);
        first.Dispose();

        // The second use starts a little later (whole units, so the counter is exactly at a unit boundary), reusing
        // the source; the timer wakes up at the first deadline, which is too early for it.
        long offsetUnits = Math.Max(1, units / 2);
        clock.AdvanceTo(clock.Units(offsetUnits));
        TimeSpan started = clock.Elapsed;
        long startedAt = clock.GetTimestamp();
        using TimeoutScope second = timeout.Start(CancellationToken.None);

        TimeSpan notYet = Max(started + limit, clock.Units(startedAt - OddFrequencyTimeProvider.TimestampOrigin + units)) - TimeSpan.FromTicks(1);
        clock.AdvanceTo(notYet);
        Assert.False(second.Token.IsCancellationRequested, $"expired at {clock.Elapsed.Ticks} ticks, before {notYet.Ticks + 1}");

        clock.AdvanceTo(clock.Units(startedAt - OddFrequencyTimeProvider.TimestampOrigin + units + 1));
        Assert.True(second.Token.IsCancellationRequested, $"not expired at {clock.Elapsed.Ticks} ticks");
        Assert.True(second.IsExpired);
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
}
