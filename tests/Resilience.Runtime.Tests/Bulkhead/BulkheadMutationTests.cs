namespace Resilience.Runtime.Tests.Bulkhead;

/// <summary>
/// Scenarios that mutation testing (docs/testing.md) showed no other test covering: reloaded limits taking effect (or
/// not, when invalid), argument checks, and a waiter cancelled after it was given a slot.
/// </summary>
public sealed class BulkheadMutationTests
{
    private static readonly TimeSpan Safety = TimeSpan.FromSeconds(10);

    [Fact]
    public void The_constructor_names_a_missing_argument()
    {
        var options = new BulkheadOptions();

        Assert.Equal("name", Assert.Throws<ArgumentNullException>(() => new Resilience.Bulkhead(null!, options)).ParamName);
        Assert.Equal("options", Assert.Throws<ArgumentNullException>(() => new Resilience.Bulkhead("db", null!)).ParamName);
    }

    [Fact]
    public void The_limits_are_read_from_the_options_once()
    {
        var options = new BulkheadOptions { MaxConcurrency = 2, MaxQueue = 3 };
        var bulkhead = new Resilience.Bulkhead("db", options);
        options.MaxConcurrency = 7;
        options.MaxQueue = 9;

        Assert.Equal(2, bulkhead.MaxConcurrency);
        Assert.Equal(3, bulkhead.MaxQueue);
    }

    [Fact]
    public async Task A_reloaded_larger_queue_lets_callers_wait_that_were_rejected_before()
    {
        var bulkhead = Create(maxConcurrency: 1, maxQueue: 0);
        Assert.True(bulkhead.TryEnter());
        await Assert.ThrowsAsync<BulkheadRejectedException>(() => bulkhead.EnterAsync(CancellationToken.None).AsTask());

        bulkhead.Reconfigure(new BulkheadOptions { MaxConcurrency = 1, MaxQueue = 2 });

        Assert.Equal(2, bulkhead.MaxQueue);
        Task first = bulkhead.EnterAsync(CancellationToken.None).AsTask();
        Task second = bulkhead.EnterAsync(CancellationToken.None).AsTask();
        Assert.Equal(2, bulkhead.QueuedCount);
        var rejected = await Assert.ThrowsAsync<BulkheadRejectedException>(() => bulkhead.EnterAsync(CancellationToken.None).AsTask());
        Assert.Contains("(1 running, 2 queued)", rejected.Message, StringComparison.Ordinal); // the new limits

        bulkhead.Release();
        await first.WaitAsync(Safety);
        bulkhead.Release();
        await second.WaitAsync(Safety);
        bulkhead.Release();
        Assert.Equal(0, bulkhead.RunningCount);
    }

    [Fact]
    public async Task A_reloaded_shorter_queue_rejects_new_callers_and_keeps_those_already_waiting()
    {
        var bulkhead = Create(maxConcurrency: 1, maxQueue: 3);
        Assert.True(bulkhead.TryEnter());
        Task waiting = bulkhead.EnterAsync(CancellationToken.None).AsTask();
        Task alsoWaiting = bulkhead.EnterAsync(CancellationToken.None).AsTask();

        bulkhead.Reconfigure(new BulkheadOptions { MaxConcurrency = 1, MaxQueue = 1 });

        Assert.Equal(1, bulkhead.MaxQueue);
        Assert.Equal(2, bulkhead.QueuedCount); // over the new limit: they stay
        await Assert.ThrowsAsync<BulkheadRejectedException>(() => bulkhead.EnterAsync(CancellationToken.None).AsTask());
        bulkhead.Release();
        await waiting.WaitAsync(Safety);

        // One waiting is still the new limit.
        await Assert.ThrowsAsync<BulkheadRejectedException>(() => bulkhead.EnterAsync(CancellationToken.None).AsTask());
        bulkhead.Release();
        await alsoWaiting.WaitAsync(Safety);

        // None waiting: one may wait again.
        Task third = bulkhead.EnterAsync(CancellationToken.None).AsTask();
        Assert.False(third.IsCompleted);
        Assert.Equal(1, bulkhead.QueuedCount);
        bulkhead.Release();
        await third.WaitAsync(Safety);
    }

    [Fact]
    public async Task More_slots_on_reload_start_waiting_callers_at_once_oldest_first()
    {
        var bulkhead = Create(maxConcurrency: 1, maxQueue: 5);
        Assert.True(bulkhead.TryEnter());
        Task first = bulkhead.EnterAsync(CancellationToken.None).AsTask();
        Task second = bulkhead.EnterAsync(CancellationToken.None).AsTask();
        Task third = bulkhead.EnterAsync(CancellationToken.None).AsTask();

        bulkhead.Reconfigure(new BulkheadOptions { MaxConcurrency = 3, MaxQueue = 5 });

        await first.WaitAsync(Safety);
        await second.WaitAsync(Safety);
        Assert.False(third.IsCompleted);
        Assert.Equal(3, bulkhead.MaxConcurrency);
        Assert.Equal(3, bulkhead.RunningCount);
        Assert.Equal(1, bulkhead.QueuedCount);
        Assert.False(bulkhead.TryEnter());
    }

    [Theory]
    [InlineData(0, 1, "MaxConcurrency")]
    [InlineData(2, -1, "MaxQueue")]
    public async Task An_invalid_reload_is_refused_and_changes_nothing(int maxConcurrency, int maxQueue, string setting)
    {
        var bulkhead = Create(maxConcurrency: 1, maxQueue: 1);
        Assert.True(bulkhead.TryEnter());

        var error = Assert.Throws<ArgumentOutOfRangeException>(
            () => bulkhead.Reconfigure(new BulkheadOptions { MaxConcurrency = maxConcurrency, MaxQueue = maxQueue }));

        Assert.Equal(setting, error.ParamName);
        Assert.Equal(1, bulkhead.MaxConcurrency);
        Assert.Equal(1, bulkhead.MaxQueue);
        Assert.False(bulkhead.TryEnter());
        Task waiting = bulkhead.EnterAsync(CancellationToken.None).AsTask();
        await Assert.ThrowsAsync<BulkheadRejectedException>(() => bulkhead.EnterAsync(CancellationToken.None).AsTask());
        bulkhead.Release();
        await waiting.WaitAsync(Safety);
    }

    [Fact]
    public async Task Cancelling_a_waiter_after_it_was_given_a_slot_changes_nothing()
    {
        var bulkhead = Create(maxConcurrency: 1, maxQueue: 2);
        Assert.True(bulkhead.TryEnter());
        using var cts = new CancellationTokenSource();
        Task admitted = bulkhead.EnterAsync(cts.Token).AsTask();
        Task next = bulkhead.EnterAsync(CancellationToken.None).AsTask();

        bulkhead.Release();
        await admitted.WaitAsync(Safety);
        await cts.CancelAsync();

        Assert.True(admitted.IsCompletedSuccessfully);
        Assert.Equal(1, bulkhead.RunningCount);
        Assert.Equal(1, bulkhead.QueuedCount);
        Assert.False(next.IsCompleted);
        bulkhead.Release();
        await next.WaitAsync(Safety);
        bulkhead.Release();
        Assert.Equal(0, bulkhead.RunningCount);
    }

    [Fact]
    public async Task Cancelling_one_waiter_leaves_the_order_of_the_others()
    {
        var bulkhead = Create(maxConcurrency: 1, maxQueue: 3);
        Assert.True(bulkhead.TryEnter());
        Task first = bulkhead.EnterAsync(CancellationToken.None).AsTask();
        using var cts = new CancellationTokenSource();
        Task middle = bulkhead.EnterAsync(cts.Token).AsTask();
        Task last = bulkhead.EnterAsync(CancellationToken.None).AsTask();

        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => middle.WaitAsync(Safety));
        Assert.Equal(2, bulkhead.QueuedCount);
        Assert.Equal(1, bulkhead.RunningCount); // a cancellation frees a place in the queue, not a slot

        bulkhead.Release();
        await first.WaitAsync(Safety);
        Assert.False(last.IsCompleted);
        bulkhead.Release();
        await last.WaitAsync(Safety);
        Assert.Equal(0, bulkhead.QueuedCount);
    }

    [Fact]
    public void Sync_Enter_on_a_full_bulkhead_without_queue_throws_the_rejection_itself()
    {
        var bulkhead = Create(maxConcurrency: 1, maxQueue: 0, name: "pool");
        bulkhead.Enter(CancellationToken.None);

        var rejected = Assert.Throws<BulkheadRejectedException>(() => bulkhead.Enter(CancellationToken.None));

        Assert.Equal("pool", rejected.InstanceName);
        Assert.Equal(1, bulkhead.RunningCount);
        Assert.Equal(0, bulkhead.QueuedCount);
    }

    [Fact]
    public void Sync_Enter_with_an_already_cancelled_token_on_a_full_bulkhead_throws_OperationCanceledException()
    {
        var bulkhead = Create(maxConcurrency: 1, maxQueue: 1);
        Assert.True(bulkhead.TryEnter());

        Assert.ThrowsAny<OperationCanceledException>(() => bulkhead.Enter(new CancellationToken(canceled: true)));

        Assert.Equal(0, bulkhead.QueuedCount);
    }

    private static Resilience.Bulkhead Create(int maxConcurrency, int maxQueue = 0, string name = "db")
        => new(name, new BulkheadOptions { MaxConcurrency = maxConcurrency, MaxQueue = maxQueue });
}
