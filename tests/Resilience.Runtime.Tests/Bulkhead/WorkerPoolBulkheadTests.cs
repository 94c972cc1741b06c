using Microsoft.Extensions.Time.Testing;

namespace Resilience.Runtime.Tests.Bulkhead;

public sealed class WorkerPoolBulkheadTests
{
    private static readonly TimeSpan Safety = TimeSpan.FromSeconds(10);

    private static Resilience.Bulkhead Create(int maxConcurrency = 2, int maxQueue = 0, TimeSpan? maxWait = null, TimeProvider? time = null, string name = "db")
        => new(name, new BulkheadOptions { Kind = BulkheadKind.WorkerPool, MaxConcurrency = maxConcurrency, MaxQueue = maxQueue, MaxWait = maxWait }, time);

    private static async Task<string?> EnterAndReportThread(Resilience.Bulkhead bulkhead, CancellationToken cancellationToken = default)
    {
        await bulkhead.EnterAsync(cancellationToken).ConfigureAwait(false);
        return Thread.CurrentThread.Name;
    }

    [Fact]
    public async Task The_code_after_the_await_runs_on_a_worker_thread_even_when_a_slot_is_free()
    {
        var bulkhead = Create();

        ValueTask enter = bulkhead.EnterAsync(CancellationToken.None);
        Assert.False(enter.IsCompleted); // the caller's thread returns at once
        await enter;
        string? thread = await EnterAndReportThread(bulkhead);

        Assert.StartsWith("Resilience worker 'db' #", thread, StringComparison.Ordinal);
        Assert.Equal(2, bulkhead.RunningCount);
        Assert.Equal(BulkheadKind.WorkerPool, bulkhead.Kind);
    }

    [Fact]
    public async Task A_call_that_blocks_holds_a_worker_not_the_callers_thread()
    {
        var bulkhead = Create(maxConcurrency: 1, maxQueue: 1);
        using var unblock = new ManualResetEventSlim();
        int callerThread = Environment.CurrentManagedThreadId;
        int blockedThread = 0;

        async Task Blocking()
        {
            await bulkhead.EnterAsync(CancellationToken.None).ConfigureAwait(false);
            try
            {
                blockedThread = Environment.CurrentManagedThreadId;
                unblock.Wait(Safety); // synchronous work inside an async method
            }
            finally
            {
                bulkhead.Release();
            }
        }

        Task first = Blocking(); // returns at once: the blocking part runs on the worker
        Task<string?> second = EnterAndReportThread(bulkhead); // queued behind it
        Assert.False(first.IsCompleted);
        Assert.False(second.IsCompleted);
        SpinWait.SpinUntil(() => Volatile.Read(ref blockedThread) != 0, Safety);
        Assert.NotEqual(callerThread, blockedThread);

        unblock.Set();
        await first.WaitAsync(Safety);
        Assert.StartsWith("Resilience worker 'db'", await second.WaitAsync(Safety), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Calls_beyond_the_queue_are_rejected_with_QueueFull()
    {
        var bulkhead = Create(maxConcurrency: 1, maxQueue: 1, name: "pool");
        await bulkhead.EnterAsync(CancellationToken.None);
        Task queued = bulkhead.EnterAsync(CancellationToken.None).AsTask();

        var rejected = await Assert.ThrowsAsync<BulkheadRejectedException>(() => bulkhead.EnterAsync(CancellationToken.None).AsTask());

        Assert.Equal(BulkheadRejectionReason.QueueFull, rejected.Reason);
        Assert.Equal("pool", rejected.InstanceName);
        Assert.Equal(1, bulkhead.QueuedCount);
        bulkhead.Release();
        await queued.WaitAsync(Safety);
        Assert.Equal(1, bulkhead.RunningCount);
    }

    [Fact]
    public async Task With_no_queue_a_call_is_admitted_only_while_a_slot_is_free()
    {
        var bulkhead = Create(maxConcurrency: 1, maxQueue: 0);
        await bulkhead.EnterAsync(CancellationToken.None);

        var rejected = await Assert.ThrowsAsync<BulkheadRejectedException>(() => bulkhead.EnterAsync(CancellationToken.None).AsTask());
        Assert.Equal(BulkheadRejectionReason.QueueFull, rejected.Reason);

        bulkhead.Release();
        await bulkhead.EnterAsync(CancellationToken.None).AsTask().WaitAsync(Safety);
        Assert.Equal(1, bulkhead.RunningCount);
    }

    [Fact]
    public async Task A_queued_call_is_rejected_after_MaxWait_and_a_cancelled_one_leaves_the_queue()
    {
        var time = new FakeTimeProvider();
        var bulkhead = Create(maxConcurrency: 1, maxQueue: 2, maxWait: TimeSpan.FromSeconds(1), time: time);
        await bulkhead.EnterAsync(CancellationToken.None);
        using var cts = new CancellationTokenSource();
        Task timed = bulkhead.EnterAsync(CancellationToken.None).AsTask();
        Task cancelled = bulkhead.EnterAsync(cts.Token).AsTask();

        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled.WaitAsync(Safety));
        time.Advance(TimeSpan.FromSeconds(1));
        var rejected = await Assert.ThrowsAsync<BulkheadRejectedException>(() => timed.WaitAsync(Safety));

        Assert.Equal(BulkheadRejectionReason.WaitLimitExceeded, rejected.Reason);
        Assert.Equal(0, bulkhead.QueuedCount);
        Assert.Equal(1, bulkhead.RunningCount);
    }

    [Fact]
    public void TryEnter_and_Enter_are_not_supported()
    {
        var bulkhead = Create();

        Assert.Contains("RES0024", Assert.Throws<NotSupportedException>(() => bulkhead.TryEnter()).Message, StringComparison.Ordinal);
        Assert.Throws<NotSupportedException>(() => bulkhead.Enter(CancellationToken.None));
        Assert.Equal(0, bulkhead.RunningCount);
    }

    [Fact]
    public async Task Disposing_the_registry_rejects_waiting_and_later_calls_with_ShutDown()
    {
        var registry = new ResilienceRegistry();
        var bulkhead = registry.GetOrAddBulkhead("pool", new BulkheadOptions { Kind = BulkheadKind.WorkerPool, MaxConcurrency = 1, MaxQueue = 1 });
        await bulkhead.EnterAsync(CancellationToken.None);
        Task waiting = bulkhead.EnterAsync(CancellationToken.None).AsTask();

        registry.Dispose();

        Assert.Equal(BulkheadRejectionReason.ShutDown, (await Assert.ThrowsAsync<BulkheadRejectedException>(() => waiting.WaitAsync(Safety))).Reason);
        Assert.Equal(BulkheadRejectionReason.ShutDown, (await Assert.ThrowsAsync<BulkheadRejectedException>(() => bulkhead.EnterAsync(CancellationToken.None).AsTask())).Reason);
        bulkhead.Release(); // the call already running still releases its slot
        Assert.Equal(0, bulkhead.RunningCount);
    }

    [Fact]
    public async Task Reconfiguring_MaxConcurrency_starts_more_workers()
    {
        var bulkhead = Create(maxConcurrency: 1, maxQueue: 10);
        await bulkhead.EnterAsync(CancellationToken.None);
        Task second = bulkhead.EnterAsync(CancellationToken.None).AsTask();
        Task third = bulkhead.EnterAsync(CancellationToken.None).AsTask();

        bulkhead.Reconfigure(new BulkheadOptions { Kind = BulkheadKind.WorkerPool, MaxConcurrency = 3, MaxQueue = 10 });

        await Task.WhenAll(second, third).WaitAsync(Safety);
        Assert.Equal(3, bulkhead.RunningCount);

        bulkhead.Reconfigure(new BulkheadOptions { Kind = BulkheadKind.WorkerPool, MaxConcurrency = 1, MaxQueue = 10 });
        bulkhead.Release();
        bulkhead.Release();
        bulkhead.Release();
        Assert.True(await EnterAndReportThread(bulkhead).WaitAsync(Safety) is { } name && name.StartsWith("Resilience worker", StringComparison.Ordinal));
    }
}
