using Microsoft.Extensions.Time.Testing;
using Resilience.Runtime.Tests.Telemetry;

namespace Resilience.Runtime.Tests.WorkerPool;

using WorkerPool = global::Resilience.WorkerPool;

/// <summary>
/// The worker pool's argument checks, its counters and telemetry, and that neither the pool's awaits nor its workers
/// resume on a caller's (or a job's) <see cref="SynchronizationContext"/>.
/// </summary>
public sealed class WorkerPoolContractTests
{
    private const string Jobs = "resilience.worker_pool.jobs";
    private const string Rejections = "resilience.rejections";
    private static readonly TimeSpan Safety = TimeSpan.FromSeconds(10);

    private static WorkerPool Create(int maxConcurrency = 1, int maxQueue = 1, TimeProvider? time = null, ResilienceTelemetry? telemetry = null)
        => new("jobs", new WorkerPoolOptions { MaxConcurrency = maxConcurrency, MaxQueue = maxQueue }, time, telemetry);

    private static TaskCompletionSource Signal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Submits a job that ignores its token and runs until the returned signal is set; returns once it runs.</summary>
    private static async Task<TaskCompletionSource> StartHeldJobAsync(WorkerPool pool)
    {
        var started = Signal();
        var release = Signal();
        pool.Submit(_ =>
        {
            started.SetResult();
            return new ValueTask(release.Task);
        });
        await started.Task.WaitAsync(Safety);
        return release;
    }

    [Fact]
    public async Task Arguments_are_checked_and_the_exception_names_the_parameter()
    {
        var options = new WorkerPoolOptions();
        Assert.Equal("name", Assert.Throws<ArgumentNullException>(() => new WorkerPool(null!, options)).ParamName);
        Assert.Equal("name", Assert.Throws<ArgumentException>(() => new WorkerPool(string.Empty, options)).ParamName);
        Assert.Equal("options", Assert.Throws<ArgumentNullException>(() => new WorkerPool("jobs", null!)).ParamName);

        await using WorkerPool pool = Create();
        Assert.Equal("job", Assert.Throws<ArgumentNullException>(() => pool.TrySubmit(null!)).ParamName);
        Assert.Equal("job", Assert.Throws<ArgumentNullException>(() => pool.Submit(null!)).ParamName);
        Assert.Equal("job", (await Assert.ThrowsAsync<ArgumentNullException>(() => pool.SubmitAsync(null!).AsTask())).ParamName);
        Assert.Equal("deadline", Assert.Throws<ArgumentOutOfRangeException>(() => { _ = pool.ShutdownAsync(TimeSpan.FromTicks(-1)); }).ParamName);

        Assert.Equal(0, pool.SubmittedCount);
        Assert.Equal(0, pool.QueuedCount);
        Assert.False(pool.IsShutDown); // a refused deadline does not start a shutdown
    }

    [Fact]
    public async Task SubmitAsync_counts_the_jobs_it_queued()
    {
        await using WorkerPool pool = Create(maxConcurrency: 1, maxQueue: 2);
        var release = Signal();
        await pool.SubmitAsync(_ => new ValueTask(release.Task));
        await pool.SubmitAsync(_ => default);

        Assert.Equal(2, pool.SubmittedCount);
        release.SetResult();
        Assert.True((await pool.ShutdownAsync(Safety).WaitAsync(Safety)).Drained);
        Assert.Equal(2, pool.CompletedCount);
    }

    [Fact]
    public async Task A_registered_pool_reports_every_job_by_outcome_and_every_rejection_by_reason()
    {
        var time = new FakeTimeProvider();
        using var registry = new ResilienceRegistry(time);
        using var metrics = new MetricCollector(registry, Jobs, Rejections);
        WorkerPool pool = Create(maxConcurrency: 1, maxQueue: 3, time, registry.Telemetry);
        pool.Submit(_ => default);                                            // success
        pool.Submit(_ => throw new InvalidOperationException("job failed")); // failure
        TaskCompletionSource release = await StartHeldJobAsync(pool);         // success, after the deadline (it ignores the token)
        for (int i = 0; i < 3; i++)
        {
            pool.Submit(_ => default); // these wait in the queue and are dropped at the deadline
        }

        Assert.Equal(BulkheadRejectionReason.QueueFull, Assert.Throws<BulkheadRejectedException>(() => pool.Submit(_ => default)).Reason);

        Task<WorkerPoolShutdownResult> shutdown = pool.ShutdownAsync(TimeSpan.FromSeconds(1));
        time.Advance(TimeSpan.FromSeconds(1));
        release.SetResult();
        Assert.Equal(new WorkerPoolShutdownResult(Drained: false, Dropped: 3, StillRunning: 0), await shutdown.WaitAsync(Safety));
        Assert.Equal(BulkheadRejectionReason.ShutDown, Assert.Throws<BulkheadRejectedException>(() => pool.Submit(_ => default)).Reason);

        IReadOnlyList<Recorded> jobs = metrics.Of(Jobs);
        Assert.All(jobs, j =>
        {
            Assert.Equal(1, j.Value);
            Assert.Equal("jobs", j.Tag("resilience.instance"));
            Assert.Equal("worker_pool", j.Tag("resilience.strategy"));
        });
        Assert.Equal(
            ["dropped", "dropped", "dropped", "failure", "success", "success"],
            jobs.Select(j => (string)j.Tag("resilience.outcome")!).Order(StringComparer.Ordinal));

        IReadOnlyList<Recorded> rejections = metrics.Of(Rejections);
        Assert.All(rejections, r =>
        {
            Assert.Equal("jobs", r.Tag("resilience.instance"));
            Assert.Equal("worker_pool", r.Tag("resilience.strategy"));
            Assert.Equal(typeof(BulkheadRejectedException).FullName, r.Tag("error.type"));
        });
        Assert.Equal(["queue_full", "shut_down"], rejections.Select(r => r.Tag("resilience.bulkhead.reason")));
    }

    [Fact]
    public async Task A_deadline_of_the_longest_timer_is_still_timed_on_the_pools_clock()
    {
        var time = new FakeTimeProvider();
        WorkerPool pool = Create(time: time);
        var started = Signal();
        pool.Submit(async token =>
        {
            started.SetResult();
            await Task.Delay(global::System.Threading.Timeout.Infinite, token); // ends only when the deadline cancels it
        });
        await started.Task.WaitAsync(Safety);

        TimeSpan longest = TimeSpan.FromMilliseconds(uint.MaxValue - 1); // the longest wait a timer supports
        Task<WorkerPoolShutdownResult> shutdown = pool.ShutdownAsync(longest);
        time.Advance(longest - TimeSpan.FromMilliseconds(1));
        Assert.False(shutdown.IsCompleted);
        time.Advance(TimeSpan.FromMilliseconds(1));

        Assert.False((await shutdown.WaitAsync(Safety)).Drained);
        Assert.Equal(1, pool.FailedCount); // the job ended with the cancellation
    }

    [Fact]
    public async Task SubmitAsync_that_waited_for_room_does_not_resume_on_the_callers_context()
    {
        await using WorkerPool pool = Create(maxConcurrency: 1, maxQueue: 1);
        TaskCompletionSource release = await StartHeldJobAsync(pool);
        pool.Submit(_ => default); // the queue is full now

        var context = new RecordingSynchronizationContext();
        Task waiting = context.Run(() => pool.SubmitAsync(_ => default).AsTask());
        Assert.False(waiting.IsCompleted);
        release.SetResult(); // the worker takes the queued job, which makes room, on a thread without the context
        await waiting.WaitAsync(Safety);

        Assert.Equal(0, context.Posts);
        Assert.Equal(3, pool.SubmittedCount);
    }

    [Fact]
    public async Task ShutdownAsync_waiting_for_the_running_jobs_does_not_resume_on_the_callers_context()
    {
        WorkerPool pool = Create(time: new FakeTimeProvider());
        TaskCompletionSource release = await StartHeldJobAsync(pool);

        var context = new RecordingSynchronizationContext();
        Task<WorkerPoolShutdownResult> shutdown = context.Run(() => pool.ShutdownAsync(TimeSpan.FromSeconds(30)));
        Assert.False(shutdown.IsCompleted);
        release.SetResult();

        Assert.True((await shutdown.WaitAsync(Safety)).Drained);
        Assert.Equal(0, context.Posts);
    }

    [Fact]
    public async Task DisposeAsync_waiting_for_a_job_that_ignores_the_token_does_not_resume_on_the_callers_context()
    {
        WorkerPool pool = Create();
        TaskCompletionSource release = await StartHeldJobAsync(pool);

        var context = new RecordingSynchronizationContext();
        Task disposing = context.Run(() => pool.DisposeAsync().AsTask());
        Assert.False(disposing.IsCompleted);
        Assert.True(pool.IsShutDown);
        release.SetResult();
        await disposing.WaitAsync(Safety);

        Assert.Equal(0, context.Posts);
        Assert.Equal(1, pool.CompletedCount);
    }

    [Fact]
    public async Task A_shutdown_whose_cancellation_callbacks_run_late_does_not_resume_on_the_callers_context()
    {
        WorkerPool pool = Create();
        using var callbackMayEnd = new ManualResetEventSlim();
        var started = Signal();
        var ended = Signal();
        pool.Submit(token =>
        {
            token.Register(() =>
            {
                callbackMayEnd.Wait(Safety); // keeps the shutdown's cancellation pending until the context is gone
                ended.TrySetResult();
            });
            started.SetResult();
            return new ValueTask(ended.Task);
        });
        await started.Task.WaitAsync(Safety);

        var context = new RecordingSynchronizationContext();
        Task<WorkerPoolShutdownResult> shutdown = context.Run(() => pool.ShutdownAsync(TimeSpan.Zero));
        Assert.False(shutdown.IsCompleted);
        callbackMayEnd.Set();

        Assert.Equal(new WorkerPoolShutdownResult(Drained: false, Dropped: 0, StillRunning: 0), await shutdown.WaitAsync(Safety));
        Assert.Equal(0, context.Posts);
    }

    [Fact]
    public async Task A_job_that_leaves_a_SynchronizationContext_on_its_thread_does_not_capture_the_worker()
    {
        // Some code installs a context on the thread it runs on and leaves it there (creating a WinForms control does):
        // the worker that ran such a job must go on without resuming on that context.
        var context = new RecordingSynchronizationContext();
        WorkerPool pool = Create(maxConcurrency: 1, maxQueue: 1);
        for (int i = 0; i < 5; i++)
        {
            var ran = Signal();
            pool.Submit(_ =>
            {
                SynchronizationContext.SetSynchronizationContext(context);
                ran.SetResult();
                return default; // finished: the worker goes on to wait for the next job with the context on its thread
            });
            await ran.Task.WaitAsync(Safety);
        }

        var running = Signal();
        var release = Signal();
        pool.Submit(_ =>
        {
            SynchronizationContext.SetSynchronizationContext(context);
            running.SetResult();
            return new ValueTask(release.Task); // unfinished: the worker awaits it with the context on its thread
        });
        await running.Task.WaitAsync(Safety);
        release.SetResult();

        Assert.True((await pool.ShutdownAsync(Safety).WaitAsync(Safety)).Drained);
        Assert.Equal(6, pool.CompletedCount);
        Assert.Equal(0, context.Posts);
    }
}
