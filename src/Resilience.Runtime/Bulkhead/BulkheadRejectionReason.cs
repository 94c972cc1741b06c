namespace Resilience;

/// <summary>Why a bulkhead turned a call away (<see cref="BulkheadRejectedException.Reason"/>).</summary>
public enum BulkheadRejectionReason
{
    /// <summary>Every slot was busy and the queue was full when the call arrived.</summary>
    QueueFull = 0,

    /// <summary>The call waited in the queue for <see cref="BulkheadOptions.MaxWait"/> without getting a slot.</summary>
    WaitLimitExceeded = 1,

    /// <summary>The bulkhead or worker pool was shut down (its registry disposed, or the pool stopped) before the call got a slot or a worker.</summary>
    ShutDown = 2,
}
