using System.Diagnostics.Metrics;
using Microsoft.Extensions.Time.Testing;

namespace Resilience.Runtime.Tests.Telemetry;

/// <summary>What a call costs in memory while metrics are listened to (no tracing).</summary>
[Collection(TelemetryCollection.Name)]
public sealed class ListeningAllocationTests
{
    [Fact]
    public void Listening_to_call_metrics_only_allocates_nothing_per_call()
    {
        using var registry = new ResilienceRegistry(new FakeTimeProvider());
        using MeterListener listener = Listen(registry, "resilience.calls", "resilience.call.duration");
        CallTelemetry telemetry = registry.Telemetry.CreateCall("Tests.IUsers", "Get");

        Assert.Equal(0, Measure(telemetry));
    }

    [Fact]
    public void Listening_to_rejections_costs_a_bounded_execution_context_change_per_call()
    {
        using var registry = new ResilienceRegistry(new FakeTimeProvider());
        using MeterListener listener = Listen(registry, "resilience.calls", "resilience.rejections", "resilience.timeouts");
        CallTelemetry telemetry = registry.Telemetry.CreateCall("Tests.IUsers", "Get");

        long perCall = Measure(telemetry) / 10_000;

        Assert.InRange(perCall, 1, 128); // 72 bytes on .NET 10: one ExecutionContext and its one-value map
    }

    private static long Measure(CallTelemetry telemetry)
    {
        Run(telemetry, 1_000);
        return AllocationProbe.Least(() => Run(telemetry, 10_000));
    }

    private static void Run(CallTelemetry telemetry, int count)
    {
        for (int i = 0; i < count; i++)
        {
            var call = telemetry.Start();
            call.Dispose();
        }
    }

    private static MeterListener Listen(ResilienceRegistry registry, params string[] names)
    {
        Meter meter = registry.Telemetry.Meter;
        var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (ReferenceEquals(instrument.Meter, meter) && names.Contains(instrument.Name))
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>(static (_, _, _, _) => { });
        listener.SetMeasurementEventCallback<double>(static (_, _, _, _) => { });
        listener.Start();
        return listener;
    }
}
