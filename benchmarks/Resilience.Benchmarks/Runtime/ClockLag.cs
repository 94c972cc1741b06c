using System.Diagnostics;
using System.Globalization;

namespace Resilience.Benchmarks.Runtime;

/// <summary>
/// How far <see cref="Environment.TickCount64"/> (the coarse millisecond clock) trails <see cref="Stopwatch.GetTimestamp"/>
/// on this machine, and the steps it advances in (<c>-- clock-lag [SECONDS]</c>). A timeout measured with the coarse clock
/// would need that lag as a margin to never fire early; see docs/benchmarks.md, "Timeout start: floor and changes".
/// </summary>
public static class ClockLag
{
    /// <summary>What one probe saw.</summary>
    /// <param name="Samples">Coarse readings bracketed by two exact readings less than 10 µs apart.</param>
    /// <param name="MinLagMs">The smallest exact − coarse difference seen, in milliseconds.</param>
    /// <param name="MaxLagMs">The largest one (an exact reading taken before the coarse one, so never overstated).</param>
    /// <param name="Steps">How often the coarse clock moved by each number of milliseconds between two samples.</param>
    public sealed record Result(long Samples, double MinLagMs, double MaxLagMs, IReadOnlyDictionary<long, int> Steps);

    /// <summary>Reads both clocks back to back for <paramref name="duration"/>.</summary>
    public static Result Measure(TimeSpan duration)
    {
        var steps = new SortedDictionary<long, int>();
        double minLag = double.MaxValue;
        double maxLag = double.MinValue;
        long samples = 0;
        long closeEnough = Math.Max(1, Stopwatch.Frequency / 100_000); // 10 µs
        double unitsPerMs = Stopwatch.Frequency / 1000.0;
        long last = Environment.TickCount64;
        long end = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        while (true)
        {
            long before = Stopwatch.GetTimestamp();
            long coarse = Environment.TickCount64;
            long after = Stopwatch.GetTimestamp();
            if (after >= end)
            {
                break;
            }

            if (after - before > closeEnough)
            {
                continue; // descheduled between the reads: the pair says nothing
            }

            // The exact time of the coarse read lies in [before, after]; `before` gives a lag that is never too large.
            double lag = (before / unitsPerMs) - coarse;
            minLag = Math.Min(minLag, lag);
            maxLag = Math.Max(maxLag, lag);
            samples++;
            if (coarse != last)
            {
                steps[coarse - last] = steps.GetValueOrDefault(coarse - last) + 1;
                last = coarse;
            }
        }

        return new Result(samples, minLag, maxLag, steps);
    }

    /// <summary>The result as the lines <c>-- clock-lag</c> prints.</summary>
    public static string Format(Result result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var text = new System.Text.StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"{result.Samples} samples; Stopwatch - TickCount64: {result.MinLagMs:F3} to {result.MaxLagMs:F3} ms").AppendLine();
        foreach ((long step, int count) in result.Steps)
        {
            text.Append(CultureInfo.InvariantCulture, $"TickCount64 moved by {step} ms: {count} times").AppendLine();
        }

        return text.ToString();
    }
}
