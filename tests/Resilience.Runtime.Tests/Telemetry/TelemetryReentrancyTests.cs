using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Time.Testing;

namespace Resilience.Runtime.Tests.Telemetry;

/// <summary>
/// Listeners that read <see cref="ResilienceRegistry.Telemetry"/> while the registry creates it. Each callback guards its
/// own nesting depth, so a regression (endless re-creation, a stack overflow that would kill the test host) ends as
/// a failed assertion instead.
/// </summary>
[Collection(TelemetryCollection.Name)]
public sealed class TelemetryReentrancyTests
{
    private const int DepthGuard = 5;

    [Fact]
    public void A_MeterListener_reading_Telemetry_in_InstrumentPublished_enables_the_registrys_instruments_without_recursing()
    {
        using var registry = new ResilienceRegistry(new FakeTimeProvider());
        int testThread = Environment.CurrentManagedThreadId;
        int depth = 0;
        bool guardTripped = false;
        var enabled = new List<Instrument>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name != ResilienceTelemetry.Name || Environment.CurrentManagedThreadId != testThread)
            {
                return;
            }

            depth++;
            try
            {
                if (depth > DepthGuard)
                {
                    guardTripped = true; // the registry keeps creating telemetry from inside this callback
                    return;
                }

                // The natural thing to write: "enable the instruments of this registry's meter".
                if (ReferenceEquals(instrument.Meter, registry.Telemetry.Meter))
                {
                    l.EnableMeasurementEvents(instrument);
                    enabled.Add(instrument);
                }
            }
            finally
            {
                depth--;
            }
        };
        listener.Start();

        ResilienceTelemetry telemetry = registry.Telemetry;

        Assert.False(guardTripped);
        Assert.Same(telemetry, registry.Telemetry);
        Assert.Equal(9, enabled.Count);
        Assert.All(enabled, i => Assert.Same(telemetry.Meter, i.Meter));

        // The instruments really are listened to: a measurement of the telemetry in use arrives.
        long seen = 0;
        listener.SetMeasurementEventCallback<long>((i, v, _, _) =>
        {
            if (i.Name == "resilience.circuit_breaker.transitions" && ReferenceEquals(i.Meter, telemetry.Meter))
            {
                seen += v;
            }
        });
        registry.GetOrAddCircuitBreaker("b", new CircuitBreakerOptions { FailureThreshold = 1 }).Acquire().RecordFailure();
        Assert.Equal(1, seen);
    }

    [Fact]
    public void An_ActivityListener_reading_Telemetry_while_the_activity_source_is_created_gets_a_clear_exception()
    {
        using var registry = new ResilienceRegistry(new FakeTimeProvider());
        int testThread = Environment.CurrentManagedThreadId;
        int depth = 0;
        bool guardTripped = false;
        bool armed = false;
        using var listener = new ActivityListener
        {
            ShouldListenTo = source =>
            {
                if (!armed || source.Name != ResilienceTelemetry.Name || Environment.CurrentManagedThreadId != testThread)
                {
                    return false;
                }

                depth++;
                try
                {
                    if (depth > DepthGuard)
                    {
                        guardTripped = true;
                        return false;
                    }

                    return ReferenceEquals(source, registry.Telemetry.ActivitySource);
                }
                finally
                {
                    depth--;
                }
            },
        };
        ActivitySource.AddActivityListener(listener);
        armed = true;

        InvalidOperationException error = Assert.Throws<InvalidOperationException>(() => registry.Telemetry);

        armed = false;
        Assert.False(guardTripped);
        Assert.Contains("ShouldListenTo", error.Message, StringComparison.Ordinal);
        Assert.Contains("ResilienceTelemetry.Name", error.Message, StringComparison.Ordinal);
        Assert.NotNull(registry.Telemetry.ActivitySource); // with the listener disarmed, the next read creates it
    }
}
