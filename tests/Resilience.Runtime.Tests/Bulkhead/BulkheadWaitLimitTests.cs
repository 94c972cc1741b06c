using Microsoft.Extensions.Time.Testing;

namespace Resilience.Runtime.Tests.Bulkhead;

public sealed class BulkheadWaitLimitTests
{
    private static readonly TimeSpan Safety = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task A_queued_call_is_rejected_with_WaitLimitExceeded_once_MaxWait_passes_on_the_time_provider()
    {
        var time = new FakeTimeProvider();
        var bulkhead = new Resilience.Bulkhead("db", new BulkheadOptions { MaxConcurrency = 1, MaxQueue = 2, MaxWait = TimeSpan.FromMilliseconds(500) }, time);
        await bulkhead.EnterAsync(CancellationToken.None);
        Task waiting = bulkhead.EnterAsync(CancellationToken.None).AsTask();

        time.Advance(TimeSpan.FromMilliseconds(499));
        Assert.False(waiting.IsCompleted);
        Assert.Equal(1, bulkhead.QueuedCount);

        time.Advance(TimeSpan.FromMilliseconds(1));
        var rejected = await Assert.ThrowsAsync<BulkheadRejectedException>(() => waiting.WaitAsync(Safety));
        Assert.Equal(BulkheadRejectionReason.WaitLimitExceeded, rejected.Reason);
        Assert.Equal("db", rejected.InstanceName);
        Assert.Contains("wait limit of 500 ms", rejected.Message, StringComparison.Ordinal);
        Assert.Equal(0, bulkhead.QueuedCount);
        Assert.Equal(1, bulkhead.RunningCount);

        bulkhead.Release(); // nobody is waiting: the slot stays free
        Assert.Equal(0, bulkhead.RunningCount);
    }

    [Fact]
    public async Task A_call_given_a_slot_before_MaxWait_is_not_rejected_later()
    {
        var time = new FakeTimeProvider();
        var bulkhead = new Resilience.Bulkhead("db", new BulkheadOptions { MaxConcurrency = 1, MaxQueue = 1, MaxWait = TimeSpan.FromSeconds(1) }, time);
        await bulkhead.EnterAsync(CancellationToken.None);
        Task waiting = bulkhead.EnterAsync(CancellationToken.None).AsTask();

        time.Advance(TimeSpan.FromMilliseconds(900));
        bulkhead.Release();
        await waiting.WaitAsync(Safety);
        time.Advance(TimeSpan.FromSeconds(5));

        Assert.True(waiting.IsCompletedSuccessfully);
        Assert.Equal(1, bulkhead.RunningCount);
    }

    [Fact]
    public void The_synchronous_Enter_is_rejected_after_MaxWait_too()
    {
        var time = new CountingTimeProvider();
        var bulkhead = new Resilience.Bulkhead("db", new BulkheadOptions { MaxConcurrency = 1, MaxQueue = 1, MaxWait = TimeSpan.FromMilliseconds(100) }, time);
        bulkhead.Enter(CancellationToken.None);

        var blocked = Task.Run(() => bulkhead.Enter(CancellationToken.None));
        SpinWait.SpinUntil(() => time.TimersCreated == 1, Safety); // waiting, with its wait timer armed
        time.Advance(TimeSpan.FromMilliseconds(100));

        var rejected = Assert.Throws<AggregateException>(() => blocked.Wait(Safety)).InnerException as BulkheadRejectedException;
        Assert.Equal(BulkheadRejectionReason.WaitLimitExceeded, rejected?.Reason);
    }

    [Fact]
    public async Task Without_MaxWait_a_queued_call_waits_until_cancelled_and_no_timer_is_created()
    {
        var time = new CountingTimeProvider();
        var bulkhead = new Resilience.Bulkhead("db", new BulkheadOptions { MaxConcurrency = 1, MaxQueue = 1, MaxWait = TimeSpan.Zero }, time);
        await bulkhead.EnterAsync(CancellationToken.None);
        using var cts = new CancellationTokenSource();
        Task waiting = bulkhead.EnterAsync(cts.Token).AsTask();

        time.Advance(TimeSpan.FromDays(1));
        Assert.False(waiting.IsCompleted);
        Assert.Equal(0, time.TimersCreated);
        Assert.Null(bulkhead.MaxWait);

        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting.WaitAsync(Safety));
        Assert.Equal(0, bulkhead.QueuedCount);
    }

    [Fact]
    public async Task A_full_queue_is_rejected_with_QueueFull()
    {
        var bulkhead = new Resilience.Bulkhead("db", new BulkheadOptions { MaxConcurrency = 1 });
        await bulkhead.EnterAsync(CancellationToken.None);

        var rejected = await Assert.ThrowsAsync<BulkheadRejectedException>(() => bulkhead.EnterAsync(CancellationToken.None).AsTask());

        Assert.Equal(BulkheadRejectionReason.QueueFull, rejected.Reason);
        Assert.Equal(BulkheadRejectionReason.QueueFull, new BulkheadRejectedException("x", 1, 0).Reason);
    }

    [Fact]
    public async Task A_cancelled_waiter_is_not_rejected_when_its_wait_limit_passes_later()
    {
        var time = new CountingTimeProvider();
        var rejections = 0;
        using var registry = new ResilienceRegistry(time);
        registry.OnRejected += (_, _) => rejections++;
        var bulkhead = registry.GetOrAddBulkhead("db", new BulkheadOptions { MaxConcurrency = 1, MaxQueue = 1, MaxWait = TimeSpan.FromSeconds(1) });
        await bulkhead.EnterAsync(CancellationToken.None);
        using var cts = new CancellationTokenSource();
        Task waiting = bulkhead.EnterAsync(cts.Token).AsTask();
        Assert.Equal(1, time.TimersCreated);

        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting.WaitAsync(Safety));
        time.Advance(TimeSpan.FromSeconds(2));

        Assert.Equal(0, rejections);
        Assert.Equal(0, bulkhead.QueuedCount);
    }

    [Theory]
    [InlineData(-1)]
    public void A_negative_MaxWait_is_invalid(int milliseconds)
    {
        var options = new BulkheadOptions { MaxWait = TimeSpan.FromMilliseconds(milliseconds) };
        var error = Assert.Throws<ArgumentOutOfRangeException>(options.Validate);
        Assert.Equal("MaxWait", error.ParamName);
    }

    [Fact]
    public void Options_differing_in_MaxWait_or_Kind_are_not_equal_and_zero_equals_null()
    {
        Assert.NotEqual(new BulkheadOptions(), new BulkheadOptions { MaxWait = TimeSpan.FromSeconds(1) });
        Assert.NotEqual(new BulkheadOptions(), new BulkheadOptions { Kind = BulkheadKind.WorkerPool });
        Assert.Equal(new BulkheadOptions(), new BulkheadOptions { MaxWait = TimeSpan.Zero });
        Assert.Equal(new BulkheadOptions().GetHashCode(), new BulkheadOptions { MaxWait = TimeSpan.Zero }.GetHashCode());
    }
}

internal sealed class CountingTimeProvider : FakeTimeProvider
{
    private int _created;

    public int TimersCreated => Volatile.Read(ref _created);

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        ITimer timer = base.CreateTimer(callback, state, dueTime, period);
        Interlocked.Increment(ref _created);
        return timer;
    }
}
