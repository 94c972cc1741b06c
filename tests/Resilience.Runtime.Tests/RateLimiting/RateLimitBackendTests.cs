using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Resilience.Runtime.Tests.RateLimiting;

/// <summary>
/// The registry hands a rate limit to a registered <see cref="IRateLimitBackendProvider"/> when it creates it; the
/// backend decides, and its "use local" answers go to the limit's own local limiter.
/// </summary>
public sealed class RateLimitBackendTests
{
    private static readonly RateLimitOptions Options = new() { PermitLimit = 2, Window = TimeSpan.FromSeconds(1) };

    [Fact]
    public void Without_a_provider_a_limit_has_no_backend()
    {
        using var provider = Services(null).BuildServiceProvider();
        var registry = provider.GetRequiredService<ResilienceRegistry>();

        Assert.Null(registry.GetOrAddRateLimit("plain", Options).Backend);
        Assert.Null(registry.GetOrAddKeyedRateLimit<string>("keyed", Options).Backend);
    }

    [Fact]
    public async Task The_backend_decides_and_local_permits_are_untouched_until_it_says_use_local()
    {
        var backend = new ScriptedBackend();
        using var provider = Services(new Provider(backend, only: "remote")).BuildServiceProvider();
        var registry = provider.GetRequiredService<ResilienceRegistry>();
        var limit = registry.GetOrAddRateLimit("remote", Options);
        Assert.Null(registry.GetOrAddRateLimit("other", Options).Backend);

        backend.Next = RateLimitDecision.Acquired;
        for (var i = 0; i < 5; i++)
        {
            Assert.True(limit.TryAcquire());
            await limit.AcquireAsync(CancellationToken.None);
            limit.Acquire(CancellationToken.None);
        }

        backend.Next = RateLimitDecision.Rejected(TimeSpan.FromMilliseconds(300));
        Assert.False(limit.TryAcquire());
        var rejected = await Assert.ThrowsAsync<RateLimitRejectedException>(() => limit.AcquireAsync(CancellationToken.None).AsTask());
        Assert.Equal(TimeSpan.FromMilliseconds(300), rejected.RetryAfter);
        Assert.Equal("remote", rejected.InstanceName);
        Assert.Throws<RateLimitRejectedException>(() => limit.Acquire(CancellationToken.None));

        // Use local: the local limiter (2 permits, none taken so far) decides.
        backend.Next = RateLimitDecision.UseLocal;
        Assert.True(limit.TryAcquire());
        await limit.AcquireAsync(CancellationToken.None);
        Assert.Throws<RateLimitRejectedException>(() => limit.Acquire(CancellationToken.None));
        Assert.Equal([null], backend.Partitions.Distinct());
    }

    [Fact]
    public async Task A_keyed_limit_passes_each_key_as_its_partition_and_falls_back_per_key()
    {
        var backend = new ScriptedBackend { Next = RateLimitDecision.Acquired };
        using var provider = Services(new Provider(backend, only: null)).BuildServiceProvider();
        var limit = provider.GetRequiredService<ResilienceRegistry>().GetOrAddKeyedRateLimit<string>("tenants", Options);

        Assert.True(limit.TryAcquire("7"));
        await limit.AcquireAsync(null, CancellationToken.None);
        limit.Acquire("-1", CancellationToken.None);
        Assert.Equal(["=7", "null", "=-1"], backend.Partitions);
        Assert.True(backend.LastIsKeyed);

        backend.Next = RateLimitDecision.UseLocal;
        Assert.True(limit.TryAcquire("7"));
        Assert.True(limit.TryAcquire("7"));
        Assert.False(limit.TryAcquire("7"));
        Assert.True(limit.TryAcquire("8"));
        Assert.Equal(2, limit.KeyCount);
    }

    [Fact]
    public void Reload_reconfigures_the_backend_and_disposing_the_registry_disposes_it()
    {
        var backend = new ScriptedBackend();
        var services = Services(new Provider(backend, only: null));
        services.Configure<ResilienceOptions>(_ => { });
        var monitor = new TestMonitor();
        services.AddSingleton<IOptionsMonitor<ResilienceOptions>>(monitor);
        var provider = services.BuildServiceProvider();
        var registry = provider.GetRequiredService<ResilienceRegistry>();
        registry.GetOrAddRateLimit("remote", Options);

        var changed = new ResilienceOptions();
        changed.Instances["remote"] = new ResilienceInstanceOptions { RateLimit = new RateLimitOverrides { PermitLimit = 9 } };
        monitor.Change(changed);
        Assert.Equal(9, backend.Reconfigured?.PermitLimit);

        provider.Dispose();
        Assert.True(backend.Disposed);
    }

    [Fact]
    public void Decisions_compare_and_describe_themselves()
    {
        Assert.Equal(default, RateLimitDecision.UseLocal);
        Assert.True(RateLimitDecision.UseLocal.IsUseLocal);
        Assert.True(RateLimitDecision.Acquired.IsAcquired);
        Assert.True(RateLimitDecision.Rejected(null).IsRejected);
        Assert.NotEqual(RateLimitDecision.Rejected(null), RateLimitDecision.Rejected(TimeSpan.FromSeconds(1)));
        Assert.Equal("Rejected (retry after 1000 ms)", RateLimitDecision.Rejected(TimeSpan.FromSeconds(1)).ToString());
        Assert.Equal("=x", RateLimitPartition.Of("x"));
        Assert.Equal("=1.5", RateLimitPartition.Of(1.5));
        Assert.Equal("null", RateLimitPartition.Of<string>(null));
        Assert.NotEqual(RateLimitPartition.Of("null"), RateLimitPartition.Of<string>(null));
    }

    private static ServiceCollection Services(IRateLimitBackendProvider? provider)
    {
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(new FakeTimeProvider());
        if (provider is not null)
        {
            services.AddSingleton(provider);
        }

        services.AddResilienceRegistry();
        return services;
    }

    private sealed class Provider(ScriptedBackend backend, string? only) : IRateLimitBackendProvider
    {
        public IRateLimitBackend? CreateBackend(string name, RateLimitOptions options, bool isKeyed)
        {
            if (only is not null && name != only)
            {
                return null;
            }

            backend.LastIsKeyed = isKeyed;
            return backend;
        }
    }

    private sealed class ScriptedBackend : IRateLimitBackend
    {
        public RateLimitDecision Next { get; set; }

        public List<string?> Partitions { get; } = [];

        public bool LastIsKeyed { get; set; }

        public RateLimitOptions? Reconfigured { get; private set; }

        public bool Disposed { get; private set; }

        public ValueTask<RateLimitDecision> AcquireAsync(string? partition, CancellationToken cancellationToken) => new(Acquire(partition));

        public RateLimitDecision Acquire(string? partition)
        {
            Partitions.Add(partition);
            return Next;
        }

        public void Reconfigure(RateLimitOptions options) => Reconfigured = options;

        public void Dispose() => Disposed = true;
    }

    private sealed class TestMonitor : IOptionsMonitor<ResilienceOptions>
    {
        private Action<ResilienceOptions, string?>? _listener;

        public ResilienceOptions CurrentValue { get; private set; } = new();

        public ResilienceOptions Get(string? name) => CurrentValue;

        public IDisposable OnChange(Action<ResilienceOptions, string?> listener)
        {
            _listener += listener;
            return new Unsubscribe();
        }

        public void Change(ResilienceOptions options)
        {
            CurrentValue = options;
            _listener?.Invoke(options, Microsoft.Extensions.Options.Options.DefaultName);
        }

        private sealed class Unsubscribe : IDisposable
        {
            public void Dispose()
            {
            }
        }
    }
}
