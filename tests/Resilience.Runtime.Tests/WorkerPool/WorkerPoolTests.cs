using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;

namespace Resilience.Runtime.Tests.WorkerPool;

using WorkerPool = global::Resilience.WorkerPool;

public sealed class WorkerPoolTests
{
    private static readonly TimeSpan Safety = TimeSpan.FromSeconds(10);

    private static WorkerPool Create(int maxConcurrency = 1, int maxQueue = 1, TimeProvider? time = null)
        => new("jobs", new WorkerPoolOptions { MaxConcurrency = maxConcurrency, MaxQueue = maxQueue }, time);

    [Fact]
    public async Task Submit_rejects_at_once_when_the_queue_is_full_and_TrySubmit_returns_false()
    {
        await using var pool = Create(maxConcurrency: 1, maxQueue: 1);
        var running = new TaskCompletionSource();
        var release = new TaskCompletionSource();
        pool.Submit(async _ =>
        {
            running.SetResult();
            await release.Task;
        });
        await running.Task.WaitAsync(Safety); // the worker holds the first job
        pool.Submit(_ => default);            // the second waits in the queue

        Assert.False(pool.TrySubmit(_ => default));
        var rejected = Assert.Throws<BulkheadRejectedException>(() => pool.Submit(_ => default));
        Assert.Equal(BulkheadRejectionReason.QueueFull, rejected.Reason);
        Assert.Equal("jobs", rejected.InstanceName);
        Assert.Equal(1, pool.QueuedCount);
        Assert.Equal(1, pool.RunningCount);

        release.SetResult();
        WorkerPoolShutdownResult result = await pool.ShutdownAsync(Safety).WaitAsync(Safety);
        Assert.True(result.Drained);
        Assert.Equal(2, pool.CompletedCount);
        Assert.Equal(2, pool.SubmittedCount);
    }

    [Fact]
    public async Task SubmitAsync_waits_for_room_and_its_wait_can_be_cancelled()
    {
        await using var pool = Create(maxConcurrency: 1, maxQueue: 1);
        var release = new TaskCompletionSource();
        var started = new TaskCompletionSource();
        pool.Submit(async _ =>
        {
            started.SetResult();
            await release.Task;
        });
        await started.Task.WaitAsync(Safety);
        pool.Submit(_ => default);

        using var cts = new CancellationTokenSource();
        ValueTask cancelled = pool.SubmitAsync(_ => default, cts.Token);
        Task waiting = pool.SubmitAsync(_ => default).AsTask();
        Assert.False(cancelled.IsCompleted);
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled.AsTask().WaitAsync(Safety));
        Assert.False(waiting.IsCompleted);

        release.SetResult(); // room frees up: the waiting submission gets in
        await waiting.WaitAsync(Safety);
        await pool.ShutdownAsync(Safety).WaitAsync(Safety);
        Assert.Equal(3, pool.CompletedCount); // the cancelled submission was never queued
    }

    [Fact]
    public async Task A_failing_job_is_counted_and_reported_and_the_worker_goes_on()
    {
        await using var pool = Create(maxConcurrency: 1, maxQueue: 10);
        var failures = new List<Exception>();
        pool.JobFailed += (_, e) =>
        {
            lock (failures)
            {
                failures.Add(e.Exception);
            }

            throw new InvalidOperationException("a bad handler is ignored");
        };

        pool.Submit(_ => throw new InvalidOperationException("sync throw"));
        pool.Submit(async _ =>
        {
            await Task.Yield();
            throw new TimeoutException("async throw");
        });
        pool.Submit(_ => default);
        WorkerPoolShutdownResult result = await pool.ShutdownAsync(Safety).WaitAsync(Safety);

        Assert.True(result.Drained);
        Assert.Equal(2, pool.FailedCount);
        Assert.Equal(1, pool.CompletedCount);
        Assert.Equal(["sync throw", "async throw"], failures.Select(e => e.Message));
    }

    [Fact]
    public async Task At_the_deadline_running_jobs_are_cancelled_and_queued_ones_dropped_on_the_time_provider()
    {
        var time = new FakeTimeProvider();
        var pool = Create(maxConcurrency: 1, maxQueue: 5, time: time);
        var started = new TaskCompletionSource();
        int ran = 0;
        pool.Submit(async token =>
        {
            started.SetResult();
            await Task.Delay(global::System.Threading.Timeout.Infinite, token); // ends only when the pool cancels it
        });
        await started.Task.WaitAsync(Safety);
        for (int i = 0; i < 3; i++)
        {
            pool.Submit(_ =>
            {
                Interlocked.Increment(ref ran);
                return default;
            });
        }

        Task<WorkerPoolShutdownResult> shutdown = pool.ShutdownAsync(TimeSpan.FromSeconds(30));
        Assert.True(pool.IsShutDown);
        Assert.Equal(BulkheadRejectionReason.ShutDown, Assert.Throws<BulkheadRejectedException>(() => pool.Submit(_ => default)).Reason);
        await Assert.ThrowsAsync<BulkheadRejectedException>(() => pool.SubmitAsync(_ => default).AsTask());

        time.Advance(TimeSpan.FromSeconds(29));
        Assert.False(shutdown.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(1));
        WorkerPoolShutdownResult result = await shutdown.WaitAsync(Safety);

        Assert.Equal(new WorkerPoolShutdownResult(Drained: false, Dropped: 3, StillRunning: 0), result);
        Assert.Equal(0, ran);
        Assert.Equal(1, pool.FailedCount); // the cancelled job threw OperationCanceledException
        Assert.Same(shutdown, pool.ShutdownAsync(TimeSpan.Zero));
    }

    [Fact]
    public async Task AddWorkerPool_registers_a_keyed_pool_that_the_hosts_stop_drains()
    {
        var services = new ServiceCollection();
        services.AddWorkerPool("emails", o =>
        {
            o.MaxConcurrency = 2;
            o.MaxQueue = 50;
            o.ShutdownTimeout = TimeSpan.FromSeconds(5);
        });
        await using ServiceProvider provider = services.BuildServiceProvider();
        IHostedService[] hosted = provider.GetServices<IHostedService>().ToArray();
        foreach (IHostedService service in hosted)
        {
            await service.StartAsync(CancellationToken.None);
        }

        var pool = provider.GetRequiredKeyedService<WorkerPool>("emails");
        Assert.Equal(2, pool.MaxConcurrency);
        int done = 0;
        for (int i = 0; i < 20; i++)
        {
            pool.Submit(async _ =>
            {
                await Task.Yield();
                Interlocked.Increment(ref done);
            });
        }

        foreach (IHostedService service in hosted)
        {
            await service.StopAsync(CancellationToken.None);
        }

        Assert.Equal(20, done);
        Assert.True(pool.IsShutDown);
        Assert.Throws<InvalidOperationException>(() => services.AddWorkerPool("emails"));
    }

    [Fact]
    public async Task AddWorkerPool_reads_the_options_from_a_configuration_section()
    {
        IConfiguration configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["WorkerPools:emails:MaxConcurrency"] = "3",
            ["WorkerPools:emails:ShutdownTimeout"] = "00:00:05",
            ["WorkerPools:audit:MaxQueue"] = "0",
        }).Build();
        var services = new ServiceCollection();
        services.AddWorkerPool("emails", configuration.GetSection("WorkerPools:emails"));
        services.AddWorkerPool("audit", configuration.GetSection("WorkerPools:audit"));
        await using ServiceProvider provider = services.BuildServiceProvider();

        var emails = provider.GetRequiredKeyedService<WorkerPool>("emails");
        Assert.Equal(3, emails.MaxConcurrency);
        Assert.Equal(100, emails.MaxQueue);
        Assert.Equal(TimeSpan.FromSeconds(5), emails.ShutdownTimeout);
        Assert.Equal("MaxQueue", Assert.Throws<ArgumentOutOfRangeException>(() => provider.GetRequiredKeyedService<WorkerPool>("audit")).ParamName);
    }

    [Fact]
    public async Task A_deadline_beyond_what_a_timer_can_wait_drains_without_one()
    {
        var pool = Create(maxConcurrency: 2, maxQueue: 10);
        int ran = 0;
        for (int i = 0; i < 5; i++)
        {
            pool.Submit(async _ =>
            {
                await Task.Yield();
                Interlocked.Increment(ref ran);
            });
        }

        WorkerPoolShutdownResult result = await pool.ShutdownAsync(TimeSpan.MaxValue).WaitAsync(Safety);

        Assert.True(result.Drained);
        Assert.Equal(5, ran);
    }

    [Fact]
    public void Invalid_options_name_the_setting()
    {
        Assert.Equal("MaxQueue", Assert.Throws<ArgumentOutOfRangeException>(() => new WorkerPool("p", new WorkerPoolOptions { MaxQueue = 0 })).ParamName);
        Assert.Equal("MaxConcurrency", Assert.Throws<ArgumentOutOfRangeException>(() => new WorkerPool("p", new WorkerPoolOptions { MaxConcurrency = 0 })).ParamName);
        Assert.Equal("ShutdownTimeout", Assert.Throws<ArgumentOutOfRangeException>(() => new WorkerPool("p", new WorkerPoolOptions { ShutdownTimeout = TimeSpan.FromSeconds(-1) })).ParamName);
    }
}
