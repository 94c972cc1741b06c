namespace Resilience;

/// <summary>Data of <see cref="WorkerPool.JobFailed"/>: a job threw.</summary>
public sealed class WorkerPoolJobFailedEventArgs : EventArgs
{
    /// <summary>Creates the event data.</summary>
    /// <param name="poolName">The pool's name.</param>
    /// <param name="exception">What the job threw.</param>
    public WorkerPoolJobFailedEventArgs(string poolName, Exception exception)
    {
        PoolName = poolName;
        Exception = exception;
    }

    /// <summary>The pool's name.</summary>
    public string PoolName { get; }

    /// <summary>What the job threw (an <see cref="OperationCanceledException"/> too, when the job gave up at shutdown).</summary>
    public Exception Exception { get; }
}
