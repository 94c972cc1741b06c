using System.Diagnostics.Metrics;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.DependencyInjection;
using Resilience.Redis;
using Resilience.Tests.Shared;

namespace Resilience.Benchmarks.Redis;

/// <summary>A service with one rate limit, so high that nothing is rejected: the cost of counting a permit.</summary>
public interface IRateLimitedService
{
    /// <summary>Returns at once.</summary>
    [RateLimit(Name = RedisRateLimitBenchmarks.InstanceName, PermitLimit = 1_000_000_000, WindowMs = 1_000)]
    Task<int> GetAsync();
}

/// <summary>The inner service: returns a completed task.</summary>
public sealed class RateLimitedService : IRateLimitedService
{
    private static readonly Task<int> s_result = Task.FromResult(1);

    /// <inheritdoc />
    public Task<int> GetAsync() => s_result;
}

/// <summary>
/// The per-call cost of a rate limit counted in the process, and on Redis over loopback (a real redis-server started in
/// setup) without a lease and with leases of 10 and 100 permits per round trip.
/// </summary>
[MemoryDiagnoser]
public class RedisRateLimitBenchmarks
{
    /// <summary>The rate limit's instance name.</summary>
    public const string InstanceName = "bench.limit";

    private RedisServer? _server;
    private ServiceProvider? _local;
    private ServiceProvider? _redis;
    private ServiceProvider? _lease10;
    private ServiceProvider? _lease100;
    private IRateLimitedService _localProxy = null!;
    private IRateLimitedService _redisProxy = null!;
    private IRateLimitedService _lease10Proxy = null!;
    private IRateLimitedService _lease100Proxy = null!;

    /// <summary>Starts redis-server and one container per variant, and waits until each reaches Redis.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _server = RedisServer.StartAsync().GetAwaiter().GetResult();
        (_local, _localProxy) = Create(leasePermits: null);
        (_redis, _redisProxy) = Create(leasePermits: 1);
        (_lease10, _lease10Proxy) = Create(leasePermits: 10);
        (_lease100, _lease100Proxy) = Create(leasePermits: 100);
        WaitForRedis(expected: 3);
    }

    /// <summary>Disposes the containers and stops the server.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        foreach (ServiceProvider? provider in new[] { _local, _redis, _lease10, _lease100 })
        {
            provider?.Dispose();
        }

        _server?.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    /// <summary>The rate limit counted in this process.</summary>
    [Benchmark(Baseline = true)]
    public Task<int> Local() => _localProxy.GetAsync();

    /// <summary>One round trip per call.</summary>
    [Benchmark]
    public Task<int> Redis() => _redisProxy.GetAsync();

    /// <summary>One round trip per 10 calls.</summary>
    [Benchmark]
    public Task<int> RedisLease10() => _lease10Proxy.GetAsync();

    /// <summary>One round trip per 100 calls.</summary>
    [Benchmark]
    public Task<int> RedisLease100() => _lease100Proxy.GetAsync();

    private (ServiceProvider Provider, IRateLimitedService Proxy) Create(int? leasePermits)
    {
        var services = new ServiceCollection();
        services.AddResilient<IRateLimitedService, RateLimitedService>(ServiceLifetime.Singleton);
        if (leasePermits is { } lease)
        {
            services.AddResilienceRedis(o => o.Configuration = _server!.ConnectionString).AddRateLimit(InstanceName, o => o.LeasePermits = lease);
        }

        ServiceProvider provider = services.BuildServiceProvider();
        return (provider, provider.GetRequiredService<IRateLimitedService>());
    }

    /// <summary>Polls the resilience.redis.available gauges until <paramref name="expected"/> read 1 (or 20 s passed).</summary>
    private static void WaitForRedis(int expected)
    {
        long available = 0;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == "Resilience.Redis" && instrument.Name == "resilience.redis.available")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<int>((_, value, _, _) => Interlocked.Add(ref available, value));
        listener.Start();
        for (int i = 0; i < 1_000; i++)
        {
            Interlocked.Exchange(ref available, 0);
            listener.RecordObservableInstruments();
            if (Interlocked.Read(ref available) >= expected)
            {
                return;
            }

            Thread.Sleep(20);
        }

        throw new InvalidOperationException("Redis did not become available within 20 s.");
    }
}
