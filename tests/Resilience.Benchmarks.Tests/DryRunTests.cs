using System.Reflection;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Resilience.Benchmarks.Generator;
using Xunit.Abstractions;

namespace Resilience.Benchmarks.Tests;

/// <summary>
/// Runs every benchmark class of the benchmarks assembly once (BenchmarkDotNet's dry job, in process) so that the
/// benchmarks never rot: setup, every benchmark and the memory diagnoser must work. No timing is asserted.
/// </summary>
[Collection(BenchmarkCollection.Name)]
public sealed class DryRunTests(ITestOutputHelper output)
{
    public static TheoryData<string> BenchmarkClasses()
    {
        var data = new TheoryData<string>();
        foreach (Type type in AllBenchmarkTypes())
        {
            data.Add(type.FullName!);
        }

        return data;
    }

    [Fact]
    public void Every_scenario_of_the_issue_has_a_benchmark_class()
    {
        string[] names = AllBenchmarkTypes().Select(t => t.Name).ToArray();

        Assert.Equal(
            new[]
            {
                "CacheFallbackBenchmarks", "ChaosOffBenchmarks", "ColdStartBenchmarks", "ContentionBenchmarks", "FallbackBenchmarks",
                "FullStackBenchmarks", "GeneratorBenchmarks", "HedgeBenchmarks", "KernelRetryBreakerBenchmarks",
                "KernelTimeoutBreakerRetryBenchmarks", "PrimitiveBenchmarks", "RedisRateLimitBenchmarks", "RejectionStormBenchmarks",
                "RetryBreakerBenchmarks", "RetryBreakerFloorBenchmarks", "RetrySecondAttemptBenchmarks", "SharedCacheBenchmarks",
                "TaskAsyncBenchmarks", "TaskSyncBenchmarks", "TimeoutBreakerRetryBenchmarks", "TimeoutStartBenchmarks", "WorkerPoolBenchmarks",
            },
            names.Order(StringComparer.Ordinal));
    }

    [Theory]
    [MemberData(nameof(BenchmarkClasses))]
    public void Benchmark_class_runs_once_without_errors(string typeName)
    {
        Type type = AllBenchmarkTypes().Single(t => t.FullName == typeName);
        // One case per benchmark method and combination of [Params] values.
        int methods = type.GetMethods().Count(m => m.GetCustomAttribute<BenchmarkAttribute>() is not null)
            * type.GetMembers().Select(m => m.GetCustomAttribute<ParamsAttribute>()?.Values.Length ?? 1).Aggregate(1, (a, b) => a * b);

        IConfig config = ManualConfig.CreateEmpty()
            .AddJob(Job.Dry.WithToolchain(InProcessEmitToolchain.DontLogOutput))
            .AddLogger(new XunitBenchmarkLogger(output))
            .AddColumnProvider(DefaultColumnProviders.Instance)
            .AddDiagnoser(MemoryDiagnoser.Default)
            .WithArtifactsPath(Path.Combine(Path.GetTempPath(), "Resilience.Benchmarks.Tests", Guid.NewGuid().ToString("N")))
            // Test runs may be Debug builds; the dry run checks that the benchmarks work, not how fast they are.
            .WithOptions(ConfigOptions.DisableOptimizationsValidator | ConfigOptions.DisableLogFile);

        // The generator benchmark's synthetic project is scaled down for the dry run (same files, fewer of them).
        int interfaces = GeneratorBenchmarks.DefaultInterfaces;
        GeneratorBenchmarks.DefaultInterfaces = 20;
        Summary summary;
        try
        {
            summary = BenchmarkRunner.Run(type, config);
        }
        finally
        {
            GeneratorBenchmarks.DefaultInterfaces = interfaces;
        }

        Assert.False(summary.HasCriticalValidationErrors, string.Join(Environment.NewLine, summary.ValidationErrors.Select(e => e.Message)));
        // Expected notices: this config writes no result files; and when the repository itself sits under the temp
        // folder (a clean clone in /tmp, as CI may make), BenchmarkDotNet's shadow-copy check mistakes the real build
        // output for a shadow copy. Neither is an error of the benchmarks.
        Assert.Empty(summary.ValidationErrors.Where(e =>
            !e.Message.StartsWith("No exporters defined", StringComparison.Ordinal)
            && !(e.Message.Contains("is located in temp", StringComparison.Ordinal) && RepositoryIsUnderTemp())));
        Assert.Equal(methods, summary.BenchmarksCases.Length);
        Assert.Equal(methods, summary.Reports.Length);
        foreach (BenchmarkReport report in summary.Reports)
        {
            string name = report.BenchmarkCase.Descriptor.WorkloadMethod.Name;
            Assert.True(report.Success, $"{typeName}.{name} failed; see the test output.");
            Assert.NotNull(report.ResultStatistics);
            Assert.NotNull(report.GcStats.GetBytesAllocatedPerOperation(report.BenchmarkCase));
        }
    }

    private static bool RepositoryIsUnderTemp()
        => typeof(Program).Assembly.Location.StartsWith(Path.GetTempPath(), StringComparison.Ordinal);

    private static IEnumerable<Type> AllBenchmarkTypes() => typeof(Program).Assembly.GetTypes()
        .Where(t => t.IsPublic && !t.IsAbstract && t.GetMethods().Any(m => m.GetCustomAttribute<BenchmarkAttribute>() is not null))
        .OrderBy(t => t.FullName, StringComparer.Ordinal);
}
