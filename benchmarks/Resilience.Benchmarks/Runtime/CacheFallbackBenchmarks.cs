using BenchmarkDotNet.Attributes;
using Resilience.Benchmarks.Services;

namespace Resilience.Benchmarks.Runtime;

/// <summary>
/// <c>[CacheFallback]</c> through the generated proxy on the default in-memory store, with a key of a string, an int,
/// an enum and a Guid: a fresh hit, and a store of a new result under a key already present (TtlMs = 0, so every call
/// reaches the inner service). The text-key rows make the same lookup and store with the key's text built by
/// <c>CacheKeyBuilder</c>, as generated code did before <c>CacheKey</c>. Polly v8 has no stale-result cache to compare.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(RuntimeBenchmarkConfig))]
public class CacheFallbackBenchmarks
{
    private const string Sku = "sku-12345";
    private const int Region = 7;
    private static readonly Guid Tenant = Guid.Parse("6f9619ff-8b86-d011-b42d-00cf4fc964ff");

    private readonly ICachedService _inner = new CachedService();
    private ResilienceRegistry _registry = null!;
    private ICachedService _proxy = null!;
    private CacheFallbackStrategy _textHits = null!;
    private CacheFallbackStrategy _textStores = null!;

    /// <summary>Creates the proxy and fills the cache.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _registry = new ResilienceRegistry();
        _proxy = new CachedServiceResilient(_inner, _registry);
        _textHits = _registry.GetOrAddCacheFallback("text-hits", new CacheFallbackOptions { Ttl = TimeSpan.FromHours(1) });
        _textStores = _registry.GetOrAddCacheFallback("text-stores", new CacheFallbackOptions { Ttl = TimeSpan.Zero, StaleTtl = TimeSpan.FromHours(1) });
        _proxy.Price(Sku, Region, PriceTier.Wholesale, Tenant);
        _proxy.Quote(Sku, Region, PriceTier.Wholesale, Tenant);
        _textHits.Store(TextKey("Price"), 42);
        _textStores.Store(TextKey("Quote"), 42);
    }

    /// <summary>Disposes the registry.</summary>
    [GlobalCleanup]
    public void Cleanup() => _registry.Dispose();

    /// <summary>The inner call alone.</summary>
    [Benchmark(Baseline = true)]
    public int Direct() => _inner.Price(Sku, Region, PriceTier.Wholesale, Tenant);

    /// <summary>A fresh hit through the generated proxy: no inner call.</summary>
    [Benchmark]
    public int GeneratedHit() => _proxy.Price(Sku, Region, PriceTier.Wholesale, Tenant);

    /// <summary>A call through the generated proxy that stores its result under a key already present.</summary>
    [Benchmark]
    public int GeneratedStore() => _proxy.Quote(Sku, Region, PriceTier.Wholesale, Tenant);

    /// <summary>The same fresh hit with the key's text (the former generated code).</summary>
    [Benchmark]
    public int TextKeyHit() => _textHits.TryGetFresh(TextKey("Price"), out int value) ? value : -1;

    /// <summary>The same store with the key's text (the former generated code).</summary>
    [Benchmark]
    public int TextKeyStore()
    {
        int value = _inner.Quote(Sku, Region, PriceTier.Wholesale, Tenant);
        _textStores.Store(TextKey("Quote"), value);
        return value;
    }

    private static string TextKey(string method)
    {
        string sku = Sku;
        int region = Region;
        PriceTier tier = PriceTier.Wholesale;
        Guid tenant = Tenant;
        return method == "Price"
            ? CacheKeyBuilder.Build($"Resilience.Benchmarks.Services.ICachedService.Price({sku}, {region}, {tier}, {tenant})")
            : CacheKeyBuilder.Build($"Resilience.Benchmarks.Services.ICachedService.Quote({sku}, {region}, {tier}, {tenant})");
    }
}
