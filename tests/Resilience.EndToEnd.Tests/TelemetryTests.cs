using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Time.Testing;

namespace Resilience.EndToEnd.Tests;

[CircuitBreaker(FailureThreshold = 100)]
public interface ITelemetryService
{
    [Retry(MaxRetries = 2, DelayMs = 0, Jitter = 0)]
    [Fallback(nameof(GetFallbackAsync))]
    ValueTask<string> GetAsync(int failures, CancellationToken cancellationToken);

    ValueTask<string> GetFallbackAsync(int failures, Exception error);
}

public sealed class FlakyTelemetryService : ITelemetryService
{
    private int _calls;

    public ValueTask<string> GetAsync(int failures, CancellationToken cancellationToken)
        => ++_calls <= failures ? throw new TimeoutException("attempt " + _calls) : ValueTask.FromResult("ok");

    public ValueTask<string> GetFallbackAsync(int failures, Exception error) => ValueTask.FromResult("fallback");
}

/// <summary>The generated decorator reports calls, retries and fallbacks through the registry's meter, source and events.</summary>
[Collection(TelemetryAndAllocationCollection.Name)]
public sealed class TelemetryTests : IDisposable
{
    private readonly ResilienceRegistry _registry = new(new FakeTimeProvider());
    private readonly ConcurrentQueue<Activity> _spans = new();
    private readonly ConcurrentQueue<(string Name, long Value, Dictionary<string, object?> Tags)> _measurements = new();
    private readonly ActivityListener _activityListener;
    private readonly MeterListener _meterListener = new();

    public TelemetryTests()
    {
        ActivitySource source = _registry.Telemetry.ActivitySource;
        _activityListener = new ActivityListener
        {
            ShouldListenTo = s => ReferenceEquals(s, source),
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = _spans.Enqueue,
        };
        ActivitySource.AddActivityListener(_activityListener);

        Meter meter = _registry.Telemetry.Meter;
        _meterListener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter, meter))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _meterListener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            var map = new Dictionary<string, object?>();
            foreach (KeyValuePair<string, object?> tag in tags)
            {
                map[tag.Key] = tag.Value;
            }

            _measurements.Enqueue((instrument.Name, value, map));
        });
        _meterListener.Start();
    }

    public void Dispose()
    {
        _activityListener.Dispose();
        _meterListener.Dispose();
        _registry.Dispose();
    }

    [Fact]
    public async Task Generated_call_is_a_span_with_a_child_span_per_attempt()
    {
        var proxy = new TelemetryServiceResilient(new FlakyTelemetryService(), _registry);

        Assert.Equal("ok", await proxy.GetAsync(failures: 2, default));

        Activity call = _spans.Single(a => a.OperationName == "ITelemetryService.GetAsync");
        Assert.Equal("Resilience.EndToEnd.Tests.ITelemetryService", call.GetTagItem("resilience.interface"));
        Assert.Equal("GetAsync", call.GetTagItem("resilience.method"));
        Assert.Equal("success", call.GetTagItem("resilience.outcome"));
        Assert.Equal(2, call.Events.Count(e => e.Name == "resilience.retry"));

        List<Activity> attempts = _spans.Where(a => a.OperationName == "ITelemetryService.GetAsync attempt").ToList();
        Assert.Equal(3, attempts.Count);
        Assert.All(attempts, a => Assert.Equal(call.SpanId, a.ParentSpanId));
        Assert.Equal(2, attempts.Count(a => a.Status == ActivityStatusCode.Error));
    }

    [Fact]
    public async Task Generated_call_counts_retries_and_the_fallback_outcome_and_raises_events()
    {
        var proxy = new TelemetryServiceResilient(new FlakyTelemetryService(), _registry);
        var retries = new List<RetryEventArgs>();
        var fallbacks = new List<FallbackEventArgs>();
        _registry.OnRetry += (_, e) => retries.Add(e);
        _registry.OnFallback += (_, e) => fallbacks.Add(e);

        Assert.Equal("fallback", await proxy.GetAsync(failures: 5, default));

        var retried = _measurements.Where(m => m.Name == "resilience.retry.attempts").ToList();
        Assert.Equal(2, retried.Count);
        Assert.All(retried, m => Assert.Equal("Resilience.EndToEnd.Tests.ITelemetryService.GetAsync", m.Tags["resilience.instance"]));
        var call = Assert.Single(_measurements, m => m.Name == "resilience.calls");
        Assert.Equal("fallback", call.Tags["resilience.outcome"]);
        Assert.Equal("System.TimeoutException", call.Tags["error.type"]);

        Assert.Equal([1, 2], retries.Select(r => r.Attempt));
        Assert.All(retries, r => Assert.Equal(("Resilience.EndToEnd.Tests.ITelemetryService", "GetAsync"), (r.InterfaceName, r.MethodName)));
        FallbackEventArgs fellBack = Assert.Single(fallbacks);
        Assert.IsType<TimeoutException>(fellBack.Exception);
    }
}
