using System.Text.Json.Serialization;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.DependencyInjection;

namespace Resilience.Caching.Tests;

public sealed record Rates(string Base, decimal Euro);

/// <summary>A result type nobody registered metadata for.</summary>
public sealed record Unregistered(int Value);

[JsonSerializable(typeof(Rates))]
[JsonSerializable(typeof(int))]
public sealed partial class TestJsonContext : JsonSerializerContext;

public interface IRates
{
    [CacheFallback(StaleTtlMs = 600_000)]
    Task<Rates> GetAsync(string baseCurrency, CancellationToken cancellationToken);
}

/// <summary>Answers with <see cref="Answer"/>, or throws while <see cref="Down"/>.</summary>
public sealed class RatesService : IRates
{
    public static Rates Answer { get; set; } = new("EUR", 1m);

    public bool Down { get; set; }

    public int Calls { get; private set; }

    public Task<Rates> GetAsync(string baseCurrency, CancellationToken cancellationToken)
    {
        Calls++;
        return Down ? Task.FromException<Rates>(new HttpRequestException("rates service is down")) : Task.FromResult(Answer with { Base = baseCurrency });
    }
}

/// <summary>How the tests and the second process build the same application: a registry whose store is shared through Redis.</summary>
public static class SharedApp
{
    public const string Prefix = "test:cache:";

    public static ServiceProvider Build(
        string redis, RatesService service, Action<SharedCacheFallbackStoreOptions>? configure = null, bool hybrid = false, TimeProvider? time = null)
    {
        var services = new ServiceCollection();
        if (time is not null)
        {
            services.AddSingleton(time);
        }

        services.AddStackExchangeRedisCache(o => o.Configuration = redis);
        services.AddSingleton(service);
        services.AddResilient<IRates, RatesService>(ServiceLifetime.Singleton);
        Action<SharedCacheFallbackStoreOptions> options = o =>
        {
            o.TypeInfoResolver = TestJsonContext.Default;
            o.KeyPrefix = Prefix;
            configure?.Invoke(o);
        };
        if (hybrid)
        {
            services.AddHybridCache();
            services.AddResilienceHybridCacheStore(options);
        }
        else
        {
            services.AddResilienceDistributedCacheStore(options);
        }

        var provider = services.BuildServiceProvider();
        var store = provider.GetRequiredService<ICacheFallbackStore>();
        bool Connected() => store is DistributedCacheFallbackStore { IsSharedCacheAvailable: true } or HybridCacheFallbackStore { IsSharedCacheAvailable: true };
        for (int i = 0; i < 2_000 && !Connected(); i++)
        {
            Thread.Sleep(10); // bounded: the store's first background read makes the connection
        }

        // Every caller starts from a connected store: a test that failed on a store still connecting would blame the wrong thing.
        return Connected() ? provider : throw new InvalidOperationException("the shared store did not connect to Redis within 20 s");
    }

    /// <summary>Waits (bounded) until the background write of <paramref name="key"/> reached the shared cache.</summary>
    public static async Task<bool> WaitForSharedAsync(IServiceProvider provider, string key)
    {
        var cache = provider.GetRequiredService<IDistributedCache>();
        for (int i = 0; i < 500; i++)
        {
            if (await cache.GetAsync(Prefix + key) is not null)
            {
                return true;
            }

            await Task.Delay(10);
        }

        return false;
    }
}
