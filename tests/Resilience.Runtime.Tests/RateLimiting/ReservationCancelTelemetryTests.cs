using Microsoft.Extensions.Time.Testing;
using Resilience.Runtime.Tests.Telemetry;

namespace Resilience.Runtime.Tests.RateLimiting;

/// <summary>
/// A cancelled reservation is reported as <c>cancelled</c> once, and only when it gave permits back: cancelling twice
/// reports and restores once, and cancelling a reservation made under settings a reload replaced gives nothing back and
/// reports nothing (mutation survivors of <c>RateLimitReservation</c>, docs/testing.md).
/// </summary>
[Collection(TelemetryCollection.Name)]
public sealed class ReservationCancelTelemetryTests : IDisposable
{
    private static readonly RateLimitOptions Bucket = new() { PermitLimit = 2, Window = TimeSpan.FromSeconds(1) };
    private readonly ResilienceRegistry _registry = new(new FakeTimeProvider());
    private readonly MetricCollector _metrics;
    private readonly RateLimitStrategy _limit;

    public ReservationCancelTelemetryTests()
    {
        _metrics = new MetricCollector(_registry, "resilience.rate_limit.reservations");
        _limit = _registry.GetOrAddRateLimit("api", Bucket);
    }

    public void Dispose()
    {
        _metrics.Dispose();
        _registry.Dispose();
    }

    [Fact]
    public void Cancelling_twice_gives_the_permits_back_and_reports_it_once()
    {
        RateLimitReservation delayed = ReserveInDebt();
        Assert.True(delayed.Delay > TimeSpan.Zero);

        delayed.Cancel();
        delayed.Cancel();

        Assert.Equal(1, Cancellations());
        RateLimitReservation next = _limit.Reserve(1, TimeSpan.MaxValue);
        Assert.Equal(delayed.Delay, next.Delay); // the cancelled token is due to the next reservation, once
    }

    [Fact]
    public void Cancelling_a_reservation_a_reload_replaced_gives_nothing_back_and_reports_nothing()
    {
        RateLimitReservation delayed = ReserveInDebt();
        _limit.Reconfigure(new RateLimitOptions { PermitLimit = 4, Window = TimeSpan.FromSeconds(1) });

        delayed.Cancel();

        Assert.Equal(0, Cancellations());
    }

    /// <summary>Spends the bucket, then reserves one permit for later (the bucket goes into debt).</summary>
    private RateLimitReservation ReserveInDebt()
    {
        Assert.True(_limit.Reserve(2, TimeSpan.Zero).IsAcquired);
        return _limit.Reserve(1, TimeSpan.MaxValue);
    }

    private int Cancellations()
        => _metrics.Of("resilience.rate_limit.reservations").Count(r => (string?)r.Tag("resilience.rate_limit.reservation") == "cancelled");
}
