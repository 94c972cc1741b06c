using System.Diagnostics;
using System.Globalization;

namespace Resilience.Benchmarks.Runtime;

/// <summary>
/// The timeout's share of the generated stack, measured on a busy machine (<c>-- interleaved [ROUNDS]</c>): the rows of
/// <see cref="TimeoutStartBenchmarks"/>, <see cref="RetryBreakerBenchmarks"/>, <see cref="TimeoutBreakerRetryBenchmarks"/>
/// and <see cref="FullStackBenchmarks"/> run in turns, each round in a rotated order, and each row reports the fastest
/// and the median round. Other processes slow some rounds down; the fastest round of each row is the one they disturbed
/// least, and because the rows take turns, no row is measured only while the machine was quiet or only while it was busy.
/// Not a replacement for BenchmarkDotNet on a quiet machine.
/// </summary>
public static class InterleavedRun
{
    /// <summary>One row's fastest and median round, in nanoseconds per call.</summary>
    /// <param name="Name">Class and method.</param>
    /// <param name="MinNs">The fastest round.</param>
    /// <param name="MedianNs">The median round.</param>
    public sealed record Row(string Name, double MinNs, double MedianNs);

    /// <summary>Runs <paramref name="rounds"/> rounds of <paramref name="callsPerRound"/> calls per row.</summary>
    /// <param name="rounds">Rounds per row.</param>
    /// <param name="callsPerRound">Calls per row and round.</param>
    /// <param name="only">When given, only the rows whose name contains it (to profile one row).</param>
    public static IReadOnlyList<Row> Run(int rounds, int callsPerRound, string? only = null)
    {
        var retryBreaker = new RetryBreakerBenchmarks();
        var timeoutBreakerRetry = new TimeoutBreakerRetryBenchmarks();
        var fullStack = new FullStackBenchmarks();
        var start = new TimeoutStartBenchmarks();
        retryBreaker.Setup();
        timeoutBreakerRetry.Setup();
        fullStack.Setup();
        start.Setup();
        try
        {
            var rows = new (string Name, Func<long> Call)[]
            {
                ("RetryBreaker.Direct", () => retryBreaker.Direct().Result),
                ("RetryBreaker.Generated", () => retryBreaker.Generated().Result),
                ("RetryBreaker.PollyV8", () => retryBreaker.PollyV8().Result),
                ("TimeoutBreakerRetry.Generated", () => timeoutBreakerRetry.Generated().Result),
                ("TimeoutBreakerRetry.PollyV8", () => timeoutBreakerRetry.PollyV8().Result),
                ("FullStack.Generated", () => fullStack.Generated().Result),
                ("FullStack.PollyV8", () => fullStack.PollyV8().Result),
                ("FullStack.AsyncShell", () => fullStack.AsyncShell().Result),
                ("FullStack.RateLimitAlone", () => fullStack.RateLimitAlone().Result),
                ("FullStack.BulkheadAlone", () => fullStack.BulkheadAlone().Result),
                ("FullStack.TimeoutAlone", () => fullStack.TimeoutAlone().Result),
                ("TimeoutStart.Strategy", () => start.Strategy() ? 1 : 0),
                ("TimeoutStart.StrategyNoCallerToken", () => start.StrategyNoCallerToken() ? 1 : 0),
                ("TimeoutStart.SystemProviderTimestamp", start.SystemProviderTimestamp),
                ("TimeoutStart.Floor", start.Floor),
                ("TimeoutStart.LinkCallerToken", () => start.LinkCallerToken() ? 1 : 0),
                ("TimeoutStart.TickCount64", start.TickCount64),
                ("TimeoutStart.PollyV8", () => start.PollyV8().Result),
            };

            if (only is not null)
            {
                rows = rows.Where(r => r.Name.Contains(only, StringComparison.Ordinal)).ToArray();
            }

            var times = rows.Select(_ => new List<double>()).ToArray();
            for (int warmup = 0; warmup < 3; warmup++)
            {
                foreach ((_, Func<long> call) in rows)
                {
                    Loop(call, callsPerRound);
                }
            }

            for (int round = 0; round < rounds; round++)
            {
                for (int k = 0; k < rows.Length; k++)
                {
                    int row = (k + round) % rows.Length;
                    long began = Stopwatch.GetTimestamp();
                    Loop(rows[row].Call, callsPerRound);
                    times[row].Add(Stopwatch.GetElapsedTime(began).TotalNanoseconds / callsPerRound);
                }
            }

            return rows.Select((r, k) =>
            {
                times[k].Sort();
                return new Row(r.Name, times[k][0], times[k][times[k].Count / 2]);
            }).ToArray();
        }
        finally
        {
            retryBreaker.Cleanup();
            timeoutBreakerRetry.Cleanup();
            fullStack.Cleanup();
            start.Cleanup();
        }
    }

    /// <summary>The rows as the lines <c>-- interleaved</c> prints.</summary>
    public static string Format(IReadOnlyList<Row> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var text = new System.Text.StringBuilder();
        foreach (Row row in rows)
        {
            text.Append(CultureInfo.InvariantCulture, $"{row.Name,-38} fastest {row.MinNs,8:F1} ns   median {row.MedianNs,8:F1} ns").AppendLine();
        }

        return text.ToString();
    }

    private static long Loop(Func<long> call, int calls)
    {
        long sum = 0;
        for (int i = 0; i < calls; i++)
        {
            sum += call();
        }

        return sum;
    }
}
