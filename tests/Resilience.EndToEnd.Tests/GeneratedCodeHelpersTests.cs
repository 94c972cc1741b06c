namespace Resilience.EndToEnd.Tests;

/// <summary><see cref="GeneratedCodeHelpers.GetException"/> gives what <c>await</c> would throw, without throwing.</summary>
public sealed class GeneratedCodeHelpersTests
{
    [Fact]
    public void A_faulted_task_gives_its_own_exception_instance()
    {
        var failure = new InvalidOperationException("inner");
        Task<int> task = Task.FromException<int>(failure);

        Assert.Same(failure, GeneratedCodeHelpers.GetException(task));
    }

    [Fact]
    public async Task A_task_with_several_exceptions_gives_the_first_as_await_does()
    {
        var first = new InvalidOperationException("first");
        var second = new ArgumentException("second");
        var completion = new TaskCompletionSource();
        completion.SetException([first, second]);

        Assert.Same(first, GeneratedCodeHelpers.GetException(completion.Task));
        Assert.Same(first, await Assert.ThrowsAsync<InvalidOperationException>(() => completion.Task));
    }

    [Fact]
    public async Task A_cancelled_task_gives_a_TaskCanceledException_with_its_token_as_await_does()
    {
        using var source = new CancellationTokenSource();
        source.Cancel();
        Task task = Task.FromCanceled(source.Token);

        var canceled = Assert.IsType<TaskCanceledException>(GeneratedCodeHelpers.GetException(task));
        Assert.Equal(source.Token, canceled.CancellationToken);
        Assert.Same(task, canceled.Task);
        var awaited = await Assert.ThrowsAsync<TaskCanceledException>(() => task);
        Assert.Equal(awaited.CancellationToken, canceled.CancellationToken);
    }

    [Fact]
    public void TryComplete_reads_a_completed_value_task_and_leaves_a_pending_one_alone()
    {
        var failure = new InvalidOperationException("inner");
        var pending = new TaskCompletionSource<int>();

        Assert.True(GeneratedCodeHelpers.TryComplete(new ValueTask<int>(7), out int value, out Exception? none));
        Assert.Equal(7, value);
        Assert.Null(none);

        Assert.True(GeneratedCodeHelpers.TryComplete(ValueTask.FromException<int>(failure), out _, out Exception? error));
        Assert.Same(failure, error);

        Assert.True(GeneratedCodeHelpers.TryComplete(ValueTask.FromException(failure), out Exception? voidError));
        Assert.Same(failure, voidError);

        Assert.False(GeneratedCodeHelpers.TryComplete(new ValueTask<int>(pending.Task), out _, out Exception? notYet));
        Assert.Null(notYet);
        Assert.False(pending.Task.IsCompleted);
    }

    [Fact]
    public async Task FromException_faults_a_Task_or_Task_of_T_or_cancels_it_keeping_the_instance()
    {
        var failure = new InvalidOperationException("inner");
        Task faulted = GeneratedCodeHelpers.FromException(failure);
        Task<int> faultedOfT = GeneratedCodeHelpers.FromException<int>(failure);
        Assert.True(faulted.IsFaulted);
        Assert.True(faultedOfT.IsFaulted);
        Assert.Same(failure, await Assert.ThrowsAsync<InvalidOperationException>(() => faulted));
        Assert.Same(failure, await Assert.ThrowsAsync<InvalidOperationException>(() => faultedOfT));

        var canceled = new OperationCanceledException("caller");
        Task cancelledTask = GeneratedCodeHelpers.FromException(canceled);
        Task<int> cancelledOfT = GeneratedCodeHelpers.FromException<int>(canceled);
        Assert.True(cancelledTask.IsCanceled);
        Assert.True(cancelledOfT.IsCanceled);
        Assert.Same(canceled, await Assert.ThrowsAsync<OperationCanceledException>(() => cancelledTask));
        Assert.Same(canceled, await Assert.ThrowsAsync<OperationCanceledException>(() => cancelledOfT));
    }

    [Fact]
    public void A_task_that_did_not_fail_is_refused()
    {
        var refused = Assert.Throws<ArgumentException>(() => GeneratedCodeHelpers.GetException(Task.CompletedTask));
        Assert.Contains("RanToCompletion", refused.Message);
    }
}
