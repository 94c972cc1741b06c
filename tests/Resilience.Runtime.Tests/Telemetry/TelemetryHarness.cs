using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Resilience.Runtime.Tests.Telemetry;

/// <summary>One measurement seen by <see cref="MetricCollector"/>.</summary>
internal sealed record Recorded(string Instrument, string? Unit, double Value, IReadOnlyDictionary<string, object?> Tags)
{
    public object? Tag(string name) => Tags.TryGetValue(name, out object? value) ? value : null;
}

/// <summary>Listens to every instrument of one registry's meter (and nothing else, so tests can run in parallel).</summary>
internal sealed class MetricCollector : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentQueue<Recorded> _recorded = new();

    /// <param name="registry">The registry whose meter to listen to.</param>
    /// <param name="only">Listen to these instruments only; every instrument when empty.</param>
    public MetricCollector(ResilienceRegistry registry, params string[] only)
    {
        Meter meter = registry.Telemetry.Meter;
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter, meter) && (only.Length == 0 || only.Contains(instrument.Name)))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((i, v, t, _) => Add(i, v, t));
        _listener.SetMeasurementEventCallback<int>((i, v, t, _) => Add(i, v, t));
        _listener.SetMeasurementEventCallback<double>((i, v, t, _) => Add(i, v, t));
        _listener.Start();
    }

    public IReadOnlyList<Recorded> Of(string instrument) => _recorded.Where(r => r.Instrument == instrument).ToList();

    public void Observe() => _listener.RecordObservableInstruments();

    public void Dispose() => _listener.Dispose();

    private void Add(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var map = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (KeyValuePair<string, object?> tag in tags)
        {
            map[tag.Key] = tag.Value;
        }

        _recorded.Enqueue(new Recorded(instrument.Name, instrument.Unit, value, map));
    }
}

/// <summary>Collects the finished spans of one registry's activity source.</summary>
internal sealed class SpanCollector : IDisposable
{
    private readonly ActivityListener _listener;
    private readonly ConcurrentQueue<Activity> _stopped = new();

    public SpanCollector(ResilienceRegistry registry)
    {
        ActivitySource source = registry.Telemetry.ActivitySource;
        _listener = new ActivityListener
        {
            ShouldListenTo = s => ReferenceEquals(s, source),
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = a => _stopped.Enqueue(a),
        };
        ActivitySource.AddActivityListener(_listener);
    }

    public IReadOnlyList<Activity> Stopped => _stopped.ToList();

    public void Dispose() => _listener.Dispose();
}

/// <summary>
/// A hand-written copy of what the generator emits for
/// <c>[Fallback] [CircuitBreaker] [Retry] ValueTask&lt;string&gt; GetAsync(int id, CancellationToken ct)</c>,
/// so the runtime's telemetry is tested through the same calls in the same places.
/// </summary>
internal sealed class Decorator
{
    private readonly CallTelemetry _telemetry;
    private readonly Resilience.CircuitBreaker? _breaker;
    private readonly RetryStrategy? _retry;
    private readonly Func<int, CancellationToken, ValueTask<string>> _inner;
    private readonly bool _fallback;

    public Decorator(ResilienceRegistry registry, Func<int, CancellationToken, ValueTask<string>> inner, Resilience.CircuitBreaker? breaker = null, RetryStrategy? retry = null, bool fallback = false)
    {
        _telemetry = registry.Telemetry.CreateCall("Tests.IUsers", "GetAsync");
        _inner = inner;
        _breaker = breaker;
        _retry = retry;
        _fallback = fallback;
    }

    public async ValueTask<string> GetAsync(int id, CancellationToken cancellationToken)
    {
        var call = _telemetry.Start();
        try
        {
            try
            {
                CircuitBreakerLease lease = _breaker is null ? default : _breaker.Acquire();
                try
                {
                    for (int attempt = 1; ; attempt++)
                    {
                        call.StartAttempt(attempt);
                        try
                        {
                            string result = await _inner(id, cancellationToken).ConfigureAwait(false);
                            lease.RecordSuccess();
                            return result;
                        }
                        catch (Exception ex) when (_retry is not null && _retry.ShouldRetry(ex, attempt, cancellationToken))
                        {
                            await call.RetryDelayAsync(_retry, attempt, ex, cancellationToken).ConfigureAwait(false);
                        }
                    }
                }
                catch (Exception ex)
                {
                    lease.RecordException(ex, cancellationToken);
                    throw;
                }
            }
            catch (Exception ex) when (_fallback && !ResilienceOutcome.IsCallerCancellation(ex, cancellationToken))
            {
                call.Fallback(ex);
                return "fallback";
            }
        }
        catch (Exception ex) when (call.Failed(ex))
        {
            throw;
        }
        finally
        {
            call.Dispose();
        }
    }
}
