using System.Collections.Concurrent;
using Microsoft.Extensions.Time.Testing;

namespace Resilience.Runtime.Tests.Bulkhead;

/// <summary>
/// Behaviour of the worker-pool kind that the fifth pass's mutation run found untested: the number of worker threads
/// after a shrinking reload, their shut-down, background threads, execution-context flow and rejections as values.
/// </summary>
public sealed class BulkheadWorkerPoolMutationTests
{
    private static readonly TimeSpan Safety = TimeSpan.FromSeconds(10);

    private static Resilience.Bulkhead Create(int maxConcurrency, int maxQueue = 0, TimeSpan? maxWait = null, TimeProvider? time = null)
        => new("pool", new BulkheadOptions { Kind = BulkheadKind.WorkerPool, MaxConcurrency = maxConcurrency, MaxQueue = maxQueue, MaxWait = maxWait }, time);

    private static BulkheadOptions Pool(int maxConcurrency, TimeSpan? maxWait = null)
        => new() { Kind = BulkheadKind.WorkerPool, MaxConcurrency = maxConcurrency, MaxWait = maxWait };

    /// <summary>Holds a slot on a worker until <paramref name="gate"/> is set (or the safety time passes), recording the worker's thread.</summary>
    private static async Task Hold(Resilience.Bulkhead bulkhead, ConcurrentBag<Thread> seen, CountdownEvent arrived, ManualResetEventSlim gate)
    {
        await bulkhead.EnterAsync(CancellationToken.None).ConfigureAwait(false);
        try
        {
            seen.Add(Thread.CurrentThread);
            arrived.Signal();
            gate.Wait(Safety); // synchronous: keeps this worker thread busy
        }
        finally
        {
            bulkhead.Release();
        }
    }

    /// <summary>Runs <paramref name="count"/> calls that hold their worker at the same time; true when all of them got a worker.</summary>
    private static async Task<(bool AllArrived, Thread[] Threads)> HoldAtOnce(Resilience.Bulkhead bulkhead, int count)
    {
        var seen = new ConcurrentBag<Thread>();
        using var arrived = new CountdownEvent(count);
        using var gate = new ManualResetEventSlim();
        var holds = new Task[count];
        bool allArrived;
        try
        {
            for (int i = 0; i < count; i++)
            {
                holds[i] = Hold(bulkhead, seen, arrived, gate);
            }

            allArrived = arrived.Wait(Safety);
        }
        finally
        {
            gate.Set();
        }

        await Task.WhenAll(holds).WaitAsync(Safety * 3);
        return (allArrived, seen.ToArray());
    }

    [Fact]
    public async Task A_shrinking_reload_retires_the_surplus_worker_threads_and_a_growing_one_starts_them_again()
    {
        var bulkhead = Create(maxConcurrency: 3);
        try
        {
            (bool allArrived, Thread[] threads) = await HoldAtOnce(bulkhead, 3);
            Assert.True(allArrived);
            Assert.Equal(3, threads.Distinct().Count());

            bulkhead.Reconfigure(Pool(1));

            // Two threads end (their retire markers are read once the calls above have left them); one stays.
            Assert.True(SpinWait.SpinUntil(() => threads.Count(t => !t.IsAlive) >= 2, Safety));
            Assert.Single(threads, t => t.IsAlive);

            bulkhead.Reconfigure(Pool(3));

            // Three calls that each block their worker all run at once only if three threads are alive again.
            (allArrived, threads) = await HoldAtOnce(bulkhead, 3);
            Assert.True(allArrived);
            Assert.Equal(3, threads.Distinct().Count());
        }
        finally
        {
            bulkhead.ShutDown();
        }
    }

    [Fact]
    public async Task Shutting_down_ends_every_worker_thread_and_rejects_later_calls()
    {
        var bulkhead = Create(maxConcurrency: 2);
        (bool allArrived, Thread[] threads) = await HoldAtOnce(bulkhead, 2);
        Assert.True(allArrived);

        bulkhead.ShutDown();

        Assert.True(SpinWait.SpinUntil(() => threads.All(t => !t.IsAlive), Safety));
        var rejected = await Assert.ThrowsAsync<BulkheadRejectedException>(() => bulkhead.EnterAsync(CancellationToken.None).AsTask());
        Assert.Equal(BulkheadRejectionReason.ShutDown, rejected.Reason);
    }

    [Fact]
    public async Task Worker_threads_are_background_threads()
    {
        var bulkhead = Create(maxConcurrency: 1);
        try
        {
            async Task<bool> IsBackground()
            {
                await bulkhead.EnterAsync(CancellationToken.None).ConfigureAwait(false);
                try
                {
                    return Thread.CurrentThread.IsBackground;
                }
                finally
                {
                    bulkhead.Release();
                }
            }

            Assert.True(await IsBackground().WaitAsync(Safety));
        }
        finally
        {
            bulkhead.ShutDown();
        }
    }

    [Fact]
    public async Task The_callers_execution_context_flows_to_the_worker_only_when_the_awaiter_asks_for_it()
    {
        var bulkhead = Create(maxConcurrency: 1);
        var local = new AsyncLocal<string?>();
        try
        {
            local.Value = "caller"; // after the worker threads were started, so they do not inherit it

            var flowed = new TaskCompletionSource<string?>(TaskCreationOptions.RunContinuationsAsynchronously);
            ValueTask first = bulkhead.EnterAsync(CancellationToken.None);
            first.GetAwaiter().OnCompleted(() => flowed.TrySetResult(local.Value));
            Assert.Equal("caller", await flowed.Task.WaitAsync(Safety));
            bulkhead.Release();

            var notFlowed = new TaskCompletionSource<string?>(TaskCreationOptions.RunContinuationsAsynchronously);
            ValueTask second = bulkhead.EnterAsync(CancellationToken.None);
            second.GetAwaiter().UnsafeOnCompleted(() => notFlowed.TrySetResult(local.Value));
            Assert.Null(await notFlowed.Task.WaitAsync(Safety));
            bulkhead.Release();
        }
        finally
        {
            local.Value = null;
            bulkhead.ShutDown();
        }
    }

    [Fact]
    public async Task A_queued_call_past_its_wait_limit_is_a_successful_rejection_value_for_AdmitAsync_and_a_fault_for_EnterAsync()
    {
        var time = new FakeTimeProvider();
        var bulkhead = Create(maxConcurrency: 1, maxQueue: 2, maxWait: TimeSpan.FromSeconds(1), time: time);
        try
        {
            await bulkhead.EnterAsync(CancellationToken.None);
            ValueTask<Exception?> admit = bulkhead.AdmitAsync(CancellationToken.None);
            ValueTask enter = bulkhead.EnterAsync(CancellationToken.None);
            Assert.False(admit.IsCompleted);
            Assert.False(enter.IsCompleted);

            time.Advance(TimeSpan.FromSeconds(1));

            Assert.True(SpinWait.SpinUntil(() => admit.IsCompleted && enter.IsCompleted, Safety));
            Assert.True(admit.IsCompletedSuccessfully);
            Assert.True(enter.IsFaulted);
            var rejection = Assert.IsType<BulkheadRejectedException>(await admit);
            Assert.Equal(BulkheadRejectionReason.WaitLimitExceeded, rejection.Reason);
            var thrown = await Assert.ThrowsAsync<BulkheadRejectedException>(async () => await enter);
            Assert.Equal(BulkheadRejectionReason.WaitLimitExceeded, thrown.Reason);
            bulkhead.Release();
        }
        finally
        {
            bulkhead.ShutDown();
        }
    }

    [Fact]
    public async Task A_queued_AdmitAsync_that_is_cancelled_throws_instead_of_returning_the_cancellation_as_a_value()
    {
        var bulkhead = Create(maxConcurrency: 1, maxQueue: 1);
        try
        {
            await bulkhead.EnterAsync(CancellationToken.None);
            using var cts = new CancellationTokenSource();
            ValueTask<Exception?> admit = bulkhead.AdmitAsync(cts.Token);
            Assert.False(admit.IsCompleted);

            cts.Cancel();

            Assert.True(SpinWait.SpinUntil(() => admit.IsCompleted, Safety));
            Assert.True(admit.IsCanceled);
            await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await admit); // GetResult, not the status
            Assert.Equal(0, bulkhead.QueuedCount);
            bulkhead.Release();
        }
        finally
        {
            bulkhead.ShutDown();
        }
    }

    [Fact]
    public void A_reloaded_wait_limit_is_in_effect()
    {
        var bulkhead = Create(maxConcurrency: 1);
        try
        {
            Assert.Null(bulkhead.MaxWait);

            bulkhead.Reconfigure(Pool(1, TimeSpan.FromSeconds(2)));
            Assert.Equal(TimeSpan.FromSeconds(2), bulkhead.MaxWait);

            bulkhead.Reconfigure(Pool(1));
            Assert.Null(bulkhead.MaxWait);
        }
        finally
        {
            bulkhead.ShutDown();
        }
    }
}
