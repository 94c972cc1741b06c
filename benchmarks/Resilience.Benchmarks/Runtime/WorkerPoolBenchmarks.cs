using BenchmarkDotNet.Attributes;
using Resilience.Benchmarks.Services;

namespace Resilience.Benchmarks.Runtime;

/// <summary>
/// A short call behind a semaphore bulkhead (on the caller's thread) and behind a worker-pool bulkhead (handed to one
/// of its worker threads and awaited), and a short job given to a <see cref="WorkerPool"/> and awaited.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(RuntimeBenchmarkConfig))]
public class WorkerPoolBenchmarks
{
    private const int Id = 42;
    private readonly CancellationTokenSource _caller = new();
    private readonly IPooledService _inner = new ImmediatePooledService();
    private readonly ResilienceRegistry _registry = new();
    private CancellationToken _token;
    private IPooledService _proxy = null!;
    private WorkerPool _pool = null!;

    /// <summary>Creates the generated proxy and the pool.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _proxy = new PooledServiceResilient(_inner, _registry);
        _pool = new WorkerPool("jobs", new WorkerPoolOptions { MaxConcurrency = 4, MaxQueue = 1_000 });
        _token = _caller.Token;
    }

    /// <summary>Shuts the pool down; disposes the registry (ending the bulkhead's workers) and the caller token.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        _pool.Dispose();
        _registry.Dispose();
        _caller.Dispose();
    }

    /// <summary>The generated decorator with a semaphore bulkhead.</summary>
    [Benchmark(Baseline = true)]
    public Task<int> SemaphoreBulkhead() => _proxy.OnCallerAsync(Id, _token);

    /// <summary>The generated decorator with a worker-pool bulkhead: the call runs on a worker, the caller awaits it.</summary>
    [Benchmark]
    public Task<int> WorkerPoolBulkhead() => _proxy.OnWorkerAsync(Id, _token);

    /// <summary>A short job submitted to a <see cref="WorkerPool"/>, awaited through a completion source.</summary>
    [Benchmark]
    public async Task<int> WorkerPoolJob()
    {
        var done = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        await _pool.SubmitAsync(_ =>
        {
            done.SetResult(Id);
            return default;
        }, _token).ConfigureAwait(false);
        return await done.Task.ConfigureAwait(false);
    }
}
