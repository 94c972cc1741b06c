namespace Resilience.Runtime.Tests.WorkerPool;

using WorkerPool = global::Resilience.WorkerPool;

[Collection(StressCollection.Name)]
public sealed class WorkerPoolStressTests
{
    private static readonly TimeSpan Safety = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Many_submitters_and_a_shutdown_under_load_lose_no_job_and_run_none_twice()
    {
        const int submitters = 8;
        const int perSubmitter = 2_000;
        for (int round = 0; round < 3; round++)
        {
            var pool = new WorkerPool("stress", new WorkerPoolOptions { MaxConcurrency = 4, MaxQueue = 64 });
            var runs = new int[submitters * perSubmitter];
            var accepted = new bool[runs.Length];
            int failuresSeen = 0, inFlight = 0, most = 0;
            pool.JobFailed += (_, _) => Interlocked.Increment(ref failuresSeen);
            using var start = new ManualResetEventSlim();

            Task[] producers = Enumerable.Range(0, submitters).Select(s => Task.Run(async () =>
            {
                start.Wait();
                for (int i = 0; i < perSubmitter; i++)
                {
                    int id = (s * perSubmitter) + i;
                    Func<CancellationToken, ValueTask> job = async token =>
                    {
                        int now = Interlocked.Increment(ref inFlight);
                        int seen;
                        while (now > (seen = Volatile.Read(ref most)) && Interlocked.CompareExchange(ref most, now, seen) != seen)
                        {
                        }

                        Interlocked.Increment(ref runs[id]);
                        if (id % 3 == 0)
                        {
                            await Task.Yield();
                        }

                        Interlocked.Decrement(ref inFlight);
                        if (id % 10 == 0)
                        {
                            throw new InvalidOperationException("job " + id);
                        }
                    };

                    try
                    {
                        if (i % 2 == 0)
                        {
                            accepted[id] = pool.TrySubmit(job);
                        }
                        else
                        {
                            await pool.SubmitAsync(job);
                            accepted[id] = true;
                        }
                    }
                    catch (BulkheadRejectedException rejected) when (rejected.Reason == BulkheadRejectionReason.ShutDown)
                    {
                    }
                }
            })).ToArray();

            start.Set();
            await Task.Delay(1); // let the submitters get going; the shutdown then races with them
            WorkerPoolShutdownResult result = await pool.ShutdownAsync(round == 0 ? TimeSpan.Zero : TimeSpan.FromSeconds(30)).WaitAsync(Safety);
            await Task.WhenAll(producers).WaitAsync(Safety);

            int acceptedCount = accepted.Count(a => a);
            Assert.All(runs, r => Assert.InRange(r, 0, 1));
            Assert.All(Enumerable.Range(0, runs.Length).Where(i => !accepted[i]), i => Assert.Equal(0, runs[i]));
            Assert.Equal(acceptedCount, pool.SubmittedCount);
            Assert.Equal(acceptedCount, runs.Sum() + result.Dropped);
            Assert.Equal(pool.CompletedCount + pool.FailedCount, runs.Sum());
            Assert.Equal(pool.FailedCount, Volatile.Read(ref failuresSeen));
            Assert.Equal(runs.Where((r, i) => r == 1 && i % 10 == 0).Count(), pool.FailedCount);
            Assert.Equal(0, result.StillRunning);
            Assert.InRange(most, 0, 4);
            if (round > 0)
            {
                Assert.True(result.Drained);
                Assert.Equal(0, result.Dropped);
            }
        }
    }
}
