using System.Diagnostics.Metrics;

namespace Resilience.Samples.Console.Stage;

/// <summary>
/// Listens to one registry's meter while the sample runs, the way an exporter would, and prints what it recorded.
/// Counters are summed per instrument and the one tag worth showing for it (a call's outcome, the kind of strategy
/// that rejected, the state a breaker moved to); call durations are kept to print their count, median and maximum.
/// </summary>
/// <remarks>
/// Create it before the first call: a proxy measures only while someone listens (when nobody does, it reads no clock).
/// Thread-safe: calls running in parallel report from their own threads.
/// </remarks>
internal sealed class MetricsReport : IDisposable
{
    private const string CallsName = "resilience.calls";
    private const string DurationName = "resilience.call.duration";

    // Prefix of every instance name in this sample, left out of the table to keep it narrow.
    private static readonly string s_sceneNamespace = typeof(Scenes.RetryScene).Namespace + ".";

    private readonly Lock _gate = new();
    private readonly MeterListener _listener = new();
    private readonly Dictionary<(string Instrument, string? Tag), long> _counts = [];
    private readonly List<double> _durations = [];

    /// <summary>Starts listening to <paramref name="meter"/>, e.g. <c>registry.Telemetry.Meter</c>.</summary>
    public MetricsReport(Meter meter)
    {
        // Compared by reference, not by name: every registry's meter is called "Resilience".
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter, meter))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>(OnCounted);
        _listener.SetMeasurementEventCallback<double>(OnMeasured);
        _listener.Start();
    }

    /// <summary>The sum of counter <paramref name="instrument"/> over every tag value.</summary>
    public long Total(string instrument)
    {
        long total = 0;
        lock (_gate)
        {
            foreach (KeyValuePair<(string Instrument, string? Tag), long> count in _counts)
            {
                total += count.Key.Instrument == instrument ? count.Value : 0;
            }
        }

        return total;
    }

    /// <summary>The sum of counter <paramref name="instrument"/> where its shown tag is <paramref name="tag"/>, e.g. (<c>resilience.calls</c>, <c>fallback</c>).</summary>
    public long Count(string instrument, string tag)
    {
        lock (_gate)
        {
            return _counts.GetValueOrDefault((instrument, tag));
        }
    }

    /// <summary>How many call durations were recorded.</summary>
    public int DurationCount
    {
        get
        {
            lock (_gate)
            {
                return _durations.Count;
            }
        }
    }

    /// <summary>Prints every counter, then the call durations, as a two-column table.</summary>
    public void Print(EventLog log)
    {
        List<(string Label, long Value)> rows;
        double[] durations;
        lock (_gate)
        {
            rows = [.. _counts.Select(count => (Label(count.Key.Instrument, count.Key.Tag), count.Value))];
            durations = [.. _durations];
        }

        rows.Sort((a, b) => string.CompareOrdinal(a.Label, b.Label));
        Array.Sort(durations);
        int width = Math.Max(46, rows.Count == 0 ? 0 : rows.Max(row => row.Label.Length) + 8);

        log.Plain(string.Empty);
        log.Plain("Metrics recorded by the Resilience meter (what OpenTelemetry would export)", ConsoleColor.Cyan);
        log.Plain(new string('-', width), ConsoleColor.Cyan);
        foreach ((string label, long value) in rows)
        {
            log.Plain($"{label.PadRight(width - 6)}{value,6}");
        }

        if (durations.Length > 0)
        {
            // The lower median is enough here; an exporter would report histogram buckets instead.
            double median = durations[(durations.Length - 1) / 2] * 1000;
            double max = durations[^1] * 1000;
            log.Plain($"{DurationName}: {durations.Length} calls, median {median:0} ms, max {max:0} ms");
        }

        log.Plain(new string('-', width), ConsoleColor.Cyan);
    }

    /// <summary>
    /// Checks that the library's metrics tell the same story as the sample's own counters (<see cref="Tally"/>).
    /// </summary>
    public void CheckAgainst(Demo demo)
    {
        Tally tally = demo.Tally;
        demo.Expect(
            Total(CallsName) == tally[Counter.Calls] && DurationCount == tally[Counter.Calls],
            $"{CallsName} and {DurationName} recorded every call through a proxy, once");

        // Stale cache answers are successes to the library (the caller got a value), so success + fallback = answered.
        demo.Expect(
            Count(CallsName, "success") + Count(CallsName, "fallback") == tally[Counter.Answered]
            && Count(CallsName, "fallback") == tally[Counter.Fallbacks],
            $"{CallsName}{{outcome=success|fallback}} match the answered calls and the fallback answers");

        // A timeout leaves the call as a failure: the library counts it under both names, the sample under one.
        demo.Expect(
            Count(CallsName, "failure") == tally[Counter.Timeouts] + tally[Counter.OtherFailures]
            && Total("resilience.timeouts") == tally[Counter.Timeouts],
            $"{CallsName}{{outcome=failure}} and resilience.timeouts match the failed and timed-out calls");

        demo.Expect(
            Count("resilience.rejections", "circuit_breaker") == tally[Counter.CircuitOpenRejections]
            && Count("resilience.rejections", "rate_limit") == tally[Counter.RateLimitRejections]
            && Count("resilience.rejections", "bulkhead") == tally[Counter.BulkheadRejections]
            && Count(CallsName, "rejected") == Total("resilience.rejections"),
            "resilience.rejections by strategy match the rejected calls");

        // The downstreams count an attempt beyond the first for the same request; the library counts each retry.
        demo.Expect(
            Total("resilience.retry.attempts") == tally[Counter.Retries],
            "resilience.retry.attempts matches the retries the downstreams saw");

        demo.Expect(
            Count("resilience.circuit_breaker.transitions", "open") > 0
            && Count("resilience.circuit_breaker.transitions", "closed") > 0,
            "resilience.circuit_breaker.transitions saw the breaker open and close again");
    }

    /// <summary>Stops listening.</summary>
    public void Dispose() => _listener.Dispose();

    // The tag that tells a counter's measurements apart in the table; the others (interface, method, error type) are
    // summed over.
    private static string? ShownTag(string instrument) => instrument switch
    {
        CallsName => "resilience.outcome",
        "resilience.rejections" => "resilience.strategy",
        "resilience.circuit_breaker.transitions" => "resilience.circuit_breaker.state",
        "resilience.retry.attempts" or "resilience.timeouts" => "resilience.instance",
        _ => null,
    };

    // E.g. resilience.calls{outcome=success} or resilience.timeouts{instance=IShippingService.EstimateAsync}.
    private static string Label(string instrument, string? tag)
    {
        if (ShownTag(instrument) is not { } tagName)
        {
            return instrument;
        }

        string shortName = tagName[(tagName.LastIndexOf('.') + 1)..];
        string value = tag?.Replace(s_sceneNamespace, string.Empty, StringComparison.Ordinal) ?? "(none)";
        return $"{instrument}{{{shortName}={value}}}";
    }

    private void OnCounted(Instrument instrument, long measurement, ReadOnlySpan<KeyValuePair<string, object?>> tags, object? state)
    {
        string? tagName = ShownTag(instrument.Name);
        string? tag = null;
        foreach (KeyValuePair<string, object?> pair in tags)
        {
            if (pair.Key == tagName)
            {
                tag = pair.Value as string;
            }
        }

        lock (_gate)
        {
            (string, string?) key = (instrument.Name, tag);
            _counts[key] = _counts.GetValueOrDefault(key) + measurement;
        }
    }

    private void OnMeasured(Instrument instrument, double measurement, ReadOnlySpan<KeyValuePair<string, object?>> tags, object? state)
    {
        if (instrument.Name == DurationName)
        {
            lock (_gate)
            {
                _durations.Add(measurement);
            }
        }
    }
}
