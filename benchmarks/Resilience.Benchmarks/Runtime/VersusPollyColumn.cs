using System.Globalization;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace Resilience.Benchmarks.Runtime;

/// <summary>
/// A "vs Polly" column: each benchmark's mean time divided by the mean of the <c>PollyV8</c> benchmark of the same
/// class. The target (issue 16) is Generated ≤ 0.20 for calls that complete synchronously. (The Ratio column is relative to the direct call, which is close to
/// zero for an inner call that does nothing.)
/// </summary>
public sealed class VersusPollyColumn : IColumn
{
    /// <summary>The method name of the Polly benchmark in every runtime benchmark class.</summary>
    public const string PollyMethod = "PollyV8";

    /// <inheritdoc />
    public string Id => nameof(VersusPollyColumn);

    /// <inheritdoc />
    public string ColumnName => "vs Polly";

    /// <inheritdoc />
    public bool AlwaysShow => true;

    /// <inheritdoc />
    public ColumnCategory Category => ColumnCategory.Custom;

    /// <inheritdoc />
    public int PriorityInCategory => 0;

    /// <inheritdoc />
    public bool IsNumeric => true;

    /// <inheritdoc />
    public UnitType UnitType => UnitType.Dimensionless;

    /// <inheritdoc />
    public string Legend => "Mean time divided by the mean time of PollyV8 in the same class (target for Generated: <= 0.20 when the call completes synchronously)";

    /// <inheritdoc />
    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    /// <inheritdoc />
    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        ArgumentNullException.ThrowIfNull(summary);
        ArgumentNullException.ThrowIfNull(benchmarkCase);
        double? mean = summary[benchmarkCase]?.ResultStatistics?.Mean;
        BenchmarkCase? polly = summary.BenchmarksCases.FirstOrDefault(c =>
            c.Descriptor.Type == benchmarkCase.Descriptor.Type && c.Descriptor.WorkloadMethod.Name == PollyMethod);
        double? pollyMean = polly is null ? null : summary[polly]?.ResultStatistics?.Mean;
        return mean is double m && pollyMean is double p && p > 0 ? (m / p).ToString("0.00", CultureInfo.InvariantCulture) : "-";
    }

    /// <inheritdoc />
    public bool IsAvailable(Summary summary) => true;

    /// <inheritdoc />
    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
}

/// <summary>Config of the runtime benchmarks: adds <see cref="VersusPollyColumn"/>.</summary>
public sealed class RuntimeBenchmarkConfig : ManualConfig
{
    /// <summary>Creates the config.</summary>
    public RuntimeBenchmarkConfig() => AddColumn(new VersusPollyColumn());
}
