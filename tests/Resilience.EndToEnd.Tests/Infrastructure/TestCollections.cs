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
