namespace Resilience;

/// <summary>
/// A concurrency limit with a bounded queue. Every successful <see cref="TryEnter"/>, <see cref="Enter"/> or
/// <see cref="EnterAsync"/> must be matched by exactly one <see cref="Release"/>, also when the call throws.
/// </summary>
public sealed class Bulkhead
{
    /// <summary>Creates a bulkhead.</summary>
    /// <param name="name">The bulkhead's name, used in <see cref="BulkheadRejectedException"/>.</param>
    /// <param name="options">Settings; validated here.</param>
    public Bulkhead(string name, BulkheadOptions options) => throw new NotImplementedException();

    /// <summary>The bulkhead's name.</summary>
    public string Name => throw new NotImplementedException();

    /// <summary>Calls allowed to run at once.</summary>
    public int MaxConcurrency => throw new NotImplementedException();

    /// <summary>Calls allowed to wait.</summary>
    public int MaxQueue => throw new NotImplementedException();

    /// <summary>Calls running now.</summary>
    public int RunningCount => throw new NotImplementedException();

    /// <summary>Calls waiting now.</summary>
    public int QueuedCount => throw new NotImplementedException();

    /// <summary>Takes a slot if one is free now; never waits.</summary>
    public bool TryEnter() => throw new NotImplementedException();

    /// <summary>
    /// Takes a slot, waiting in the queue if there is room; throws <see cref="BulkheadRejectedException"/> when both
    /// are full. Completes synchronously, without allocating, when a slot is free.
    /// </summary>
    /// <param name="cancellationToken">Ends the wait in the queue with <see cref="OperationCanceledException"/>.</param>
    public ValueTask EnterAsync(CancellationToken cancellationToken) => throw new NotImplementedException();

    /// <summary>Takes a slot, blocking in the queue if there is room; for synchronous methods.</summary>
    /// <param name="cancellationToken">Ends the wait in the queue with <see cref="OperationCanceledException"/>.</param>
    public void Enter(CancellationToken cancellationToken) => throw new NotImplementedException();

    /// <summary>Frees a slot taken by a successful enter.</summary>
    public void Release() => throw new NotImplementedException();
}
