using Microsoft.Extensions.Time.Testing;
using Resilience.Runtime.Tests.Telemetry;

namespace Resilience.Runtime.Tests.RateLimiting;

/// <summary>
/// A cancelled reservation is reported as <c>cancelled</c> once, and only when it gave permits back: cancelling twice
/// reports and restores once, and cancelling a reservation made under settings a reload replaced gives nothing back and
/// reports nothing (mutation survivors of <c>RateLimitReservation</c>, docs/testing.md).
/// </summary>
[Collection(TelemetryCollection.Name)]
public sealed class ReservationCancelTelemetryTests
{
    private static readonly RateLimitOptions Bucket = new() { PermitLimit = 2, Window = TimeSpan.FromSeconds(1) };

    [Fact]
    public void Cancelling_twice_gives_the_permits_back_and_reports_it_once()
    {
        using var registry = new ResilienceRegistry(new FakeTimeProvider());
        using var metrics = new MetricCollector(registry, "resilience.rate_limit.reservations");
        RateLimitStrategy limit = registry.GetOrAddRateLimit("api", Bucket);
        Assert.True(limit.Reserve(2, TimeSpan.Zero).IsAcquired);
        RateLimitReservation delayed = limit.Reserve(1, TimeSpan.MaxValue);
        Assert.True(delayed.Delay > TimeSpan.Zero);

        delayed.Cancel();
        delayed.Cancel();

        Assert.Equal(1, metrics.Of("resilience.rate_limit.reservations").Count(r => (string?)r.Tag("resilience.rate_limit.reservation") == "cancelled"));
        RateLimitReservation next = limit.Reserve(1, TimeSpan.MaxValue);
        Assert.Equal(delayed.Delay, next.Delay); // the cancelled token is due to the next reservation, once
    }

    [Fact]
    public void Cancelling_a_reservation_a_reload_replaced_gives_nothing_back_and_reports_nothing()
    {
        using var registry = new ResilienceRegistry(new FakeTimeProvider());
        using var metrics = new MetricCollector(registry, "resilience.rate_limit.reservations");
        RateLimitStrategy limit = registry.GetOrAddRateLimit("api", Bucket);
        Assert.True(limit.Reserve(2, TimeSpan.Zero).IsAcquired);
        RateLimitReservation delayed = limit.Reserve(1, TimeSpan.MaxValue);
        limit.Reconfigure(new RateLimitOptions { PermitLimit = 4, Window = TimeSpan.FromSeconds(1) });

        delayed.Cancel();

        Assert.DoesNotContain(metrics.Of("resilience.rate_limit.reservations"), r => (string?)r.Tag("resilience.rate_limit.reservation") == "cancelled");
    }
}
