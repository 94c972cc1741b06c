using Microsoft.Extensions.Logging;

namespace Resilience;

/// <summary>The registry's log messages (category "Resilience"), source-generated.</summary>
internal static partial class ResilienceLog
{
    [LoggerMessage(EventId = 1, EventName = "Retry", Level = LogLevel.Warning,
        Message = "{Operation}: retry {Attempt} of '{Instance}' after a failure, having waited {DelayMs} ms.")]
    public static partial void Retrying(ILogger logger, string operation, string instance, int attempt, double delayMs, Exception? exception);

    [LoggerMessage(EventId = 2, EventName = "CircuitBreakerStateChanged", Level = LogLevel.Warning,
        Message = "Circuit breaker '{Instance}' went from {PreviousState} to {State} ({Reason}).")]
    public static partial void BreakerStateChanged(ILogger logger, string instance, CircuitState previousState, CircuitState state, CircuitTransitionReason reason);

    [LoggerMessage(EventId = 3, EventName = "Rejected", Level = LogLevel.Warning,
        Message = "'{Instance}' ({Strategy}) rejected a call; retry after {RetryAfter}.")]
    public static partial void Rejected(ILogger logger, string instance, string strategy, TimeSpan? retryAfter);

    [LoggerMessage(EventId = 4, EventName = "Fallback", Level = LogLevel.Warning,
        Message = "{Operation}: the fallback answers a failure.")]
    public static partial void FallingBack(ILogger logger, string operation, Exception exception);

    [LoggerMessage(EventId = 5, EventName = "StaleResultServed", Level = LogLevel.Warning,
        Message = "Cache fallback '{Instance}' answered a failure with a stale result {AgeMs} ms old (key '{Key}').")]
    public static partial void StaleResultServed(ILogger logger, string instance, string key, double ageMs, Exception exception);

    [LoggerMessage(EventId = 6, EventName = "Timeout", Level = LogLevel.Warning,
        Message = "'{Instance}' timed out after {TimeoutMs} ms.")]
    public static partial void TimedOut(ILogger logger, string instance, double timeoutMs);

    [LoggerMessage(EventId = 7, EventName = "KeyedCircuitBreakerStateChanged", Level = LogLevel.Warning,
        Message = "Circuit breaker '{Instance}' for key '{Key}' went from {PreviousState} to {State} ({Reason}).")]
    public static partial void KeyedBreakerStateChanged(ILogger logger, string instance, object? key, CircuitState previousState, CircuitState state, CircuitTransitionReason reason);
}
