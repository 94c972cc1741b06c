namespace Resilience;

/// <summary>Classifies the outcome of a call the way every strategy agrees on. Used by generated code.</summary>
public static class ResilienceOutcome
{
    /// <summary>
    /// <see langword="true"/> when <paramref name="exception"/> is the caller's own cancellation: an
    /// <see cref="OperationCanceledException"/> while <paramref name="callerToken"/> is cancelled. Such an outcome is
    /// never retried, never counted by a breaker and never handed to a fallback.
    /// </summary>
    /// <param name="exception">The exception the call ended with.</param>
    /// <param name="callerToken">The token the caller passed in (not a linked one).</param>
    public static bool IsCallerCancellation(Exception exception, CancellationToken callerToken)
        => callerToken.IsCancellationRequested && exception is OperationCanceledException;
}
