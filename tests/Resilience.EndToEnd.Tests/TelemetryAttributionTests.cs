using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Time.Testing;

namespace Resilience.EndToEnd.Tests;

public interface ILimitedTelemetryService
{
    [RateLimit(PermitLimit = 1, WindowMs = 60_000, Algorithm = RateLimitAlgorithm.FixedWindow)]
    ValueTask<string> LimitedAsync(CancellationToken cancellationToken);

    [Timeout(1_000)]
    ValueTask<string> SlowAsync(CancellationToken cancellationToken);

    [Retry(MaxRetries = 1, DelayMs = 0, Jitter = 0, AttemptTimeoutMs = 500)]
    ValueTask<string> AttemptAsync(CancellationToken cancellationToken);
}

[CircuitBreaker(FailureThreshold = 1, BreakDurationMs = 1_000, KeyParameter = "host")]
public interface IKeyedTelemetryService
{
    ValueTask<string> GetAsync(string host, CancellationToken cancellationToken);
}

/// <summary>Runs out of time on the test clock when asked to, and fails for hosts that are down.</summary>
public sealed class SlowTelemetryService(FakeTimeProvider clock) : ILimitedTelemetryService, IKeyedTelemetryService
{
    private int _attempts;

    public ValueTask<string> LimitedAsync(CancellationToken cancellationToken) => ValueTask.FromResult("ok");

    public ValueTask<string> SlowAsync(CancellationToken cancellationToken) => Expire(TimeSpan.FromSeconds(1), cancellationToken);

    public ValueTask<string> AttemptAsync(CancellationToken cancellationToken)
        => ++_attempts == 1 ? Expire(TimeSpan.FromMilliseconds(500), cancellationToken) : ValueTask.FromResult("ok");

    public ValueTask<string> GetAsync(string host, CancellationToken cancellationToken)
        => host.StartsWith("down", StringComparison.Ordinal) ? throw new InvalidOperationException(host + " is down") : ValueTask.FromResult("ok");

    private async ValueTask<string> Expire(TimeSpan after, CancellationToken cancellationToken)
    {
        Task wait = Task.Delay(Timeout.InfiniteTimeSpan, cancellationToken);
        clock.Advance(after);
        await wait.ConfigureAwait(false);
        return "never";
    }
}

/// <summary>
/// Rejections and timeouts in generated calls are counted once, with the interface and method of the call; keyed
/// breakers report every key's transitions without the key as a metric tag.
/// </summary>
[Collection(TelemetryAndAllocationCollection.Name)]
public sealed class TelemetryAttributionTests : IDisposable
{
    private const string Limited = "Resilience.EndToEnd.Tests.ILimitedTelemetryService";
    private const string Keyed = "Resilience.EndToEnd.Tests.IKeyedTelemetryService";

    private readonly FakeTimeProvider _clock = new();
    private readonly ResilienceRegistry _registry;
    private readonly ConcurrentQueue<(string Name, Dictionary<string, object?> Tags)> _measurements = new();
    private readonly ConcurrentQueue<Activity> _spans = new();
    private readonly MeterListener _meterListener = new();
    private ActivityListener? _activityListener;

    public TelemetryAttributionTests()
    {
        _registry = new ResilienceRegistry(_clock);
        Meter meter = _registry.Telemetry.Meter;
        _meterListener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter, meter))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _meterListener.SetMeasurementEventCallback<long>((instrument, _, tags, _) => Add(instrument, tags));
        _meterListener.SetMeasurementEventCallback<double>((instrument, _, tags, _) => Add(instrument, tags));
        _meterListener.Start();
    }

    public void Dispose()
    {
        _activityListener?.Dispose();
        _meterListener.Dispose();
        _registry.Dispose();
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_rate_limit_rejection_is_counted_once_with_interface_and_method(bool traced)
    {
        Trace(traced);
        var proxy = new LimitedTelemetryServiceResilient(new SlowTelemetryService(_clock), _registry);

        Assert.Equal("ok", await proxy.LimitedAsync(default));
        await Assert.ThrowsAsync<RateLimitRejectedException>(() => proxy.LimitedAsync(default).AsTask());

        var rejection = Assert.Single(Of("resilience.rejections"));
        Assert.Equal(Limited + ".LimitedAsync", rejection["resilience.instance"]);
        Assert.Equal("rate_limit", rejection["resilience.strategy"]);
        Assert.Equal(Limited, rejection["resilience.interface"]);
        Assert.Equal("LimitedAsync", rejection["resilience.method"]);
        Assert.Equal(Limited + ".LimitedAsync", rejection["resilience.operation"]);

        var rejected = Assert.Single(Of("resilience.calls"), c => (string?)c["resilience.outcome"] == "rejected");
        Assert.Equal(("rate_limit", Limited + ".LimitedAsync"), (rejected["resilience.strategy"], rejected["resilience.instance"]));
    }

    [Fact]
    public async Task A_timeout_is_counted_once_with_interface_and_method()
    {
        var proxy = new LimitedTelemetryServiceResilient(new SlowTelemetryService(_clock), _registry);

        await Assert.ThrowsAsync<ResilienceTimeoutException>(() => proxy.SlowAsync(default).AsTask());

        var timeout = Assert.Single(Of("resilience.timeouts"));
        Assert.Equal((Limited + ".SlowAsync", "timeout"), (timeout["resilience.instance"], timeout["resilience.strategy"]));
        Assert.Equal((Limited, "SlowAsync"), (timeout["resilience.interface"], timeout["resilience.method"]));
        var call = Assert.Single(Of("resilience.calls"));
        Assert.Equal(("failure", "Resilience.ResilienceTimeoutException", "timeout"), (call["resilience.outcome"], call["error.type"], call["resilience.strategy"]));
    }

    [Fact]
    public async Task A_retried_attempt_timeout_is_counted_as_a_timeout_of_the_call()
    {
        var proxy = new LimitedTelemetryServiceResilient(new SlowTelemetryService(_clock), _registry);

        Assert.Equal("ok", await proxy.AttemptAsync(default));

        var timeout = Assert.Single(Of("resilience.timeouts"));
        Assert.Equal(Limited + ".AttemptAsync.attempt", timeout["resilience.instance"]);
        Assert.Equal((Limited, "AttemptAsync"), (timeout["resilience.interface"], timeout["resilience.method"]));
        Assert.Equal("Resilience.ResilienceTimeoutException", Assert.Single(Of("resilience.retry.attempts"))["error.type"]);
        Assert.Equal("success", Assert.Single(Of("resilience.calls"))["resilience.outcome"]);
    }

    [Fact]
    public async Task Keyed_breaker_transitions_and_rejections_carry_the_key_on_spans_and_events_only()
    {
        Trace(true);
        var changes = new List<CircuitStateChangedEventArgs>();
        _registry.OnBreakerStateChanged += (_, e) => changes.Add(e);
        var proxy = new KeyedTelemetryServiceResilient(new SlowTelemetryService(_clock), _registry);

        await Assert.ThrowsAsync<InvalidOperationException>(() => proxy.GetAsync("down-1", default).AsTask());
        await Assert.ThrowsAsync<BrokenCircuitException>(() => proxy.GetAsync("down-1", default).AsTask());
        Assert.Equal("ok", await proxy.GetAsync("up-1", default));

        CircuitStateChangedEventArgs change = Assert.Single(changes);
        Assert.Equal((Keyed, "down-1", CircuitState.Open), (change.Name, change.Key, change.NewState));

        var transition = Assert.Single(Of("resilience.circuit_breaker.transitions"));
        Assert.Equal(Keyed, transition["resilience.instance"]);
        Assert.DoesNotContain("resilience.circuit_breaker.key", transition.Keys);
        var rejection = Assert.Single(Of("resilience.rejections"));
        Assert.Equal((Keyed, "GetAsync"), (rejection["resilience.interface"], rejection["resilience.method"]));
        Assert.DoesNotContain(rejection.Values, v => v is "down-1");

        List<Activity> calls = _spans.Where(a => a.OperationName == "IKeyedTelemetryService.GetAsync").ToList();
        Assert.Equal(3, calls.Count);
        ActivityEvent traced = calls.SelectMany(a => a.Events).Single(e => e.Name == "resilience.circuit_breaker.transition");
        Assert.Equal("down-1", traced.Tags.Single(t => t.Key == "resilience.circuit_breaker.key").Value);
        ActivityEvent rejected = calls.SelectMany(a => a.Events).Single(e => e.Name == "resilience.rejection");
        Assert.Equal("down-1", rejected.Tags.Single(t => t.Key == "resilience.circuit_breaker.key").Value);
    }

    private void Trace(bool traced)
    {
        if (!traced)
        {
            return;
        }

        ActivitySource source = _registry.Telemetry.ActivitySource;
        _activityListener = new ActivityListener
        {
            ShouldListenTo = s => ReferenceEquals(s, source),
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = _spans.Enqueue,
        };
        ActivitySource.AddActivityListener(_activityListener);
    }

    private List<Dictionary<string, object?>> Of(string name) => _measurements.Where(m => m.Name == name).Select(m => m.Tags).ToList();

    private void Add(Instrument instrument, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var map = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (KeyValuePair<string, object?> tag in tags)
        {
            map[tag.Key] = tag.Value;
        }

        _measurements.Enqueue((instrument.Name, map));
    }
}
