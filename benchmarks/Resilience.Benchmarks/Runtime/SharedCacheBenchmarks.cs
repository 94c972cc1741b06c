using System.Text.Json.Serialization;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Caching.StackExchangeRedis;
using Microsoft.Extensions.Options;
using Resilience.Caching;
using Resilience.Tests.Shared;

namespace Resilience.Benchmarks.Runtime;

/// <summary>
/// What a <c>[CacheFallback]</c> lookup costs on the shared store of Resilience.Caching over Redis (a real redis-server on
/// loopback, started for the run), against the default in-memory store: a fresh hit answered by the in-memory tier,
/// and a stale answer read from Redis (a failed call; a stale lookup reads the shared cache first).
/// </summary>
[MemoryDiagnoser]
public class SharedCacheBenchmarks
{
    private const string Key = "Shop.IRates.GetAsync(\"EUR\")";
    private static readonly CacheFallbackOptions Settings = new() { Ttl = TimeSpan.FromHours(1), StaleTtl = TimeSpan.FromHours(1) };
    private readonly TimeoutException _failure = new();
    private RedisServer? _server;
    private RedisCache? _redis;
    private DistributedCacheFallbackStore? _store;
    private CacheFallbackStrategy _inMemory = null!;
    private CacheFallbackStrategy _shared = null!;

    /// <summary>Starts redis-server, and stores one result in both stores.</summary>
    [GlobalSetup]
    public async Task Setup()
    {
        _server = await RedisServer.StartAsync();
        _redis = new RedisCache(Options.Create(new RedisCacheOptions { Configuration = _server.ConnectionString }));
        _store = new DistributedCacheFallbackStore(_redis, new SharedCacheFallbackStoreOptions { TypeInfoResolver = BenchmarkJson.Default });
        for (int i = 0; i < 1_000 && !_store.IsSharedCacheAvailable; i++)
        {
            await Task.Delay(10);
        }

        _inMemory = new CacheFallbackStrategy("in-memory", Settings, new InMemoryCacheFallbackStore());
        _shared = new CacheFallbackStrategy("shared", Settings, _store);
        var rates = new BenchmarkRates("EUR", 0.9m);
        _inMemory.Store(Key, rates);
        _shared.Store(Key, rates);
        for (int i = 0; i < 1_000 && await _redis.GetAsync("resilience:cache:" + Key) is null; i++)
        {
            await Task.Delay(10);
        }

        if (!_shared.TryGetStale(Key, _failure, CancellationToken.None, out BenchmarkRates? _))
        {
            throw new InvalidOperationException("the result never reached Redis");
        }
    }

    /// <summary>Stops redis-server.</summary>
    [GlobalCleanup]
    public async Task Cleanup()
    {
        _store?.Dispose();
        _redis?.Dispose();
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    /// <summary>A fresh hit in the default in-memory store.</summary>
    [Benchmark(Baseline = true)]
    public bool InMemoryStore_FreshHit() => _inMemory.TryGetFresh(Key, out BenchmarkRates? _);

    /// <summary>A fresh hit in the shared store: its in-memory tier answers, no round trip.</summary>
    [Benchmark]
    public bool SharedStore_FreshHit() => _shared.TryGetFresh(Key, out BenchmarkRates? _);

    /// <summary>A failed call answered from the default in-memory store.</summary>
    [Benchmark]
    public bool InMemoryStore_StaleAnswer() => _inMemory.TryGetStale(Key, _failure, CancellationToken.None, out BenchmarkRates? _);

    /// <summary>A failed call answered by the shared store: one read of Redis on loopback and the JSON read back.</summary>
    [Benchmark]
    public bool SharedStore_StaleAnswerFromRedis() => _shared.TryGetStale(Key, _failure, CancellationToken.None, out BenchmarkRates? _);
}

/// <summary>The cached result.</summary>
public sealed record BenchmarkRates(string Base, decimal Euro);

/// <summary>Source-generated metadata of the cached result.</summary>
[JsonSerializable(typeof(BenchmarkRates))]
public sealed partial class BenchmarkJson : JsonSerializerContext;
