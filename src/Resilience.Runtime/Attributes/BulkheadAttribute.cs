namespace Resilience;

/// <summary>
/// Limits how many calls run at once, so one slow downstream cannot take every thread. Calls beyond
/// <see cref="MaxConcurrency"/> wait in a queue of <see cref="MaxQueue"/>; beyond that they are rejected with
/// <see cref="BulkheadRejectedException"/>. Give each downstream service its own <see cref="Name"/>.
/// </summary>
[AttributeUsage(AttributeTargets.Method | AttributeTargets.Interface, AllowMultiple = false, Inherited = false)]
public sealed class BulkheadAttribute : Attribute
{
    /// <summary>Calls allowed to run at once. Default 10.</summary>
    public int MaxConcurrency { get; set; } = BulkheadDefaults.MaxConcurrency;

    /// <summary>Calls allowed to wait for a slot. Default 0: reject at once when full.</summary>
    public int MaxQueue { get; set; } = BulkheadDefaults.MaxQueue;

    /// <summary>
    /// Longest wait in the queue, in milliseconds, before the call is rejected with <see cref="BulkheadRejectedException"/>
    /// (<see cref="BulkheadRejectionReason.WaitLimitExceeded"/>). Default 0: wait until a slot is free or the call is
    /// cancelled. <c>[Timeout]</c> starts inside the bulkhead, so it does not bound this wait.
    /// </summary>
    public int MaxWaitMs { get; set; } = BulkheadDefaults.MaxWaitMs;

    /// <summary>
    /// <see cref="BulkheadKind.Semaphore"/> (the default) runs admitted calls on the caller's thread;
    /// <see cref="BulkheadKind.WorkerPool"/> runs them on <see cref="MaxConcurrency"/> dedicated worker threads while the
    /// caller awaits (async methods only, RES0024).
    /// </summary>
    public BulkheadKind Kind { get; set; } = BulkheadDefaults.Kind;

    /// <summary>Instance name; the same name shares one bulkhead across interfaces. Default: the interface or method's full name.</summary>
    public string? Name { get; set; }
}
