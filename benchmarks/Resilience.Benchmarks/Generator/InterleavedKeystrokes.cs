using System.Diagnostics;
using System.Globalization;

namespace Resilience.Benchmarks.Generator;

/// <summary>
/// The IDE target's two rows (<see cref="GeneratorBenchmarks.IncrementalRun"/> against
/// <see cref="GeneratorBenchmarks.TrivialIncrementalRun"/>), and the same two for a keystroke in a declaration, in
/// turns, in one process: a round runs one keystroke of each (which one of a pair goes first alternates from round to
/// round), each after a full blocking collection (as
/// BenchmarkDotNet forces one before each iteration). On a host whose speed drifts between runs, BenchmarkDotNet's
/// one-class-after-the-other order moves the ratio; turns keep both rows under the same conditions, and the median of
/// the per-round ratios is the number to read.
/// </summary>
public static class InterleavedKeystrokes
{
    /// <summary>One round's timings.</summary>
    /// <param name="Real">The generator's keystroke in a method body.</param>
    /// <param name="Trivial">The trivial generator's keystroke in a method body.</param>
    /// <param name="RealDeclaration">The generator's keystroke in a declaration (an attribute argument).</param>
    /// <param name="TrivialDeclaration">The trivial generator's keystroke in a declaration.</param>
    public readonly record struct Round(TimeSpan Real, TimeSpan Trivial, TimeSpan RealDeclaration, TimeSpan TrivialDeclaration);

    /// <summary>Builds the synthetic project, warms both drivers up, then runs <paramref name="rounds"/> rounds.</summary>
    /// <param name="rounds">How many rounds to time; at least 1.</param>
    public static IReadOnlyList<Round> Run(int rounds)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(rounds, 1);
        var benchmarks = new GeneratorBenchmarks();
        benchmarks.Setup();
        for (int warmUp = 0; warmUp < 3; warmUp++)
        {
            benchmarks.IncrementalRun();
            benchmarks.TrivialIncrementalRun();
            benchmarks.IncrementalDeclarationRun();
            benchmarks.TrivialIncrementalDeclarationRun();
        }

        var results = new List<Round>(rounds);
        for (int round = 0; round < rounds; round++)
        {
            // The order alternates, so that neither row always runs right after the other's garbage.
            bool realFirst = round % 2 == 0;
            (TimeSpan real, TimeSpan trivial) = Pair(benchmarks.IncrementalRun, benchmarks.TrivialIncrementalRun, realFirst);
            (TimeSpan realDeclaration, TimeSpan trivialDeclaration) =
                Pair(benchmarks.IncrementalDeclarationRun, benchmarks.TrivialIncrementalDeclarationRun, realFirst);
            results.Add(new Round(real, trivial, realDeclaration, trivialDeclaration));
        }

        return results;
    }

    /// <summary>Medians of both rows and of the per-round ratio, one line each.</summary>
    /// <param name="rounds">The rounds <see cref="Run"/> returned.</param>
    public static string Format(IReadOnlyList<Round> rounds)
    {
        double real = Median(rounds.Select(r => r.Real.TotalMilliseconds));
        double trivial = Median(rounds.Select(r => r.Trivial.TotalMilliseconds));
        double ratio = Median(rounds.Select(r => r.Real / r.Trivial));
        double realDeclaration = Median(rounds.Select(r => r.RealDeclaration.TotalMilliseconds));
        double trivialDeclaration = Median(rounds.Select(r => r.TrivialDeclaration.TotalMilliseconds));
        double declarationRatio = Median(rounds.Select(r => r.RealDeclaration / r.TrivialDeclaration));
        return string.Create(
            CultureInfo.InvariantCulture,
            $"IncrementalRun                     median {real,8:F1} ms{Environment.NewLine}" +
            $"TrivialIncrementalRun              median {trivial,8:F1} ms{Environment.NewLine}" +
            $"ratio (median of {rounds.Count} rounds) {ratio:F2}{Environment.NewLine}" +
            $"IncrementalDeclarationRun          median {realDeclaration,8:F1} ms{Environment.NewLine}" +
            $"TrivialIncrementalDeclarationRun   median {trivialDeclaration,8:F1} ms{Environment.NewLine}" +
            $"declaration ratio (median of {rounds.Count} rounds) {declarationRatio:F2}{Environment.NewLine}");
    }

    /// <summary>Times both keystrokes, <paramref name="real"/> first when <paramref name="realFirst"/>.</summary>
    private static (TimeSpan Real, TimeSpan Trivial) Pair(Func<object> real, Func<object> trivial, bool realFirst)
    {
        if (realFirst)
        {
            TimeSpan first = Time(real);
            return (first, Time(trivial));
        }

        TimeSpan before = Time(trivial);
        return (Time(real), before);
    }

    private static TimeSpan Time(Func<object> keystroke)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        long start = Stopwatch.GetTimestamp();
        keystroke();
        return Stopwatch.GetElapsedTime(start);
    }

    private static double Median(IEnumerable<double> values)
    {
        double[] sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
