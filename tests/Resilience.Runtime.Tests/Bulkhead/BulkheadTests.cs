namespace Resilience.Runtime.Tests.Bulkhead;

[Collection(AllocationCollection.Name)]
public sealed class BulkheadTests
{
    private static readonly TimeSpan Safety = TimeSpan.FromSeconds(10);

    [Fact]
    public void TryEnter_admits_up_to_MaxConcurrency_and_Release_frees_a_slot()
    {
        var bulkhead = Create(maxConcurrency: 3);

        Assert.True(bulkhead.TryEnter());
        Assert.True(bulkhead.TryEnter());
        Assert.True(bulkhead.TryEnter());
        Assert.False(bulkhead.TryEnter());
        Assert.Equal(3, bulkhead.RunningCount);

        bulkhead.Release();
        Assert.Equal(2, bulkhead.RunningCount);
        Assert.True(bulkhead.TryEnter());
        Assert.Equal(3, bulkhead.MaxConcurrency);
        Assert.Equal("db", bulkhead.Name);
    }

    [Fact]
    public void EnterAsync_completes_synchronously_while_a_slot_is_free()
    {
        var bulkhead = Create(maxConcurrency: 2, maxQueue: 5);

        Assert.True(bulkhead.EnterAsync(CancellationToken.None).IsCompletedSuccessfully);
        bulkhead.Enter(CancellationToken.None);

        Assert.Equal(2, bulkhead.RunningCount);
        Assert.False(bulkhead.EnterAsync(CancellationToken.None).IsCompleted); // full: this one waits
        Assert.Equal(1, bulkhead.QueuedCount);
    }

    [Fact]
    public async Task When_running_and_queue_are_full_calls_are_rejected()
    {
        var bulkhead = Create(maxConcurrency: 1, maxQueue: 1, name: "users-db");
        await bulkhead.EnterAsync(CancellationToken.None);
        Task queued = bulkhead.EnterAsync(CancellationToken.None).AsTask();

        var rejected = await Assert.ThrowsAsync<BulkheadRejectedException>(() => bulkhead.EnterAsync(CancellationToken.None).AsTask());
        Assert.Throws<BulkheadRejectedException>(() => bulkhead.Enter(CancellationToken.None));
        Assert.False(bulkhead.TryEnter());

        Assert.Equal("users-db", rejected.InstanceName);
        Assert.Contains("1 running, 1 queued", rejected.Message, StringComparison.Ordinal);
        Assert.Null(rejected.RetryAfter);
        Assert.Equal(1, bulkhead.RunningCount);
        Assert.Equal(1, bulkhead.QueuedCount);

        bulkhead.Release();
        await queued.WaitAsync(Safety);
        Assert.Equal(1, bulkhead.RunningCount);
        Assert.Equal(0, bulkhead.QueuedCount);
    }

    [Fact]
    public async Task With_no_queue_a_full_bulkhead_rejects_at_once()
    {
        var bulkhead = Create(maxConcurrency: 1, maxQueue: 0);
        Assert.True(bulkhead.TryEnter());

        await Assert.ThrowsAsync<BulkheadRejectedException>(() => bulkhead.EnterAsync(CancellationToken.None).AsTask());
        Assert.Equal(0, bulkhead.QueuedCount);
    }

    [Fact]
    public async Task Queued_callers_get_slots_in_FIFO_order_and_TryEnter_does_not_overtake_them()
    {
        var bulkhead = Create(maxConcurrency: 1, maxQueue: 10);
        Assert.True(bulkhead.TryEnter());
        Task[] waiters = Enumerable.Range(0, 5).Select(_ => bulkhead.EnterAsync(CancellationToken.None).AsTask()).ToArray();
        Assert.Equal(5, bulkhead.QueuedCount);

        for (int i = 0; i < waiters.Length; i++)
        {
            bulkhead.Release();
            await waiters[i].WaitAsync(Safety);
            for (int later = i + 1; later < waiters.Length; later++)
            {
                Assert.False(waiters[later].IsCompleted, $"waiter {later} got a slot before waiter {i}");
            }

            Assert.Equal(1, bulkhead.RunningCount);
            Assert.Equal(waiters.Length - i - 1, bulkhead.QueuedCount);
            if (i < waiters.Length - 1)
            {
                Assert.False(bulkhead.TryEnter());
            }
        }

        bulkhead.Release();
        Assert.Equal(0, bulkhead.RunningCount);
    }

    [Fact]
    public async Task A_cancelled_waiter_leaves_the_queue_frees_its_place_and_is_skipped()
    {
        var bulkhead = Create(maxConcurrency: 1, maxQueue: 2);
        Assert.True(bulkhead.TryEnter());
        using var cts = new CancellationTokenSource();
        Task cancelled = bulkhead.EnterAsync(cts.Token).AsTask();
        Task kept = bulkhead.EnterAsync(CancellationToken.None).AsTask();
        Assert.Equal(2, bulkhead.QueuedCount);

        await cts.CancelAsync();

        var error = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled.WaitAsync(Safety));
        Assert.Equal(cts.Token, error.CancellationToken);
        Assert.Equal(1, bulkhead.QueuedCount);
        Task third = bulkhead.EnterAsync(CancellationToken.None).AsTask(); // the freed place is usable

        bulkhead.Release();
        await kept.WaitAsync(Safety);
        Assert.False(third.IsCompleted);
        bulkhead.Release();
        await third.WaitAsync(Safety);
        bulkhead.Release();

        Assert.Equal(0, bulkhead.RunningCount);
        Assert.Equal(0, bulkhead.QueuedCount);
    }

    [Fact]
    public async Task An_already_cancelled_token_fails_without_queueing_when_full()
    {
        var bulkhead = Create(maxConcurrency: 1, maxQueue: 2);
        Assert.True(bulkhead.TryEnter());

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => bulkhead.EnterAsync(new CancellationToken(canceled: true)).AsTask());

        Assert.Equal(0, bulkhead.QueuedCount);
        bulkhead.Release();
        Assert.True(bulkhead.TryEnter()); // nobody was left queued to take the slot
    }

    [Fact]
    public void Releasing_more_than_entered_throws_and_keeps_counts_intact()
    {
        var bulkhead = Create(maxConcurrency: 2);
        Assert.True(bulkhead.TryEnter());
        bulkhead.Release();

        var error = Assert.Throws<InvalidOperationException>(bulkhead.Release);

        Assert.Contains("released more times than it was entered", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, bulkhead.RunningCount);
        Assert.True(bulkhead.TryEnter());
        Assert.True(bulkhead.TryEnter());
        Assert.False(bulkhead.TryEnter());
    }

    [Fact]
    public async Task Sync_Enter_blocks_until_a_slot_is_released()
    {
        var bulkhead = Create(maxConcurrency: 1, maxQueue: 1);
        Assert.True(bulkhead.TryEnter());

        Task blocked = Task.Run(() => bulkhead.Enter(CancellationToken.None));
        Assert.True(SpinWait.SpinUntil(() => bulkhead.QueuedCount == 1, Safety));
        Assert.False(blocked.IsCompleted);

        bulkhead.Release();

        await blocked.WaitAsync(Safety);
        Assert.Equal(1, bulkhead.RunningCount);
        Assert.Equal(0, bulkhead.QueuedCount);
    }

    [Fact]
    public async Task Sync_Enter_honours_cancellation_while_queued()
    {
        var bulkhead = Create(maxConcurrency: 1, maxQueue: 1);
        Assert.True(bulkhead.TryEnter());
        using var cts = new CancellationTokenSource();

        Task blocked = Task.Run(() => bulkhead.Enter(cts.Token));
        Assert.True(SpinWait.SpinUntil(() => bulkhead.QueuedCount == 1, Safety));
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => blocked.WaitAsync(Safety));
        Assert.Equal(0, bulkhead.QueuedCount);
        Assert.Equal(1, bulkhead.RunningCount);
    }

    [Fact]
    public void TryEnter_and_EnterAsync_with_Release_allocate_nothing()
    {
        var bulkhead = Create(maxConcurrency: 4, maxQueue: 4);
        int failures = 0;
        for (int i = 0; i < 2_000; i++)
        {
            failures += Cycle(bulkhead);
        }

        long allocated = AllocationProbe.Least(() =>
        {
            for (int i = 0; i < 10_000; i++)
            {
                failures += Cycle(bulkhead);
            }
        });

        Assert.Equal(0, failures);
        Assert.Equal(0, allocated);
        Assert.Equal(0, bulkhead.RunningCount);

        static int Cycle(Resilience.Bulkhead bulkhead)
        {
            if (!bulkhead.TryEnter())
            {
                return 1;
            }

            ValueTask entered = bulkhead.EnterAsync(CancellationToken.None);
            if (!entered.IsCompletedSuccessfully)
            {
                return 1;
            }

            entered.GetAwaiter().GetResult();
            bulkhead.Enter(CancellationToken.None);
            bulkhead.Release();
            bulkhead.Release();
            bulkhead.Release();
            return 0;
        }
    }

    private static Resilience.Bulkhead Create(int maxConcurrency, int maxQueue = 0, string name = "db")
        => new(name, new BulkheadOptions { MaxConcurrency = maxConcurrency, MaxQueue = maxQueue });
}
