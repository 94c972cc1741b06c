using BenchmarkDotNet.Running;
using Resilience.Benchmarks.Charts;

namespace Resilience.Benchmarks;

/// <summary>
/// Entry point: <c>dotnet run -c Release --project benchmarks/Resilience.Benchmarks -- --filter '*' --job short</c> runs
/// benchmarks; <c>... -- chart RESULTS_DIR OUT.svg [CAPTION]</c> draws the comparison chart from their CSV reports;
/// <c>... -- clock-lag [SECONDS]</c> measures how far the coarse clock trails the exact one; <c>... -- interleaved [ROUNDS] [ROW]</c>
/// measures the timeout's share of the generated stack in turns (for a busy machine); <c>... -- interleaved-generator
/// [ROUNDS]</c> times the generator's keystroke and the trivial generator's in turns (the IDE target's ratio).
/// </summary>
public static class Program
{
    /// <summary>Runs the benchmarks chosen on the command line (BenchmarkDotNet switcher), or draws the chart.</summary>
    public static int Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "chart")
        {
            if (args.Length is < 3 or > 4)
            {
                Console.Error.WriteLine("usage: chart RESULTS_DIR OUT.svg [CAPTION]  (RESULTS_DIR is BenchmarkDotNet.Artifacts/results)");
                return 2;
            }

            IReadOnlyList<VersusChart.Scenario> scenarios = VersusChart.Read(args[1]);
            File.WriteAllText(args[2], VersusChart.Render(scenarios, args.Length == 4 ? args[3] : "BenchmarkDotNet, mean of one run"));
            Console.WriteLine($"{args[2]}: {scenarios.Count} scenarios");
            return 0;
        }

        if (args.Length > 0 && args[0] == "clock-lag")
        {
            double seconds = args.Length > 1 ? double.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 3;
            Console.Write(Runtime.ClockLag.Format(Runtime.ClockLag.Measure(TimeSpan.FromSeconds(seconds))));
            return 0;
        }

        if (args.Length > 0 && args[0] == "interleaved")
        {
            int rounds = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 21;
            Console.Write(Runtime.InterleavedRun.Format(Runtime.InterleavedRun.Run(rounds, 100_000, args.Length > 2 ? args[2] : null)));
            return 0;
        }

        if (args.Length > 0 && args[0] == "interleaved-generator")
        {
            int rounds = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 25;
            Console.Write(Generator.InterleavedKeystrokes.Format(Generator.InterleavedKeystrokes.Run(rounds)));
            return 0;
        }

        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
        return 0;
    }
}
