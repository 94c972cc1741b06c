namespace Resilience.Tests.Shared;

/// <summary>
/// A <see cref="SynchronizationContext"/> that counts the continuations posted to it (and runs them on the thread pool),
/// for tests that a library operation started under a caller's context (a UI thread, classic ASP.NET) never resumes on
/// it: such a resumption deadlocks a caller that blocks on the operation.
/// </summary>
/// <remarks>
/// Start the operation inside <see cref="Run{T}"/> (the context is on the thread only while the operation starts), let it
/// complete asynchronously from a thread without the context (advance a fake clock, complete a
/// <see cref="TaskCompletionSource"/>), await it, and assert <see cref="Posts"/> is 0.
/// </remarks>
internal sealed class RecordingSynchronizationContext : SynchronizationContext
{
    private int _posts;

    /// <summary>How many callbacks were posted or sent to this context.</summary>
    public int Posts => Volatile.Read(ref _posts);

    /// <summary>Runs <paramref name="start"/> with this context installed on the current thread, then puts the previous one back.</summary>
    public T Run<T>(Func<T> start)
    {
        SynchronizationContext? previous = Current;
        SetSynchronizationContext(this);
        try
        {
            return start();
        }
        finally
        {
            SetSynchronizationContext(previous);
        }
    }

    public override void Post(SendOrPostCallback d, object? state)
    {
        Interlocked.Increment(ref _posts);
        ThreadPool.UnsafeQueueUserWorkItem(static s => s.d(s.state), (d, state), preferLocal: false);
    }

    public override void Send(SendOrPostCallback d, object? state)
    {
        Interlocked.Increment(ref _posts);
        d(state);
    }

    public override SynchronizationContext CreateCopy() => this;
}
