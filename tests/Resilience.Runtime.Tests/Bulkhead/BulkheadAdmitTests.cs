using Microsoft.Extensions.Time.Testing;

namespace Resilience.Runtime.Tests.Bulkhead;

/// <summary><see cref="Resilience.Bulkhead.Admit"/> and <see cref="Resilience.Bulkhead.AdmitAsync"/>: a rejection is handed back, never thrown.</summary>
public sealed class BulkheadAdmitTests
{
    private static readonly TimeSpan Safety = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task AdmitAsync_takes_free_slots_synchronously_and_hands_back_QueueFull_without_throwing()
    {
        var bulkhead = Create(maxConcurrency: 2, maxQueue: 1, name: "users-db");
        ValueTask<Exception?> first = bulkhead.AdmitAsync(CancellationToken.None);
        Assert.True(first.IsCompletedSuccessfully);
        Assert.Null(first.Result);
        Assert.Null(bulkhead.Admit(CancellationToken.None));
        ValueTask<Exception?> queued = bulkhead.AdmitAsync(CancellationToken.None);
        Assert.False(queued.IsCompleted);
        Assert.Equal(1, bulkhead.QueuedCount);

        ValueTask<Exception?> full = bulkhead.AdmitAsync(CancellationToken.None);
        Exception? syncFull = bulkhead.Admit(CancellationToken.None);

        Assert.True(full.IsCompletedSuccessfully);
        var rejected = Assert.IsType<BulkheadRejectedException>(full.Result);
        Assert.Equal(BulkheadRejectionReason.QueueFull, rejected.Reason);
        Assert.Equal("users-db", rejected.InstanceName);
        Assert.Contains("2 running, 1 queued", rejected.Message, StringComparison.Ordinal);
        Assert.Equal(BulkheadRejectionReason.QueueFull, Assert.IsType<BulkheadRejectedException>(syncFull).Reason);
        Assert.Equal(2, bulkhead.RunningCount);

        bulkhead.Release();
        Assert.Null(await queued.AsTask().WaitAsync(Safety));
        Assert.Equal(2, bulkhead.RunningCount);
        Assert.Equal(0, bulkhead.QueuedCount);
    }

    [Fact]
    public async Task A_queued_AdmitAsync_gets_the_wait_limit_rejection_as_its_result()
    {
        var time = new FakeTimeProvider();
        var bulkhead = new Resilience.Bulkhead("db", new BulkheadOptions { MaxConcurrency = 1, MaxQueue = 1, MaxWait = TimeSpan.FromSeconds(2) }, time);
        Assert.Null(await bulkhead.AdmitAsync(CancellationToken.None));
        ValueTask<Exception?> queued = bulkhead.AdmitAsync(CancellationToken.None);

        time.Advance(TimeSpan.FromSeconds(2));

        var rejected = Assert.IsType<BulkheadRejectedException>(await queued.AsTask().WaitAsync(Safety));
        Assert.Equal(BulkheadRejectionReason.WaitLimitExceeded, rejected.Reason);
        Assert.Contains("wait limit of 2000 ms", rejected.Message, StringComparison.Ordinal);
        Assert.Equal(0, bulkhead.QueuedCount);
        Assert.Equal(1, bulkhead.RunningCount);
    }

    [Fact]
    public async Task EnterAsync_still_throws_what_AdmitAsync_hands_back()
    {
        var time = new FakeTimeProvider();
        var bulkhead = new Resilience.Bulkhead("db", new BulkheadOptions { MaxConcurrency = 1, MaxQueue = 1, MaxWait = TimeSpan.FromSeconds(1) }, time);
        await bulkhead.EnterAsync(CancellationToken.None);
        Task queued = bulkhead.EnterAsync(CancellationToken.None).AsTask();

        var full = await Assert.ThrowsAsync<BulkheadRejectedException>(() => bulkhead.EnterAsync(CancellationToken.None).AsTask());
        Assert.Equal(BulkheadRejectionReason.QueueFull, full.Reason);
        time.Advance(TimeSpan.FromSeconds(1));
        var waited = await Assert.ThrowsAsync<BulkheadRejectedException>(() => queued.WaitAsync(Safety));
        Assert.Equal(BulkheadRejectionReason.WaitLimitExceeded, waited.Reason);

        // The rejected waiter left the queue: fill it again, so the synchronous Enter finds it full (and does not wait).
        Task again = bulkhead.EnterAsync(CancellationToken.None).AsTask();
        Assert.False(again.IsCompleted);
        var sync = Assert.Throws<BulkheadRejectedException>(() => bulkhead.Enter(CancellationToken.None));
        Assert.Equal(BulkheadRejectionReason.QueueFull, sync.Reason);
    }

    [Fact]
    public async Task A_cancelled_token_still_cancels_a_wait_and_takes_no_slot()
    {
        var bulkhead = Create(maxConcurrency: 1, maxQueue: 2);
        Assert.Null(bulkhead.Admit(CancellationToken.None));
        using var cancel = new CancellationTokenSource();
        cancel.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => bulkhead.AdmitAsync(cancel.Token).AsTask());
        Assert.ThrowsAny<OperationCanceledException>(() => bulkhead.Admit(cancel.Token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => bulkhead.EnterAsync(cancel.Token).AsTask());

        using var later = new CancellationTokenSource();
        ValueTask<Exception?> waiting = bulkhead.AdmitAsync(later.Token);
        later.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting.AsTask().WaitAsync(Safety));
        Assert.Equal(0, bulkhead.QueuedCount);
        Assert.Equal(1, bulkhead.RunningCount);
    }

    [Fact]
    public async Task A_shut_down_bulkhead_hands_back_ShutDown_to_waiting_and_later_callers()
    {
        var bulkhead = Create(maxConcurrency: 1, maxQueue: 1);
        Assert.Null(bulkhead.Admit(CancellationToken.None));
        ValueTask<Exception?> queued = bulkhead.AdmitAsync(CancellationToken.None);

        bulkhead.ShutDown();

        Assert.Equal(BulkheadRejectionReason.ShutDown, Assert.IsType<BulkheadRejectedException>(await queued.AsTask().WaitAsync(Safety)).Reason);
        Assert.Equal(BulkheadRejectionReason.ShutDown, Assert.IsType<BulkheadRejectedException>(await bulkhead.AdmitAsync(CancellationToken.None)).Reason);
        Assert.Equal(BulkheadRejectionReason.ShutDown, Assert.IsType<BulkheadRejectedException>(bulkhead.Admit(CancellationToken.None)).Reason);
    }

    [Fact]
    public async Task A_worker_pool_AdmitAsync_resumes_on_a_worker_and_hands_back_a_full_queue()
    {
        var pool = new Resilience.Bulkhead("pool", new BulkheadOptions { Kind = BulkheadKind.WorkerPool, MaxConcurrency = 1, MaxQueue = 1 }, null);

        Assert.Null(await pool.AdmitAsync(CancellationToken.None).ConfigureAwait(false));
        Assert.StartsWith("Resilience worker 'pool' #", Thread.CurrentThread.Name, StringComparison.Ordinal);
        ValueTask<Exception?> queued = pool.AdmitAsync(CancellationToken.None);
        ValueTask<Exception?> full = pool.AdmitAsync(CancellationToken.None);

        Assert.True(full.IsCompletedSuccessfully);
        Assert.Equal(BulkheadRejectionReason.QueueFull, Assert.IsType<BulkheadRejectedException>(full.Result).Reason);
        Assert.Throws<NotSupportedException>(() => pool.Admit(CancellationToken.None));
        Assert.False(queued.IsCompleted);
        pool.Release();
        Assert.Null(await queued.ConfigureAwait(false)); // frees this worker, which then resumes the queued call
        Assert.StartsWith("Resilience worker 'pool' #", Thread.CurrentThread.Name, StringComparison.Ordinal);
        Assert.Equal(1, pool.RunningCount);
        pool.Release();
        pool.ShutDown();
    }

    [Fact]
    public async Task A_worker_pool_hands_back_the_wait_limit_rejection_as_the_result_and_EnterAsync_throws_it()
    {
        var time = new FakeTimeProvider();
        var pool = new Resilience.Bulkhead("pool", new BulkheadOptions { Kind = BulkheadKind.WorkerPool, MaxConcurrency = 1, MaxQueue = 2, MaxWait = TimeSpan.FromSeconds(1) }, time);

        Assert.Null(await pool.AdmitAsync(CancellationToken.None).ConfigureAwait(false));
        ValueTask<Exception?> asValue = pool.AdmitAsync(CancellationToken.None);
        Task thrown = pool.EnterAsync(CancellationToken.None).AsTask();
        time.Advance(TimeSpan.FromSeconds(1));

        var rejected = Assert.IsType<BulkheadRejectedException>(await asValue.ConfigureAwait(false));
        Assert.Equal(BulkheadRejectionReason.WaitLimitExceeded, rejected.Reason);
        var thrownRejection = await Assert.ThrowsAsync<BulkheadRejectedException>(() => thrown.WaitAsync(Safety));
        Assert.Equal(BulkheadRejectionReason.WaitLimitExceeded, thrownRejection.Reason);
        Assert.Equal(0, pool.QueuedCount);
        pool.Release();
        pool.ShutDown();
    }

    private static Resilience.Bulkhead Create(int maxConcurrency, int maxQueue = 0, string name = "db")
        => new(name, new BulkheadOptions { MaxConcurrency = maxConcurrency, MaxQueue = maxQueue });
}
