using Resilience.EndToEnd.Tests.Infrastructure;

namespace Resilience.EndToEnd.Tests;

public interface IRenderService
{
    [Bulkhead(Kind = BulkheadKind.WorkerPool, MaxConcurrency = 1, MaxQueue = 1, MaxWaitMs = 300, Name = "render")]
    Task<string?> RenderAsync(int id, CancellationToken cancellationToken);

    [Bulkhead(MaxConcurrency = 1, MaxQueue = 1, MaxWaitMs = 100)]
    Task<int> QueuedAsync(CancellationToken cancellationToken);
}

/// <summary>Blocks synchronously (as a slow dependency's sync-over-async code would) until the test lets it go.</summary>
public sealed class BlockingRenderer : IRenderService, IDisposable
{
    public ManualResetEventSlim Gate { get; } = new(initialState: true);

    public SemaphoreSlim Permits { get; } = new(0);

    public Task<string?> RenderAsync(int id, CancellationToken cancellationToken)
    {
        Gate.Wait(TimeSpan.FromSeconds(10));
        return Task.FromResult(Thread.CurrentThread.Name);
    }

    public async Task<int> QueuedAsync(CancellationToken cancellationToken)
    {
        await Permits.WaitAsync(cancellationToken).ConfigureAwait(false);
        return 1;
    }

    public void Dispose()
    {
        Gate.Dispose();
        Permits.Dispose();
    }
}

public sealed class WorkerPoolBulkheadTests : IDisposable
{
    private static readonly TimeSpan Safety = TimeSpan.FromSeconds(10);
    private readonly Clock _clock = new();
    private readonly BlockingRenderer _inner = new();
    private readonly RenderServiceResilient _proxy;

    public WorkerPoolBulkheadTests() => _proxy = new RenderServiceResilient(_inner, _clock.Registry);

    public void Dispose()
    {
        _clock.Dispose();
        _inner.Dispose();
    }

    [Fact]
    public async Task The_decorated_call_runs_on_the_pools_worker_and_the_caller_returns_at_once()
    {
        _inner.Gate.Reset();
        Task<string?> call = _proxy.RenderAsync(1, CancellationToken.None);
        Assert.False(call.IsCompleted); // the caller's thread is free while the inner call blocks a worker

        _inner.Gate.Set();
        Assert.Equal("Resilience worker 'render' #1", await call.WaitAsync(Safety));
        Assert.True(_clock.Registry.TryGetBulkhead("render", out var bulkhead));
        Assert.Equal(BulkheadKind.WorkerPool, bulkhead.Kind);
        Assert.Equal(0, bulkhead.RunningCount);
    }

    [Fact]
    public async Task Beyond_the_queue_calls_are_rejected_and_a_queued_call_is_rejected_after_MaxWaitMs()
    {
        _inner.Gate.Reset();
        Task<string?> running = _proxy.RenderAsync(1, CancellationToken.None);
        Assert.True(_clock.Registry.TryGetBulkhead("render", out var bulkhead));
        SpinWait.SpinUntil(() => bulkhead.RunningCount == 1, Safety);
        Task<string?> queued = _proxy.RenderAsync(2, CancellationToken.None);

        var full = await Assert.ThrowsAsync<BulkheadRejectedException>(() => _proxy.RenderAsync(3, CancellationToken.None));
        Assert.Equal(BulkheadRejectionReason.QueueFull, full.Reason);

        _clock.Advance(300);
        var waited = await Assert.ThrowsAsync<BulkheadRejectedException>(() => queued.WaitAsync(Safety));
        Assert.Equal(BulkheadRejectionReason.WaitLimitExceeded, waited.Reason);

        _inner.Gate.Set();
        await running.WaitAsync(Safety);
    }

    [Fact]
    public async Task A_semaphore_bulkheads_MaxWaitMs_bounds_the_queue_wait()
    {
        Task<int> running = _proxy.QueuedAsync(CancellationToken.None);
        Task<int> queued = _proxy.QueuedAsync(CancellationToken.None);

        _clock.Advance(99);
        Assert.False(queued.IsCompleted);
        _clock.Advance(1);

        Assert.Equal(BulkheadRejectionReason.WaitLimitExceeded, (await Assert.ThrowsAsync<BulkheadRejectedException>(() => queued.WaitAsync(Safety))).Reason);
        _inner.Permits.Release();
        Assert.Equal(1, await running.WaitAsync(Safety));
    }
}
