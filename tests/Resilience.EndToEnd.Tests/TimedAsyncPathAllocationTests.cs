namespace Resilience.EndToEnd.Tests;

public interface ITimedAsyncPath
{
    [Timeout(600_000)]
    Task<int> GetAsync(int x, CancellationToken cancellationToken);

    [Timeout(600_000)]
    ValueTask<int> GetValueAsync(int x, CancellationToken cancellationToken);
}

public sealed class ManualTimedAsyncPath : ITimedAsyncPath
{
    public TaskCompletionSource<int>? Next;

    public Task<int> GetAsync(int x, CancellationToken cancellationToken) => Next!.Task;

    public ValueTask<int> GetValueAsync(int x, CancellationToken cancellationToken) => new(Next!.Task);
}

/// <summary>
/// What racing a pending inner call against the timeout's deadline costs (so that a call ignoring its token cannot
/// hold the caller): measured on .NET 10 (x64), a <c>Task&lt;T&gt;</c> call that completes asynchronously under a
/// timeout allocates the <c>Task.WaitAsync</c> promise and its token registration on top of the untimed shape; a
/// <c>ValueTask&lt;T&gt;</c> call also the helper's state machine box. A synchronous completion allocates nothing
/// (<see cref="ZeroAllocationTests"/>).
/// </summary>
[Collection(TelemetryAndAllocationCollection.Name)]
public sealed class TimedAsyncPathAllocationTests : IDisposable
{
    private const int Warmup = 1_000;
    private const int Calls = 10_000;

    private readonly ResilienceRegistry _registry = new(TimeProvider.System);
    private readonly ManualTimedAsyncPath _inner = new();
    private readonly TimedAsyncPathResilient _proxy;

    public TimedAsyncPathAllocationTests() => _proxy = new TimedAsyncPathResilient(_inner, _registry);

    public void Dispose() => _registry.Dispose();

    [Fact]
    public void Task_of_T_under_a_timeout_adds_the_deadline_race_only()
    {
        long added = PerCall(_proxy, valueTask: false) - PerCall(_inner, valueTask: false);

        // The core's box (the caller's task, 312 B on .NET 10 x64) plus the race (WaitAsync's promise, 104 B); bounded
        // so that a regression to a second state machine or a per-call timer shows.
        Assert.True(added > 312, $"Expected the race on top of the core's box; the proxy added {added} B.");
        Assert.True(added <= 480, $"The proxy added {added} B per asynchronously completing timed call.");
    }

    [Fact]
    public void ValueTask_of_T_under_a_timeout_adds_the_race_and_the_helper_box()
    {
        long added = PerCall(_proxy, valueTask: true) - PerCall(_inner, valueTask: true);

        Assert.True(added > 0, $"The race allocates; the proxy added {added} B.");
        Assert.True(added <= 700, $"The proxy added {added} B per asynchronously completing timed call.");
    }

    private long PerCall(ITimedAsyncPath target, bool valueTask)
    {
        SynchronizationContext? context = SynchronizationContext.Current;
        SynchronizationContext.SetSynchronizationContext(null);
        try
        {
            Run(target, Warmup, valueTask);
            return AllocationProbe.Least(() => Run(target, Calls, valueTask)) / Calls;
        }
        finally
        {
            SynchronizationContext.SetSynchronizationContext(context);
        }
    }

    private void Run(ITimedAsyncPath target, int count, bool valueTask)
    {
        for (int i = 0; i < count; i++)
        {
            var completion = new TaskCompletionSource<int>();
            _inner.Next = completion;
            if (valueTask)
            {
                ValueTask<int> call = target.GetValueAsync(i, CancellationToken.None);
                completion.SetResult(i);
                if (!call.IsCompletedSuccessfully || call.Result != i)
                {
                    throw new InvalidOperationException("The call did not complete inline with the inner result.");
                }
            }
            else
            {
                Task<int> call = target.GetAsync(i, CancellationToken.None);
                completion.SetResult(i);
                if (!call.IsCompletedSuccessfully || call.Result != i)
                {
                    throw new InvalidOperationException($"The call did not complete inline with the inner result; status {call.Status}.");
                }
            }
        }
    }
}
