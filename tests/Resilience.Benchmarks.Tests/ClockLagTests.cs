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

        Assert.Equal(13, rows.Count);
        Assert.All(rows, row => Assert.True(row.MinNs > 0 && row.MinNs <= row.MedianNs, row.Name));
        Assert.Contains("TimeoutBreakerRetry.Generated", InterleavedRun.Format(rows), StringComparison.Ordinal);
    }
}
