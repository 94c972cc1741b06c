using System.Diagnostics.Metrics;

namespace Resilience.Redis.Tests;

/// <summary>The Resilience.Redis meter publishes exactly the documented instruments.</summary>
public sealed class RedisInstrumentCatalogTests
{
    private static readonly Dictionary<string, (string Unit, Type Type)> Expected = new(StringComparer.Ordinal)
    {
        ["resilience.redis.fallbacks"] = ("{call}", typeof(Counter<long>)),
        ["resilience.redis.transitions"] = ("{transition}", typeof(Counter<long>)),
        ["resilience.redis.available"] = ("{state}", typeof(ObservableGauge<int>)),
    };

    [Fact]
    public void Every_instrument_has_its_documented_name_unit_type_and_a_description_and_is_in_the_docs()
    {
        using var availability = new RedisAvailability(
            () => throw new InvalidOperationException("no server in this test"),
            new RedisResilienceOptions { AvailabilityProbeInterval = TimeSpan.FromHours(1) });
        var published = new List<Instrument>();
        using (var listener = new MeterListener())
        {
            listener.InstrumentPublished = (instrument, _) =>
            {
                if (ReferenceEquals(instrument.Meter, availability.Meter))
                {
                    published.Add(instrument);
                }
            };
            listener.Start();
        }

        Assert.Equal(RedisAvailability.MeterName, availability.Meter.Name);
        Assert.Equal(Expected.Keys.Order(StringComparer.Ordinal), published.Select(i => i.Name).Order(StringComparer.Ordinal));
        Assert.All(published, instrument =>
        {
            Assert.Equal(Expected[instrument.Name].Unit, instrument.Unit);
            Assert.IsType(Expected[instrument.Name].Type, instrument);
            Assert.False(string.IsNullOrWhiteSpace(instrument.Description));
        });

        string docs = File.ReadAllText(Path.Combine(RepositoryRoot(), "docs", "telemetry.md"));
        Assert.All(Expected, pair => Assert.Contains($"| `{pair.Key}` |", docs, StringComparison.Ordinal));
    }

    internal static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Resilience.Generator.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("Resilience.Generator.sln not found above " + AppContext.BaseDirectory);
    }
}
