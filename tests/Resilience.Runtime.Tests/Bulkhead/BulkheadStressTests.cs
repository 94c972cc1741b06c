namespace Resilience.Runtime.Tests.Bulkhead;

[Collection(StressCollection.Name)]
public sealed class BulkheadStressTests
{
    private static readonly TimeSpan Safety = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Thousands_of_concurrent_callers_never_exceed_MaxConcurrency_and_every_slot_is_released()
    {
        const int maxConcurrency = 8;
        const int callers = 2_000;
        var bulkhead = new Resilience.Bulkhead("stress", new BulkheadOptions { MaxConcurrency = maxConcurrency, MaxQueue = callers });

        for (int round = 0; round < 3; round++)
        {
            int inFlight = 0, most = 0, completed = 0, threw = 0, cancelled = 0;
            using var start = new ManualResetEventSlim();

            Task[] tasks = Enumerable.Range(0, callers).Select(i => Task.Run(async () =>
            {
                start.Wait();
                using var cts = new CancellationTokenSource();
                ValueTask enter = bulkhead.EnterAsync(i % 5 == 0 ? cts.Token : CancellationToken.None);
                if (i % 5 == 0)
                {
                    cts.Cancel(); // races with being handed a slot: either outcome must be consistent
                }

                try
                {
                    await enter;
                }
                catch (OperationCanceledException)
                {
                    Interlocked.Increment(ref cancelled);
                    return;
                }

                try
                {
                    int now = Interlocked.Increment(ref inFlight);
                    int seen = Volatile.Read(ref most);
                    while (now > seen && Interlocked.CompareExchange(ref most, now, seen) != seen)
                    {
                        seen = Volatile.Read(ref most);
                    }

                    await Task.Yield();
                    if (i % 7 == 0)
                    {
                        throw new InvalidOperationException("the protected call failed");
                    }

                    Interlocked.Increment(ref completed);
                }
                catch (InvalidOperationException)
                {
                    Interlocked.Increment(ref threw);
                }
                finally
                {
                    Interlocked.Decrement(ref inFlight);
                    bulkhead.Release();
                }
            })).ToArray();

            start.Set();
            await Task.WhenAll(tasks).WaitAsync(Safety);

            Assert.True(most <= maxConcurrency, $"{most} calls ran at once");
            Assert.True(most > 1, "the test should actually run calls concurrently");
            Assert.Equal(callers, completed + threw + cancelled);
            Assert.True(threw > 0);
            Assert.Equal(0, bulkhead.RunningCount);
            Assert.Equal(0, bulkhead.QueuedCount);
        }
    }

    [Fact]
    public async Task Under_overload_calls_are_admitted_or_rejected_and_the_limit_holds()
    {
        const int maxConcurrency = 4;
        const int callers = 2_000;
        var bulkhead = new Resilience.Bulkhead("overload", new BulkheadOptions { MaxConcurrency = maxConcurrency, MaxQueue = 16 });
        int inFlight = 0, most = 0, admitted = 0, rejected = 0;
        using var start = new ManualResetEventSlim();

        Task[] tasks = Enumerable.Range(0, callers).Select(i => Task.Run(async () =>
        {
            start.Wait();
            try
            {
                if (i % 2 == 0)
                {
                    bulkhead.Enter(CancellationToken.None);
                }
                else
                {
                    await bulkhead.EnterAsync(CancellationToken.None);
                }
            }
            catch (BulkheadRejectedException)
            {
                Interlocked.Increment(ref rejected);
                return;
            }

            try
            {
                Interlocked.Increment(ref admitted);
                int now = Interlocked.Increment(ref inFlight);
                int seen = Volatile.Read(ref most);
                while (now > seen && Interlocked.CompareExchange(ref most, now, seen) != seen)
                {
                    seen = Volatile.Read(ref most);
                }

                Thread.SpinWait(2_000);
            }
            finally
            {
                Interlocked.Decrement(ref inFlight);
                bulkhead.Release();
            }
        })).ToArray();

        start.Set();
        await Task.WhenAll(tasks).WaitAsync(Safety);

        Assert.True(most <= maxConcurrency, $"{most} calls ran at once");
        Assert.Equal(callers, admitted + rejected);
        Assert.True(admitted >= maxConcurrency);
        Assert.Equal(0, bulkhead.RunningCount);
        Assert.Equal(0, bulkhead.QueuedCount);
    }

    [Fact]
    public async Task TryEnter_and_Release_from_many_threads_keep_RunningCount_exact()
    {
        var bulkhead = new Resilience.Bulkhead("cas", new BulkheadOptions { MaxConcurrency = 3 });
        int inFlight = 0, violations = 0;
        using var start = new ManualResetEventSlim();

        Task[] workers = Enumerable.Range(0, 8).Select(_ => Task.Run(() =>
        {
            start.Wait();
            for (int i = 0; i < 50_000; i++)
            {
                if (!bulkhead.TryEnter())
                {
                    continue;
                }

                if (Interlocked.Increment(ref inFlight) > 3)
                {
                    Interlocked.Increment(ref violations);
                }

                Interlocked.Decrement(ref inFlight);
                bulkhead.Release();
            }
        })).ToArray();

        start.Set();
        await Task.WhenAll(workers).WaitAsync(Safety);

        Assert.Equal(0, violations);
        Assert.Equal(0, bulkhead.RunningCount);
    }

    [Fact]
    public void A_Release_racing_with_a_caller_joining_the_queue_never_strands_that_caller()
    {
        // One slot. The entering thread holds it, tells the other thread to release it and at the same moment asks for
        // it again, so the Release keeps landing while the caller is between "no free slot" and "queued".
        var bulkhead = new Resilience.Bulkhead("race", new BulkheadOptions { MaxConcurrency = 1, MaxQueue = 1 });
        const int iterations = 100_000;
        int releaseRequests = 0;
        bool stop = false;

        var releaser = new Thread(() =>
        {
            int served = 0;
            while (!Volatile.Read(ref stop))
            {
                if (Volatile.Read(ref releaseRequests) > served)
                {
                    served++;
                    bulkhead.Release();
                }
            }
        }) { IsBackground = true };
        releaser.Start();

        try
        {
            Assert.True(bulkhead.TryEnter());
            for (int i = 0; i < iterations; i++)
            {
                Interlocked.Increment(ref releaseRequests);
                ValueTask entered = bulkhead.EnterAsync(CancellationToken.None);
#pragma warning disable xUnit1031 // Deliberately synchronous: the race needs this thread to re-enter at once, without a scheduler hop.
                if (entered.IsCompleted)
                {
                    entered.GetAwaiter().GetResult();
                }
                else if (!entered.AsTask().Wait(TimeSpan.FromSeconds(5)))
                {
                    Assert.Fail($"iteration {i}: the caller was stranded in the queue with a free slot (running {bulkhead.RunningCount}, queued {bulkhead.QueuedCount})");
                }
#pragma warning restore xUnit1031
            }
        }
        finally
        {
            Volatile.Write(ref stop, true);
            releaser.Join();
        }

        Assert.Equal(1, bulkhead.RunningCount);
        Assert.Equal(0, bulkhead.QueuedCount);
    }
}

[Collection(StressCollection.Name)]
public sealed class WorkerPoolBulkheadStressTests
{
    private static readonly TimeSpan Safety = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Many_callers_run_every_admitted_call_once_on_a_worker_never_exceeding_MaxConcurrency()
    {
        const int maxConcurrency = 4;
        const int callers = 1_000;
        var bulkhead = new Resilience.Bulkhead("stress-pool", new BulkheadOptions { Kind = BulkheadKind.WorkerPool, MaxConcurrency = maxConcurrency, MaxQueue = 200 });

        for (int round = 0; round < 3; round++)
        {
            int inFlight = 0, most = 0, ran = 0, rejected = 0, cancelled = 0, offWorker = 0;
            using var start = new ManualResetEventSlim();
            Task[] tasks = Enumerable.Range(0, callers).Select(i => Task.Run(async () =>
            {
                start.Wait();
                using var cts = new CancellationTokenSource();
                ValueTask enter = bulkhead.EnterAsync(i % 7 == 0 ? cts.Token : CancellationToken.None);
                if (i % 7 == 0)
                {
                    cts.Cancel(); // races with being given a slot
                }

                try
                {
                    await enter;
                }
                catch (OperationCanceledException)
                {
                    Interlocked.Increment(ref cancelled);
                    return;
                }
                catch (BulkheadRejectedException)
                {
                    Interlocked.Increment(ref rejected);
                    return;
                }

                try
                {
                    if (Thread.CurrentThread.Name?.StartsWith("Resilience worker 'stress-pool'", StringComparison.Ordinal) != true)
                    {
                        Interlocked.Increment(ref offWorker);
                    }

                    int now = Interlocked.Increment(ref inFlight);
                    int seen;
                    while (now > (seen = Volatile.Read(ref most)) && Interlocked.CompareExchange(ref most, now, seen) != seen)
                    {
                    }

                    Interlocked.Increment(ref ran);
                    if (i % 2 == 0)
                    {
                        await Task.Yield(); // half of the calls continue off the worker
                    }

                    Interlocked.Decrement(ref inFlight);
                }
                finally
                {
                    bulkhead.Release();
                }
            })).ToArray();

            start.Set();
            await Task.WhenAll(tasks).WaitAsync(Safety);

            Assert.Equal(callers, ran + rejected + cancelled);
            Assert.InRange(most, 1, maxConcurrency);
            Assert.Equal(0, offWorker);
            Assert.Equal(0, bulkhead.RunningCount);
            Assert.Equal(0, bulkhead.QueuedCount);
        }
    }
}
