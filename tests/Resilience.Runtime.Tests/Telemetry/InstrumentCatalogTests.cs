using System.Diagnostics.Metrics;
using Microsoft.Extensions.Time.Testing;

namespace Resilience.Runtime.Tests.Telemetry;

/// <summary>The meter publishes exactly the documented instruments, each with its unit, type and description.</summary>
[Collection(TelemetryCollection.Name)]
public sealed class InstrumentCatalogTests
{
    internal static readonly Dictionary<string, (string Unit, Type Type)> Expected = new(StringComparer.Ordinal)
    {
        ["resilience.calls"] = ("{call}", typeof(Counter<long>)),
        ["resilience.call.duration"] = ("s", typeof(Histogram<double>)),
        ["resilience.retry.attempts"] = ("{attempt}", typeof(Counter<long>)),
        ["resilience.circuit_breaker.transitions"] = ("{transition}", typeof(Counter<long>)),
        ["resilience.circuit_breaker.state"] = ("{state}", typeof(ObservableGauge<int>)),
        ["resilience.circuit_breaker.keys"] = ("{key}", typeof(ObservableUpDownCounter<long>)),
        ["resilience.rejections"] = ("{rejection}", typeof(Counter<long>)),
        ["resilience.timeouts"] = ("{timeout}", typeof(Counter<long>)),
        ["resilience.circuit_breaker.interval_resets"] = ("{reset}", typeof(Counter<long>)),
        ["resilience.hedge.attempts"] = ("{attempt}", typeof(Counter<long>)),
        ["resilience.hedge.wins"] = ("{win}", typeof(Counter<long>)),
        ["resilience.retry.budget_exhausted"] = ("{retry}", typeof(Counter<long>)),
        ["resilience.bulkhead.queued"] = ("{call}", typeof(ObservableUpDownCounter<int>)),
        ["resilience.worker_pool.jobs"] = ("{job}", typeof(Counter<long>)),
        ["resilience.rate_limit.reservations"] = ("{reservation}", typeof(Counter<long>)),
        ["resilience.chaos.injections"] = ("{injection}", typeof(Counter<long>)),
    };

    [Fact]
    public void Every_instrument_has_its_documented_name_unit_type_and_a_description()
    {
        using var registry = new ResilienceRegistry(new FakeTimeProvider());
        List<Instrument> published = Published(registry);

        Assert.Equal(Expected.Keys.Order(StringComparer.Ordinal), published.Select(i => i.Name).Order(StringComparer.Ordinal));
        Assert.All(published, instrument =>
        {
            Assert.Equal(Expected[instrument.Name].Unit, instrument.Unit);
            Assert.IsType(Expected[instrument.Name].Type, instrument);
            Assert.False(string.IsNullOrWhiteSpace(instrument.Description));
        });
    }

    [Fact]
    public void Every_instrument_is_in_the_documentation_table()
    {
        string docs = File.ReadAllText(FindDocs());

        Assert.All(Expected, pair => Assert.Contains($"| `{pair.Key}` |", docs, StringComparison.Ordinal));
    }

#if NET9_0_OR_GREATER
    [Fact]
    public void Call_duration_advises_bucket_boundaries_in_seconds()
    {
        using var registry = new ResilienceRegistry(new FakeTimeProvider());
        var duration = (Histogram<double>)Published(registry).Single(i => i.Name == "resilience.call.duration");

        IReadOnlyList<double> buckets = duration.Advice!.HistogramBucketBoundaries!;
        Assert.Equal(0.005, buckets[0]);
        Assert.Equal(10, buckets[^1]);
        Assert.Equal(buckets.Order(), buckets);
    }
#endif

    private static List<Instrument> Published(ResilienceRegistry registry)
    {
        Meter meter = registry.Telemetry.Meter;
        var published = new List<Instrument>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, _) =>
            {
                if (ReferenceEquals(instrument.Meter, meter))
                {
                    published.Add(instrument);
                }
            },
        };
        listener.Start();
        return published;
    }

    private static string FindDocs()
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "docs", "telemetry.md");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException("docs/telemetry.md was not found above " + AppContext.BaseDirectory);
    }
}
