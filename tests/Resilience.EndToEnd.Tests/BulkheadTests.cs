using Resilience.EndToEnd.Tests.Infrastructure;

namespace Resilience.EndToEnd.Tests;

public interface IWorkService
{
    [Bulkhead(MaxConcurrency = 4, MaxQueue = 8)]
    Task<int> GatedAsync(int item, CancellationToken cancellationToken);

    [Bulkhead(MaxConcurrency = 3, MaxQueue = 100_000)]
    ValueTask<int> BusyAsync(int item, CancellationToken cancellationToken);
}

/// <summary>Tracks how many calls are inside at once; gated calls wait for a permit the test hands out.</summary>
public sealed class ConcurrencyProbe : IWorkService
{
    private int _inside;
    private int _maxInside;

    public AttemptLog Log { get; } = new();

    public SemaphoreSlim Permits { get; } = new(0);

    public int MaxInside => Volatile.Read(ref _maxInside);

    public async Task<int> GatedAsync(int item, CancellationToken cancellationToken)
    {
        Enter();
        Log.Record(cancellationToken);
        try
        {
            await Permits.WaitAsync(cancellationToken).ConfigureAwait(false);
            return item;
        }
        finally
        {
            Interlocked.Decrement(ref _inside);
        }
    }

    public async ValueTask<int> BusyAsync(int item, CancellationToken cancellationToken)
    {
        Enter();
        try
        {
            await Task.Yield();
            Thread.SpinWait(50);
            return item;
        }
        finally
        {
            Interlocked.Decrement(ref _inside);
        }
    }

    private void Enter()
    {
        int inside = Interlocked.Increment(ref _inside);
        int max;
        while (inside > (max = Volatile.Read(ref _maxInside)) && Interlocked.CompareExchange(ref _maxInside, inside, max) != max)
        {
        }
    }
}

public sealed class BulkheadTests : IDisposable
{
    private const string GatedName = "Resilience.EndToEnd.Tests.IWorkService.GatedAsync";

    private readonly Clock _clock = new();
    private readonly ConcurrencyProbe _inner = new();
    private readonly WorkServiceResilient _proxy;

    public BulkheadTests() => _proxy = new WorkServiceResilient(_inner, _clock.Registry);

    public void Dispose()
    {
        _clock.Dispose();
        _inner.Permits.Dispose();
    }

    [Fact]
    public async Task Four_calls_run_eight_queue_the_next_is_rejected_and_queued_calls_enter_as_slots_free()
    {
        var calls = new List<Task<int>>();
        for (int i = 0; i < 12; i++)
        {
            calls.Add(_proxy.GatedAsync(i, CancellationToken.None));
        }

        Assert.True(_clock.Registry.TryGetBulkhead(GatedName, out Bulkhead? bulkhead));
        Assert.Equal(4, _inner.Log.Count);
        Assert.Equal(4, bulkhead.RunningCount);
        Assert.Equal(8, bulkhead.QueuedCount);

        var rejected = await Assert.ThrowsAsync<BulkheadRejectedException>(() => Clock.Finish(_proxy.GatedAsync(99, CancellationToken.None)));
        Assert.Equal(GatedName, rejected.InstanceName);
        Assert.Equal(4, _inner.Log.Count);

        _inner.Permits.Release();
        await _inner.Log.WhenCount(5); // one finished, the first queued call took its slot

        _inner.Permits.Release(11);
        int[] results = await Clock.Finish(Task.WhenAll(calls));

        Assert.Equal(Enumerable.Range(0, 12), results);
        Assert.Equal(4, _inner.MaxInside);
        Assert.Equal(0, bulkhead.RunningCount);
        Assert.Equal(0, bulkhead.QueuedCount);
    }

    [Fact]
    public async Task A_queued_call_cancelled_by_its_caller_leaves_the_queue_without_running()
    {
        var running = new List<Task<int>>();
        for (int i = 0; i < 4; i++)
        {
            running.Add(_proxy.GatedAsync(i, CancellationToken.None));
        }

        using var caller = new CancellationTokenSource();
        Task<int> queued = _proxy.GatedAsync(100, caller.Token);
        Assert.True(_clock.Registry.TryGetBulkhead(GatedName, out Bulkhead? bulkhead));
        Assert.Equal(1, bulkhead.QueuedCount);

        caller.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Clock.Finish(queued));
        Assert.Equal(0, bulkhead.QueuedCount);

        _inner.Permits.Release(4);
        await Clock.Finish(Task.WhenAll(running));
        Assert.Equal(4, _inner.Log.Count);
        Assert.Equal(0, bulkhead.RunningCount);
    }

    [Fact]
    public async Task Under_concurrent_load_from_real_threads_never_more_than_MaxConcurrency_calls_are_inside()
    {
        const int threads = 8;
        const int callsPerThread = 250;

        Task<long>[] workers = new Task<long>[threads];
        for (int t = 0; t < threads; t++)
        {
            int offset = t * callsPerThread;
            workers[t] = Task.Run(async () =>
            {
                long sum = 0;
                for (int i = 0; i < callsPerThread; i++)
                {
                    sum += await _proxy.BusyAsync(offset + i, CancellationToken.None);
                }

                return sum;
            });
        }

        long[] sums = await Clock.Finish(Task.WhenAll(workers));

        const int total = threads * callsPerThread;
        Assert.Equal((long)total * (total - 1) / 2, sums.Sum());
        Assert.InRange(_inner.MaxInside, 1, 3);
        Assert.True(_clock.Registry.TryGetBulkhead("Resilience.EndToEnd.Tests.IWorkService.BusyAsync", out Bulkhead? bulkhead));
        Assert.Equal(0, bulkhead.RunningCount);
        Assert.Equal(0, bulkhead.QueuedCount);
    }
}
