namespace Resilience.EndToEnd.Tests.Infrastructure;

/// <summary>Inner calls that never complete on their own.</summary>
/// <remarks>
/// Not <c>Task.Delay(Timeout.Infinite, token)</c>: its cancellation runs continuations asynchronously, so the work a
/// fake timer releases would finish after <c>FakeTimeProvider.Advance</c> returns and the next fake-time step could
/// come before the retry delay it should fire is even armed. These tasks complete inline, on the cancelling thread.
/// </remarks>
public static class Pending
{
    /// <summary>A task that ends, cancelled, only when <paramref name="token"/> is cancelled.</summary>
    public static Task<T> Until<T>(CancellationToken token)
    {
        var completion = new TaskCompletionSource<T>(); // continuations inline on purpose, see remarks
        token.UnsafeRegister(static (state, cancelled) => ((TaskCompletionSource<T>)state!).TrySetCanceled(cancelled), completion);
        return completion.Task;
    }
}
