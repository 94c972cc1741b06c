namespace Resilience;

/// <summary>
/// Permission for one call through a <see cref="CircuitBreaker"/>. Record the call's outcome exactly once. A lease
/// from an earlier period of the breaker (before it opened, closed or was reset) is ignored when recorded. The
/// <see langword="default"/> lease belongs to no breaker: recording on it does nothing.
/// </summary>
public readonly struct CircuitBreakerLease
{
    private readonly CircuitBreaker? _breaker;
    private readonly long _status;

    internal CircuitBreakerLease(CircuitBreaker breaker, long status)
    {
        _breaker = breaker;
        _status = status;
    }

    /// <summary>
    /// <see langword="true"/> when the breaker is open or isolated now, or half-open in a later period than this lease
    /// (so the lease is not one of its probes); a retry loop inside the breaker stops at once when it sees this.
    /// </summary>
    public bool IsCircuitOpen => _breaker is not null && _breaker.IsOpenFor(_status);

    /// <summary>The breaker's period and state when the lease was taken.</summary>
    internal long Status => _status;

    /// <summary>Records a successful call.</summary>
    public void RecordSuccess() => _breaker?.OnSuccess(_status);

    /// <summary>Records a failed call that did not throw (a result marked as a failure by <c>HandleResult</c>).</summary>
    public void RecordFailure() => _breaker?.OnFailure(_status, timeout: false);

    /// <summary>
    /// Records a call that ended with <paramref name="exception"/>: the caller's own cancellation is neutral (it only
    /// frees a probe slot), a <see cref="ResilienceRejectedException"/> is neutral too, any other
    /// <see cref="OperationCanceledException"/> or a <see cref="TimeoutException"/> counts as a timeout failure (a
    /// failure and a timeout), an exception outside <see cref="CircuitBreakerOptions.Handle"/>, or one for which
    /// <see cref="CircuitBreakerOptions.HandleException"/> returns <see langword="false"/>, is neutral, everything else is a
    /// failure.
    /// </summary>
    /// <param name="exception">The exception the call ended with.</param>
    /// <param name="callerToken">The caller's own token, to tell its cancellation from a timeout.</param>
    public void RecordException(Exception exception, CancellationToken callerToken)
    {
        CircuitBreaker? breaker = _breaker;
        if (breaker is null)
        {
            return;
        }

        ArgumentNullException.ThrowIfNull(exception);
        if (ResilienceOutcome.IsCallerCancellation(exception, callerToken) || exception is ResilienceRejectedException)
        {
            breaker.OnNeutral(_status);
        }
        else if (exception is OperationCanceledException or TimeoutException)
        {
            breaker.OnFailure(_status, timeout: true);
        }
        else if (!breaker.ShouldHandle(exception))
        {
            breaker.OnNeutral(_status);
        }
        else
        {
            breaker.OnFailure(_status, timeout: false);
        }
    }
}
