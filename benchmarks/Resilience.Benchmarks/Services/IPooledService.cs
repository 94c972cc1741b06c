namespace Resilience.Benchmarks.Services;

/// <summary>Scenario "worker pool": the same short call behind a semaphore bulkhead and behind a worker-pool bulkhead.</summary>
public interface IPooledService
{
    /// <summary>Returns <paramref name="id"/> behind a semaphore bulkhead (runs on the caller's thread).</summary>
    [Bulkhead(MaxConcurrency = 4, MaxQueue = 1_000)]
    Task<int> OnCallerAsync(int id, CancellationToken cancellationToken);

    /// <summary>Returns <paramref name="id"/> behind a worker-pool bulkhead (runs on one of its 4 worker threads).</summary>
    [Bulkhead(Kind = BulkheadKind.WorkerPool, MaxConcurrency = 4, MaxQueue = 1_000)]
    Task<int> OnWorkerAsync(int id, CancellationToken cancellationToken);
}

/// <summary>Returns at once: the numbers are the cost of the bulkhead alone.</summary>
public sealed class ImmediatePooledService : IPooledService
{
    /// <inheritdoc />
    public Task<int> OnCallerAsync(int id, CancellationToken cancellationToken) => Task.FromResult(id);

    /// <inheritdoc />
    public Task<int> OnWorkerAsync(int id, CancellationToken cancellationToken) => Task.FromResult(id);
}
