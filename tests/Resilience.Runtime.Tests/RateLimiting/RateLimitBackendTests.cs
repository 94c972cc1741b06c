using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Resilience.Runtime.Tests.Telemetry;

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
    public async Task A_keyed_limit_with_a_backend_rejects_as_the_backend_says_and_uses_its_local_limit_when_told()
    {
        var backend = new ScriptedBackend { Next = RateLimitDecision.Rejected(TimeSpan.FromMilliseconds(250)) };
        using var provider = Services(new Provider(backend, only: null)).BuildServiceProvider();
        var limit = provider.GetRequiredService<ResilienceRegistry>().GetOrAddKeyedRateLimit<string>("tenants", Options);

        var rejected = Assert.IsType<RateLimitRejectedException>(limit.Admit("a", CancellationToken.None));
        Assert.Equal(TimeSpan.FromMilliseconds(250), rejected.RetryAfter);
        var rejectedAsync = Assert.IsType<RateLimitRejectedException>(await limit.AdmitAsync("a", CancellationToken.None));
        Assert.Equal(("tenants", TimeSpan.FromMilliseconds(250)), (rejectedAsync.InstanceName, rejectedAsync.RetryAfter));

        // Use local: the key's own limit (2 permits) decides, on both paths.
        backend.Next = RateLimitDecision.UseLocal;
        Assert.Null(await limit.AdmitAsync("a", CancellationToken.None));
        Assert.Null(limit.Admit("a", CancellationToken.None));
        Assert.IsType<RateLimitRejectedException>(await limit.AdmitAsync("a", CancellationToken.None));
        Assert.IsType<RateLimitRejectedException>(limit.Admit("a", CancellationToken.None));
    }

    [Fact]
    public void A_keyed_limit_reconfigures_and_disposes_its_backend()
    {
        var backend = new ScriptedBackend();
        using var provider = Services(new Provider(backend, only: null)).BuildServiceProvider();
        var limit = provider.GetRequiredService<ResilienceRegistry>().GetOrAddKeyedRateLimit<string>("tenants", Options);

        ((IKeyedRateLimit)limit).Reconfigure(new RateLimitOptions { PermitLimit = 7, Window = TimeSpan.FromSeconds(1) });
        Assert.Equal(7, backend.Reconfigured?.PermitLimit);
        limit.Dispose();
        Assert.True(backend.Disposed);
    }

    [Fact]
    public async Task Waiting_on_a_backend_never_resumes_on_the_callers_synchronization_context()
    {
        var backend = new ScriptedBackend { Pending = new TaskCompletionSource<RateLimitDecision>() };
        using var provider = Services(new Provider(backend, only: null)).BuildServiceProvider();
        var registry = provider.GetRequiredService<ResilienceRegistry>();
        RateLimitStrategy limit = registry.GetOrAddRateLimit("remote", Options);
        var keyed = registry.GetOrAddKeyedRateLimit<string>("tenants", Options);
        var context = new RecordingSynchronizationContext();

        ValueTask<Exception?> admitted = context.Run(() => limit.AdmitAsync(CancellationToken.None));
        ValueTask<Exception?> keyedAdmitted = context.Run(() => keyed.AdmitAsync("a", CancellationToken.None));
        Assert.False(admitted.IsCompleted || keyedAdmitted.IsCompleted);
        backend.Pending.SetResult(RateLimitDecision.Acquired);

        Assert.Null(await admitted.AsTask().WaitAsync(TimeSpan.FromSeconds(30)).ConfigureAwait(false));
        Assert.Null(await keyedAdmitted.AsTask().WaitAsync(TimeSpan.FromSeconds(30)).ConfigureAwait(false));
        Assert.Equal(0, context.Posts);
    }

    [Fact]
    public async Task Waiting_in_the_local_queue_after_the_backend_said_use_local_never_resumes_on_the_callers_context()
    {
        var backend = new ScriptedBackend { Next = RateLimitDecision.UseLocal };
        var services = Services(new Provider(backend, only: null));
        using var provider = services.BuildServiceProvider();
        var time = (FakeTimeProvider)provider.GetRequiredService<TimeProvider>();
        var registry = provider.GetRequiredService<ResilienceRegistry>();
        var queued = new RateLimitOptions { PermitLimit = 1, Window = TimeSpan.FromSeconds(1), QueueLimit = 1 };
        RateLimitStrategy limit = registry.GetOrAddRateLimit("remote", queued);
        var keyed = registry.GetOrAddKeyedRateLimit<string>("tenants", queued);

        await QueuedAdmissionContext.AssertQueuedAdmissionsNeverResumeOnIt(limit, keyed, time);
    }

    [Fact]
    public async Task A_backend_rejection_is_reported_with_the_rate_limit_strategy_tag()
    {
        var backend = new ScriptedBackend { Next = RateLimitDecision.Rejected(null) };
        using var provider = Services(new Provider(backend, only: null)).BuildServiceProvider();
        var registry = provider.GetRequiredService<ResilienceRegistry>();
        using var metrics = new MetricCollector(registry, "resilience.rejections");

        Assert.IsType<RateLimitRejectedException>(await registry.GetOrAddRateLimit("remote", Options).AdmitAsync(CancellationToken.None));

        Recorded rejection = Assert.Single(metrics.Of("resilience.rejections"));
        Assert.Equal(("remote", "rate_limit"), (rejection.Tag("resilience.instance"), rejection.Tag("resilience.strategy")));
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

        /// <summary>When set, <see cref="AcquireAsync"/> answers with this task's decision instead of <see cref="Next"/>.</summary>
        public TaskCompletionSource<RateLimitDecision>? Pending { get; set; }

        public ValueTask<RateLimitDecision> AcquireAsync(string? partition, CancellationToken cancellationToken)
        {
            if (Pending is { } pending)
            {
                Partitions.Add(partition);
                return new(pending.Task);
            }

            return new(Acquire(partition));
        }

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
