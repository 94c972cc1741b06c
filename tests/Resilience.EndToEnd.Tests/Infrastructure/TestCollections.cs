namespace Resilience.EndToEnd.Tests;

/// <summary>
/// Tests that attach telemetry listeners, and the tests asserting that a call allocates nothing when nobody listens:
/// kept apart so that no listener is active while an allocation is measured.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TelemetryAndAllocationCollection
{
    public const string Name = "Telemetry and allocation";
}

/// <summary>
/// Tests that count first-chance exceptions (<see cref="AppDomain.FirstChanceException"/> is process-wide): they run
/// alone, so no other test's throws are counted.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class FirstChanceExceptionCollection
{
    public const string Name = "First-chance exceptions";
}
