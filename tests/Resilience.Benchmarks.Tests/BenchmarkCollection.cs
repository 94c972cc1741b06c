namespace Resilience.Benchmarks.Tests;

/// <summary>BenchmarkDotNet runs in process and changes process-wide settings: its tests never run in parallel.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class BenchmarkCollection
{
    public const string Name = "BenchmarkDotNet";
}
