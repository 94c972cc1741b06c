using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Resilience.EndToEnd.Tests.Chaos;

/// <summary>A registry on a fake clock whose options come from an in-memory configuration that tests change and reload.</summary>
internal sealed class ChaosHarness : IDisposable
{
    private readonly ServiceProvider _provider;

    public ChaosHarness(Dictionary<string, string?> settings, int seed = 7)
    {
        Configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(Time);
        services.AddResilienceConfiguration(Configuration.GetSection(ResilienceOptions.SectionName));
        _provider = services.BuildServiceProvider();
        Registry = _provider.GetRequiredService<ResilienceRegistry>();
        var random = new Random(seed);
        Registry.Chaos.RandomSource = () =>
        {
            lock (random)
            {
                return random.NextDouble();
            }
        };
        Proxy = new ChaosTargetResilient(Inner, Registry);
    }

    public FakeTimeProvider Time { get; } = new();

    public IConfigurationRoot Configuration { get; }

    public ResilienceRegistry Registry { get; }

    public ChaosTarget Inner { get; } = new();

    public IChaosTarget Proxy { get; }

    /// <summary>Sets <paramref name="key"/> (under <c>Resilience:</c>) and reloads.</summary>
    public void Set(string key, string? value)
    {
        Configuration["Resilience:" + key] = value;
        Configuration.Reload();
    }

    public void Dispose() => _provider.Dispose();

    public static Dictionary<string, string?> Settings(string name, params (string Key, string Value)[] chaos)
    {
        var settings = new Dictionary<string, string?> { ["Resilience:Chaos:Enabled"] = "true" };
        foreach ((string key, string value) in chaos)
        {
            settings[$"Resilience:Instances:{name}:Chaos:{key}"] = value;
        }

        return settings;
    }
}
