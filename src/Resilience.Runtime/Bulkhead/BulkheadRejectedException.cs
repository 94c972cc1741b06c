using System.Globalization;

namespace Resilience;

/// <summary>
/// A bulkhead or worker pool did not run the call: it was full (<see cref="BulkheadRejectionReason.QueueFull"/>), the
/// call waited longer than <see cref="BulkheadOptions.MaxWait"/> (<see cref="BulkheadRejectionReason.WaitLimitExceeded"/>),
/// or it was shut down (<see cref="BulkheadRejectionReason.ShutDown"/>). See <see cref="Reason"/>.
/// </summary>
public sealed class BulkheadRejectedException : ResilienceRejectedException
{
    /// <summary>Creates the exception for a full bulkhead (<see cref="BulkheadRejectionReason.QueueFull"/>).</summary>
    /// <param name="instanceName">The bulkhead's name.</param>
    /// <param name="maxConcurrency">The bulkhead's concurrency limit.</param>
    /// <param name="maxQueue">The bulkhead's queue limit.</param>
    public BulkheadRejectedException(string instanceName, int maxConcurrency, int maxQueue)
        : this(instanceName, maxConcurrency, maxQueue, BulkheadRejectionReason.QueueFull, maxWait: null)
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="instanceName">The bulkhead's name.</param>
    /// <param name="maxConcurrency">The bulkhead's concurrency limit.</param>
    /// <param name="maxQueue">The bulkhead's queue limit.</param>
    /// <param name="reason">Why the call was turned away.</param>
    /// <param name="maxWait">The wait limit the call exceeded (for <see cref="BulkheadRejectionReason.WaitLimitExceeded"/>).</param>
    public BulkheadRejectedException(string instanceName, int maxConcurrency, int maxQueue, BulkheadRejectionReason reason, TimeSpan? maxWait)
        : base(Describe(instanceName, maxConcurrency, maxQueue, reason, maxWait), instanceName, retryAfter: null)
    {
        Reason = reason;
    }

    /// <summary>Why the call was turned away.</summary>
    public BulkheadRejectionReason Reason { get; }

    /// <summary>The <c>resilience.bulkhead.reason</c> tag of <paramref name="reason"/>: <c>queue_full</c>, <c>wait_limit_exceeded</c> or <c>shut_down</c>.</summary>
    internal static string TagOf(BulkheadRejectionReason reason) => reason switch
    {
        BulkheadRejectionReason.WaitLimitExceeded => "wait_limit_exceeded",
        BulkheadRejectionReason.ShutDown => "shut_down",
        _ => "queue_full",
    };

    private static string Describe(string name, int maxConcurrency, int maxQueue, BulkheadRejectionReason reason, TimeSpan? maxWait) => reason switch
    {
        BulkheadRejectionReason.WaitLimitExceeded => string.Create(
            CultureInfo.InvariantCulture,
            $"Bulkhead '{name}' gave the call no slot within its wait limit of {maxWait?.TotalMilliseconds ?? 0} ms ({maxConcurrency} running); the call was not made. Raise MaxConcurrency or MaxWait if this is expected load."),
        BulkheadRejectionReason.ShutDown => $"Bulkhead '{name}' was shut down before the call got a slot; the call was not made.",
        _ => string.Create(
            CultureInfo.InvariantCulture,
            $"Bulkhead '{name}' is full ({maxConcurrency} running, {maxQueue} queued); the call was not made. Raise MaxConcurrency or MaxQueue if this is expected load."),
    };
}
