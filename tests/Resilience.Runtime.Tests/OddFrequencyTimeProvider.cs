using Microsoft.Extensions.Time.Testing;

namespace Resilience.Runtime.Tests;

/// <summary>
/// A test clock whose <see cref="GetTimestamp"/> runs at a chosen <see cref="TimestampFrequency"/> instead of
/// <see cref="TimeSpan.TicksPerSecond"/> (<see cref="FakeTimeProvider"/>'s), so code that converts between timestamps
/// and <see cref="TimeSpan"/>s is tested with a clock on which a wrong conversion shows. Wall-clock time and timers come
/// from an inner <see cref="FakeTimeProvider"/>, moved with <see cref="Advance"/>.
/// </summary>
/// <remarks>
/// A timestamp is the elapsed time since construction in units of 1/<see cref="TimestampFrequency"/> s, rounded down
/// (as a real counter reads), plus a large <see cref="TimestampOrigin"/> so that code that takes a timestamp for a
/// duration is caught. Real examples of such frequencies: 10^9 (Stopwatch on Linux), 1 193 182 (the PC timer chip),
/// 1 000 (a millisecond tick counter).
/// </remarks>
internal sealed class OddFrequencyTimeProvider : TimeProvider
{
    /// <summary>Timestamp at construction.</summary>
    public const long TimestampOrigin = 1_000_000_007;

    private readonly FakeTimeProvider _inner = new(new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly DateTimeOffset _start;
    private readonly long _frequency;

    public OddFrequencyTimeProvider(long frequency)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(frequency, 1);
        _frequency = frequency;
        _start = _inner.GetUtcNow();
    }

    public override long TimestampFrequency => _frequency;

    public override long GetTimestamp()
    {
        Int128 elapsedTicks = (_inner.GetUtcNow() - _start).Ticks;
        return TimestampOrigin + (long)(elapsedTicks * _frequency / TimeSpan.TicksPerSecond);
    }

    public override DateTimeOffset GetUtcNow() => _inner.GetUtcNow();

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        => _inner.CreateTimer(callback, state, dueTime, period);

    /// <summary>Time elapsed since construction.</summary>
    public TimeSpan Elapsed => _inner.GetUtcNow() - _start;

    /// <summary>Moves the clock forward and fires the timers that fall due.</summary>
    public void Advance(TimeSpan delta) => _inner.Advance(delta);

    /// <summary>Moves the clock to <paramref name="elapsed"/> after construction.</summary>
    public void AdvanceTo(TimeSpan elapsed) => _inner.Advance(elapsed - Elapsed);

    /// <summary>The time the counter needs to move by <paramref name="units"/> timestamp units, rounded up to a TimeSpan tick.</summary>
    public TimeSpan Units(long units) => TimeSpan.FromTicks((long)Math.Ceiling(units * (double)TimeSpan.TicksPerSecond / _frequency));
}
