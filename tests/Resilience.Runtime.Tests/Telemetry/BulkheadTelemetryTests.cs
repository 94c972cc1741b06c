using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Resilience.Runtime.Tests.Telemetry;

/// <summary>Bulkhead rejections tagged with their reason, the queued gauge, and the worker pools' job counter.</summary>
[Collection(TelemetryCollection.Name)]
public sealed class BulkheadTelemetryTests
{
    [Fact]
    public async Task Rejections_carry_the_reason_and_the_queued_gauge_reports_waiting_calls()
    {
        var time = new FakeTimeProvider();
        using var registry = new ResilienceRegistry(time);
        using var metrics = new MetricCollector(registry, "resilience.rejections", "resilience.bulkhead.queued");
        var bulkhead = registry.GetOrAddBulkhead("db", new BulkheadOptions { MaxConcurrency = 1, MaxQueue = 1, MaxWait = TimeSpan.FromSeconds(1) });
        await bulkhead.EnterAsync(CancellationToken.None);
        Task waiting = bulkhead.EnterAsync(CancellationToken.None).AsTask();
        await Assert.ThrowsAsync<BulkheadRejectedException>(() => bulkhead.EnterAsync(CancellationToken.None).AsTask());

        metrics.Observe();
        Recorded queued = Assert.Single(metrics.Of("resilience.bulkhead.queued"));
        Assert.Equal(1, queued.Value);
        Assert.Equal("db", queued.Tag("resilience.instance"));
        Assert.Equal("bulkhead", queued.Tag("resilience.strategy"));

        time.Advance(TimeSpan.FromSeconds(1));
        await Assert.ThrowsAsync<BulkheadRejectedException>(() => waiting);

        Assert.Equal(
            ["queue_full", "wait_limit_exceeded"],
            metrics.Of("resilience.rejections").Select(r => (string?)r.Tag("resilience.bulkhead.reason")));
        Assert.All(metrics.Of("resilience.rejections"), r => Assert.Equal("bulkhead", r.Tag("resilience.strategy")));
    }

    [Fact]
    public async Task A_registered_worker_pool_counts_its_jobs_and_reports_its_rejections()
    {
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(new FakeTimeProvider());
        services.AddWorkerPool("emails", o => o.MaxConcurrency = 1);
        await using ServiceProvider provider = services.BuildServiceProvider();
        var registry = provider.GetRequiredService<ResilienceRegistry>();
        using var metrics = new MetricCollector(registry, "resilience.worker_pool.jobs", "resilience.rejections", "resilience.bulkhead.queued");
        var rejected = new List<RejectedEventArgs>();
        registry.OnRejected += (_, e) => rejected.Add(e);
        var pool = provider.GetRequiredKeyedService<Resilience.WorkerPool>("emails");

        pool.Submit(_ => default);
        pool.Submit(_ => throw new InvalidOperationException("boom"));
        await pool.ShutdownAsync(TimeSpan.FromSeconds(10));
        Assert.Throws<BulkheadRejectedException>(() => pool.Submit(_ => default));

        Assert.Equal(["success", "failure"], metrics.Of("resilience.worker_pool.jobs").Select(r => (string?)r.Tag("resilience.outcome")));
        Recorded rejection = Assert.Single(metrics.Of("resilience.rejections"));
        Assert.Equal("worker_pool", rejection.Tag("resilience.strategy"));
        Assert.Equal("shut_down", rejection.Tag("resilience.bulkhead.reason"));
        Assert.Equal("worker_pool", Assert.Single(rejected).Strategy);
        metrics.Observe();
        Assert.Contains(metrics.Of("resilience.bulkhead.queued"), r => (string?)r.Tag("resilience.strategy") == "worker_pool" && r.Value == 0);
    }
}
