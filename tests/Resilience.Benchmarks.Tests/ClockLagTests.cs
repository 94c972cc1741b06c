using Resilience.Benchmarks.Runtime;

namespace Resilience.Benchmarks.Tests;

/// <summary>The <c>-- clock-lag</c> probe runs and reports what it saw (no platform's clock behaviour is asserted).</summary>
public sealed class ClockLagTests
{
    [Fact]
    public void The_probe_takes_samples_and_prints_its_range()
    {
        ClockLag.Result result = ClockLag.Measure(TimeSpan.FromMilliseconds(50));

        Assert.True(result.Samples > 0);
        Assert.True(result.MinLagMs <= result.MaxLagMs);
        Assert.All(result.Steps, step => Assert.True(step.Key > 0 && step.Value > 0));
        Assert.StartsWith($"{result.Samples} samples; Stopwatch - TickCount64: ", ClockLag.Format(result), StringComparison.Ordinal);
    }
}

/// <summary>The <c>-- interleaved</c> runner runs every row (no timing is asserted).</summary>
public sealed class InterleavedRunTests
{
    [Fact]
    public void Every_row_runs_and_is_reported()
    {
        IReadOnlyList<InterleavedRun.Row> rows = InterleavedRun.Run(rounds: 2, callsPerRound: 100);

        Assert.Equal(18, rows.Count);
        Assert.Equal(rows.Count, rows.Select(row => row.Name).Distinct().Count());
        Assert.All(rows, row => Assert.True(row.MinNs > 0 && row.MinNs <= row.MedianNs, row.Name));
        Assert.Contains("TimeoutBreakerRetry.Generated", InterleavedRun.Format(rows), StringComparison.Ordinal);
        Assert.Contains("FullStack.RateLimitAlone", InterleavedRun.Format(rows), StringComparison.Ordinal);
    }

    [Fact]
    public void A_row_name_selects_the_rows_that_contain_it()
    {
        IReadOnlyList<InterleavedRun.Row> rows = InterleavedRun.Run(rounds: 2, callsPerRound: 100, only: "FullStack.");

        Assert.Equal(
            ["FullStack.Generated", "FullStack.PollyV8", "FullStack.AsyncShell", "FullStack.RateLimitAlone", "FullStack.BulkheadAlone", "FullStack.TimeoutAlone"],
            rows.Select(row => row.Name));
    }
}

/// <summary>The <c>-- interleaved-generator</c> runner: its report's medians (no timing is asserted).</summary>
public sealed class InterleavedKeystrokesTests
{
    [Fact]
    public void The_ratio_is_the_median_of_the_rounds_ratios_not_the_ratio_of_the_medians()
    {
        // Body keystroke, ratios per round: 1.5, 3.0, 1.6. Medians: real 300 ms, trivial 200 ms (ratio 1.5); median of
        // the ratios 1.6. Declaration keystroke: 2.0, 1.0, 1.67; medians 300 and 200 ms (1.5), median of the ratios 1.67.
        Generator.InterleavedKeystrokes.Round[] rounds =
        [
            new(Ms(300), Ms(200), Ms(400), Ms(200)),
            new(Ms(300), Ms(100), Ms(250), Ms(250)),
            new(Ms(400), Ms(250), Ms(300), Ms(180)),
        ];

        string report = Generator.InterleavedKeystrokes.Format(rounds);

        Assert.Contains("IncrementalRun                     median    300.0 ms", report, StringComparison.Ordinal);
        Assert.Contains("TrivialIncrementalRun              median    200.0 ms", report, StringComparison.Ordinal);
        Assert.Contains("\nratio (median of 3 rounds) 1.60", report, StringComparison.Ordinal);
        Assert.Contains("IncrementalDeclarationRun          median    300.0 ms", report, StringComparison.Ordinal);
        Assert.Contains("TrivialIncrementalDeclarationRun   median    200.0 ms", report, StringComparison.Ordinal);
        Assert.Contains("declaration ratio (median of 3 rounds) 1.67", report, StringComparison.Ordinal);
    }

    private static TimeSpan Ms(int milliseconds) => TimeSpan.FromMilliseconds(milliseconds);

    [Fact]
    public void Zero_rounds_is_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Generator.InterleavedKeystrokes.Run(0));
    }
}
