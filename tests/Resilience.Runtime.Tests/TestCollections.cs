namespace Resilience.Runtime.Tests;

/// <summary>
/// Tests that spin several threads at full speed (stress tests). On a 2-core machine running them beside each other
/// starves the thread pool and turns their safety timeouts into false failures, so they run one class at a time,
/// after the parallel tests.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class StressCollection
{
    public const string Name = "Stress";
}

/// <summary>
/// Tests that attach MeterListeners and ActivityListeners, and the tests asserting that telemetry costs nothing when
/// nobody listens: kept apart so that no listener is active while an allocation is measured.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TelemetryCollection
{
    public const string Name = "Telemetry";
}
