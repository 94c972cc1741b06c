namespace Resilience;

/// <summary>Every slot of the bulkhead was busy and its queue was full, so the call was not made.</summary>
public sealed class BulkheadRejectedException : ResilienceRejectedException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="instanceName">The bulkhead's name.</param>
    /// <param name="maxConcurrency">The bulkhead's concurrency limit.</param>
    /// <param name="maxQueue">The bulkhead's queue limit.</param>
    public BulkheadRejectedException(string instanceName, int maxConcurrency, int maxQueue)
        : base(
            $"Bulkhead '{instanceName}' is full ({maxConcurrency} running, {maxQueue} queued); the call was not made. Raise MaxConcurrency or MaxQueue if this is expected load.",
            instanceName,
            retryAfter: null)
    {
    }
}
