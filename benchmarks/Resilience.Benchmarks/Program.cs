using BenchmarkDotNet.Running;

namespace Resilience.Benchmarks;

/// <summary>Entry point: <c>dotnet run -c Release --project benchmarks/Resilience.Benchmarks -- --filter '*' --job short</c>.</summary>
public static class Program
{
    /// <summary>Runs the benchmarks chosen on the command line (BenchmarkDotNet switcher).</summary>
    public static void Main(string[] args) => BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
}
