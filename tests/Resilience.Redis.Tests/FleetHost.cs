using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Resilience.Redis.Tests;

/// <summary>
/// Starts members of a test fleet as separate OS processes (tests/Resilience.Redis.FleetHost, run with <c>dotnet</c>)
/// that share one Redis, and collects what each counted.
/// </summary>
internal static partial class FleetHost
{
    /// <summary>What one process counted between the shared start and end.</summary>
    internal readonly record struct Counts(int Admitted, int Rejected, long Fallbacks, int Late, int[] Buckets);

    /// <summary>
    /// The most calls the fleet admitted in any 1 s span that starts on a 100 ms boundary after the start, by completion
    /// time (a call is granted on the server before it completes, so a grant may be counted up to one round trip late).
    /// </summary>
    public static int MostInOneSecond(Counts[] counts)
    {
        int length = counts.Max(c => c.Buckets.Length);
        var fleet = new int[length];
        foreach (var c in counts)
        {
            for (var i = 0; i < c.Buckets.Length; i++)
            {
                fleet[i] += c.Buckets[i];
            }
        }

        var most = 0;
        for (var i = 0; i + 10 <= length; i++)
        {
            most = Math.Max(most, fleet.Skip(i).Take(10).Sum());
        }

        return most;
    }

    /// <summary>
    /// Runs <paramref name="processes"/> members calling the rate limit of <paramref name="scenario"/> (<c>tb</c>, <c>sw</c>,
    /// <c>fw</c>: 100 per second, fleet-wide) for <paramref name="duration"/> from a common start, and returns their counts.
    /// </summary>
    public static async Task<Counts[]> RunAsync(string redisConfiguration, string scenario, int leasePermits, int processes, TimeSpan duration)
    {
        string host = HostPath();
        // Enough for every process to start its runtime and connect before the common start, even on a busy machine.
        long start = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() + 4_000;
        var running = new List<(Process Process, Task<string> Output, Task<string> Errors)>();
        try
        {
            for (var i = 0; i < processes; i++)
            {
                var info = new ProcessStartInfo("dotnet")
                {
                    RedirectStandardOutput = true,
                    RedirectStandardError = true,
                    UseShellExecute = false,
                };
                foreach (var argument in new[]
                         {
                             host, redisConfiguration, scenario, leasePermits.ToString(CultureInfo.InvariantCulture),
                             start.ToString(CultureInfo.InvariantCulture), ((long)duration.TotalMilliseconds).ToString(CultureInfo.InvariantCulture),
                         })
                {
                    info.ArgumentList.Add(argument);
                }

                var process = Process.Start(info) ?? throw new InvalidOperationException("dotnet did not start.");
                running.Add((process, process.StandardOutput.ReadToEndAsync(), process.StandardError.ReadToEndAsync()));
            }

            var counts = new Counts[processes];
            using var deadline = new CancellationTokenSource(duration + TimeSpan.FromSeconds(60));
            for (var i = 0; i < processes; i++)
            {
                var (process, output, errors) = running[i];
                await process.WaitForExitAsync(deadline.Token);
                string text = await output;
                Match match = CountsLine().Match(text);
                if (process.ExitCode != 0 || !match.Success)
                {
                    throw new InvalidOperationException($"Fleet member {i} exited with {process.ExitCode}: {text} {await errors}");
                }

                counts[i] = new Counts(
                    int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture),
                    int.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture),
                    long.Parse(match.Groups[3].Value, CultureInfo.InvariantCulture),
                    int.Parse(match.Groups[4].Value, CultureInfo.InvariantCulture),
                    match.Groups[5].Value.Split(',').Select(b => int.Parse(b, CultureInfo.InvariantCulture)).ToArray());
            }

            return counts;
        }
        finally
        {
            foreach (var (process, _, _) in running)
            {
                if (!process.HasExited)
                {
                    process.Kill(entireProcessTree: true);
                }

                process.Dispose();
            }
        }
    }

    /// <summary>The host's dll, built beside this project in the same configuration (the test project references it so it is built).</summary>
    private static string HostPath()
    {
        var framework = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var configuration = framework.Parent!;
        string path = Path.Combine(
            RedisInstrumentCatalogTests.RepositoryRoot(), "tests", "Resilience.Redis.FleetHost", "bin", configuration.Name, framework.Name,
            "Resilience.Redis.FleetHost.dll");
        return File.Exists(path) ? path : throw new InvalidOperationException($"The fleet host is not built: {path} is missing.");
    }

    [GeneratedRegex(@"admitted=(\d+) rejected=(\d+) fallbacks=(\d+) late=(\d+) buckets=([\d,]+)")]
    private static partial Regex CountsLine();
}
