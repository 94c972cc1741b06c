namespace Resilience;

/// <summary>Data of <see cref="ResilienceRegistry.OnRetry"/>: a failed attempt is about to be retried.</summary>
public sealed class RetryEventArgs : EventArgs
{
    /// <summary>Creates the event data.</summary>
    /// <param name="instanceName">The retry strategy's name.</param>
    /// <param name="interfaceName">The interface's full name (empty for a <see cref="ResilientCall{T}"/>).</param>
    /// <param name="methodName">The method's name (empty for a <see cref="ResilientCall{T}"/>).</param>
    /// <param name="attempt">The retry about to be made, from 1.</param>
    /// <param name="delay">The wait before it.</param>
    /// <param name="exception">The failure of the previous attempt; <see langword="null"/> when a result was marked as a failure by <c>HandleResult</c>.</param>
    public RetryEventArgs(string instanceName, string interfaceName, string methodName, int attempt, TimeSpan delay, Exception? exception)
    {
        InstanceName = instanceName;
        InterfaceName = interfaceName;
        MethodName = methodName;
        Attempt = attempt;
        Delay = delay;
        Exception = exception;
        OperationName = interfaceName + "." + methodName;
    }

    /// <summary>
    /// The call's <c>resilience.operation</c>: <c>"{InterfaceName}.{MethodName}"</c> for a generated method, the name of a
    /// <see cref="ResilientCall{T}"/> (whose <see cref="InterfaceName"/> and <see cref="MethodName"/> are empty).
    /// </summary>
    public string OperationName { get; init; }

    /// <summary>The retry strategy's name.</summary>
    public string InstanceName { get; }

    /// <summary>The interface's full name.</summary>
    public string InterfaceName { get; }

    /// <summary>The method's name.</summary>
    public string MethodName { get; }

    /// <summary>The retry about to be made, from 1.</summary>
    public int Attempt { get; }

    /// <summary>The wait before the retry.</summary>
    public TimeSpan Delay { get; }

    /// <summary>The failure of the previous attempt; <see langword="null"/> when a result was marked as a failure.</summary>
    public Exception? Exception { get; }
}

/// <summary>Data of <see cref="ResilienceRegistry.OnRejected"/>: a rate limit, bulkhead or open breaker turned a call away.</summary>
/// <remarks>
/// Rejections are reported by the shared instance itself, which may serve several methods, so the event names the
/// instance, not the method.
/// </remarks>
public sealed class RejectedEventArgs : EventArgs
{
    /// <summary>Creates the event data.</summary>
    /// <param name="instanceName">The rejecting instance's name.</param>
    /// <param name="strategy">The kind of instance: <c>rate_limit</c>, <c>bulkhead</c>, <c>circuit_breaker</c> or <c>worker_pool</c>.</param>
    /// <param name="exception">The rejection thrown to the caller.</param>
    public RejectedEventArgs(string instanceName, string strategy, ResilienceRejectedException exception)
    {
        InstanceName = instanceName;
        Strategy = strategy;
        Exception = exception;
    }

    /// <summary>The rejecting instance's name.</summary>
    public string InstanceName { get; }

    /// <summary>The kind of instance: <c>rate_limit</c>, <c>bulkhead</c>, <c>circuit_breaker</c> or <c>worker_pool</c>.</summary>
    public string Strategy { get; }

    /// <summary>The rejection thrown to the caller (its <see cref="ResilienceRejectedException.RetryAfter"/> says when to try again, if known).</summary>
    public ResilienceRejectedException Exception { get; }
}

/// <summary>Data of <see cref="ResilienceRegistry.OnFallback"/>: a fallback answers a failed call.</summary>
public sealed class FallbackEventArgs : EventArgs
{
    /// <summary>Creates the event data.</summary>
    /// <param name="interfaceName">The interface's full name (empty for a <see cref="ResilientCall{T}"/>).</param>
    /// <param name="methodName">The method's name (empty for a <see cref="ResilientCall{T}"/>).</param>
    /// <param name="exception">The failure the fallback answers.</param>
    public FallbackEventArgs(string interfaceName, string methodName, Exception exception)
    {
        InterfaceName = interfaceName;
        MethodName = methodName;
        Exception = exception;
        OperationName = interfaceName + "." + methodName;
    }

    /// <summary>
    /// The call's <c>resilience.operation</c>: <c>"{InterfaceName}.{MethodName}"</c> for a generated method, the name of a
    /// <see cref="ResilientCall{T}"/> (whose <see cref="InterfaceName"/> and <see cref="MethodName"/> are empty).
    /// </summary>
    public string OperationName { get; init; }

    /// <summary>The interface's full name.</summary>
    public string InterfaceName { get; }

    /// <summary>The method's name.</summary>
    public string MethodName { get; }

    /// <summary>The failure the fallback answers.</summary>
    public Exception Exception { get; }
}
