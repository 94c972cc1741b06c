using System.Diagnostics.Metrics;

namespace Resilience.Redis.FleetHost;

/// <summary>The downstream the fleet shares: 100 calls per second, fleet-wide, by each algorithm.</summary>
public interface IPartner
{
    [RateLimit(Name = "fleet.tb", PermitLimit = 100, WindowMs = 1_000)]
    Task TokenBucketAsync();

    [RateLimit(Name = "fleet.sw", PermitLimit = 100, WindowMs = 1_000, Algorithm = RateLimitAlgorithm.SlidingWindow)]
    Task SlidingWindowAsync();

    [RateLimit(Name = "fleet.fw", PermitLimit = 100, WindowMs = 1_000, Algorithm = RateLimitAlgorithm.FixedWindow)]
    Task FixedWindowAsync();
}

/// <summary>Answers at once: the limit is what is measured.</summary>
public sealed class Partner : IPartner
{
    public Task TokenBucketAsync() => Task.CompletedTask;

    public Task SlidingWindowAsync() => Task.CompletedTask;

    public Task FixedWindowAsync() => Task.CompletedTask;
}

/// <summary>Counts resilience.redis.fallbacks of one instance.</summary>
internal sealed class FallbackCounter : IDisposable
{
    private readonly MeterListener _listener = new();
    private long _count;

    public FallbackCounter(string instance)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == "Resilience.Redis" && instrument.Name == "resilience.redis.fallbacks")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == "resilience.instance" && (string?)tag.Value == instance)
                {
                    Interlocked.Add(ref _count, value);
                }
            }
        });
        _listener.Start();
    }

    public long Count => Interlocked.Read(ref _count);

    public void Dispose() => _listener.Dispose();
}
