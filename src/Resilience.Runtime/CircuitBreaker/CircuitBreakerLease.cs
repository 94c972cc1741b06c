namespace Resilience;

/// <summary>
/// Permission for one call through a <see cref="CircuitBreaker"/>. Record the call's outcome exactly once. A lease
/// from an earlier period of the breaker (before it opened, closed or was reset) is ignored when recorded.
/// </summary>
public readonly struct CircuitBreakerLease
{
    /// <summary>
    /// <see langword="true"/> when the breaker has opened (or been isolated) since this lease was taken; a retry loop
    /// inside the breaker stops at once when it sees this.
    /// </summary>
    public bool IsCircuitOpen => throw new NotImplementedException();

    /// <summary>Records a successful call.</summary>
    public void RecordSuccess() => throw new NotImplementedException();

    /// <summary>Records a failed call that did not throw (a result marked as a failure by <c>HandleResult</c>).</summary>
    public void RecordFailure() => throw new NotImplementedException();

    /// <summary>
    /// Records a call that ended with <paramref name="exception"/>: the caller's own cancellation is neutral (it only
    /// frees a probe slot), any other <see cref="OperationCanceledException"/> or a <see cref="TimeoutException"/>
    /// counts as a timeout failure, an exception outside <see cref="CircuitBreakerOptions.Handle"/> or a
    /// <see cref="ResilienceRejectedException"/> is neutral too (not counted), everything else is a failure.
    /// </summary>
    /// <param name="exception">The exception the call ended with.</param>
    /// <param name="callerToken">The caller's own token, to tell its cancellation from a timeout.</param>
    public void RecordException(Exception exception, CancellationToken callerToken) => throw new NotImplementedException();
}
