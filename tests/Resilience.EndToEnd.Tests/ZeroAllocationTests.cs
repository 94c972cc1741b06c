namespace Resilience.EndToEnd.Tests;

[Retry(MaxRetries = 3, DelayMs = 100, Jitter = 0)]
[CircuitBreaker(FailureThreshold = 5, BreakDurationMs = 30_000)]
[Timeout(600_000)]
[Bulkhead(MaxConcurrency = 4, MaxQueue = 4)]
[RateLimit(PermitLimit = 1_000_000, WindowMs = 1_000)]
public interface IHotPath
{
    ValueTask<int> GetValueAsync(int x, CancellationToken cancellationToken);

    Task<int> GetTaskAsync(int x, CancellationToken cancellationToken);

    ValueTask RunValueAsync(CancellationToken cancellationToken);

    Task RunTaskAsync(CancellationToken cancellationToken);
}

/// <summary>Completes every call synchronously without allocating: the proxy's own allocations are all that is measured.</summary>
public sealed class CompletedHotPath : IHotPath
{
    public Task<int> Cached { get; } = Task.FromResult(42);

    /// <summary>What <see cref="RunTaskAsync"/> returns: a completed task that is not <see cref="Task.CompletedTask"/>.</summary>
    public Task Done { get; } = Task.FromResult(0);

    public int Calls;

    public ValueTask<int> GetValueAsync(int x, CancellationToken cancellationToken)
    {
        Calls++;
        return new ValueTask<int>(x);
    }

    public Task<int> GetTaskAsync(int x, CancellationToken cancellationToken)
    {
        Calls++;
        return Cached;
    }

    public ValueTask RunValueAsync(CancellationToken cancellationToken)
    {
        Calls++;
        return default;
    }

    public Task RunTaskAsync(CancellationToken cancellationToken)
    {
        Calls++;
        return Done;
    }
}

/// <summary>
/// A successful, synchronously completing call through retry + breaker + timeout + bulkhead + rate limit allocates
/// nothing. The timeout runs on <see cref="TimeProvider.System"/> with a limit no call comes near.
/// </summary>
[Collection(TelemetryAndAllocationCollection.Name)]
public sealed class ZeroAllocationTests : IDisposable
{
    private const int Warmup = 1_000;
    private const int Calls = 10_000;

    private readonly ResilienceRegistry _registry = new(TimeProvider.System);
    private readonly CompletedHotPath _inner = new();
    private readonly HotPathResilient _proxy;

    public ZeroAllocationTests() => _proxy = new HotPathResilient(_inner, _registry);

    public void Dispose() => _registry.Dispose();

    [Fact]
    public void ValueTask_of_T_allocates_nothing_per_call()
    {
        RunValueOfT(Warmup);
        long sum = 0;
        long allocated = AllocationProbe.Least(() => sum = RunValueOfT(Calls), out int windows);

        Assert.Equal(0, allocated);
        Assert.Equal((long)Calls * (Calls - 1) / 2, sum); // every call returned the inner's value
        Assert.Equal(Warmup + (windows * Calls), _inner.Calls);
    }

    [Fact]
    public void Task_of_T_allocates_nothing_per_call_and_returns_the_inner_task()
    {
        Assert.Same(_inner.Cached, RunTaskOfT(Warmup));
        Task<int>? last = null;
        long allocated = AllocationProbe.Least(() => last = RunTaskOfT(Calls), out int windows);

        Assert.Equal(0, allocated);
        Assert.Same(_inner.Cached, last);
        Assert.Equal(Warmup + (windows * Calls), _inner.Calls);
    }

    [Fact]
    public void ValueTask_allocates_nothing_per_call()
    {
        RunValue(Warmup);
        long allocated = AllocationProbe.Least(() => RunValue(Calls), out int windows);

        Assert.Equal(0, allocated);
        Assert.Equal(Warmup + (windows * Calls), _inner.Calls);
    }

    [Fact]
    public void Task_allocates_nothing_per_call_and_returns_the_inner_task()
    {
        Assert.Same(_inner.Done, RunTask(Warmup));
        Task? last = null;
        long allocated = AllocationProbe.Least(() => last = RunTask(Calls), out int windows);

        Assert.Equal(0, allocated);
        Assert.Same(_inner.Done, last);
        Assert.Equal(Warmup + (windows * Calls), _inner.Calls);
    }

    private long RunValueOfT(int count)
    {
        long sum = 0;
        for (int i = 0; i < count; i++)
        {
            ValueTask<int> call = _proxy.GetValueAsync(i, CancellationToken.None);
            if (!call.IsCompletedSuccessfully)
            {
                throw new InvalidOperationException("The call did not complete synchronously.");
            }

            sum += call.Result;
        }

        return sum;
    }

    private Task<int> RunTaskOfT(int count)
    {
        Task<int> last = Task.FromResult(0);
        for (int i = 0; i < count; i++)
        {
            last = _proxy.GetTaskAsync(i, CancellationToken.None);
            if (!last.IsCompletedSuccessfully)
            {
                throw new InvalidOperationException("The call did not complete synchronously.");
            }
        }

        return last;
    }

    private void RunValue(int count)
    {
        for (int i = 0; i < count; i++)
        {
            ValueTask call = _proxy.RunValueAsync(CancellationToken.None);
            if (!call.IsCompletedSuccessfully)
            {
                throw new InvalidOperationException("The call did not complete synchronously.");
            }
        }
    }

    private Task RunTask(int count)
    {
        Task last = Task.CompletedTask;
        for (int i = 0; i < count; i++)
        {
            last = _proxy.RunTaskAsync(CancellationToken.None);
            if (!last.IsCompletedSuccessfully)
            {
                throw new InvalidOperationException("The call did not complete synchronously.");
            }
        }

        return last;
    }
}
