using Microsoft.Extensions.Logging;

namespace Resilience;

/// <summary>
/// The registry's log messages (category "Resilience"), source-generated. One line per event; levels by severity:
/// what the library absorbs (a retry, a rejection, a timeout, a recovery) is <see cref="LogLevel.Information"/>, what
/// degrades the service or hides a failure (a circuit opening, a call failing after retries, a fallback or stale
/// answer, rejected configuration) is <see cref="LogLevel.Warning"/>. Retries name the exception's type and message only;
/// the full exception (with its stack trace) is logged once, on the failure after the retries, the fallback or the stale
/// answer. Argument values (a keyed breaker's key, a cache key) are written as <see cref="Hidden"/> unless
/// <see cref="ResilienceLoggingOptions.IncludeArgumentValues"/> is set.
/// </summary>
internal static partial class ResilienceLog
{
    /// <summary>What an argument value is written as when <see cref="ResilienceLoggingOptions.IncludeArgumentValues"/> is off.</summary>
    internal const string Hidden = "[hidden]";

    [LoggerMessage(EventId = 1, EventName = "Retry", Level = LogLevel.Information,
        Message = "{Operation}: retry {Attempt} after waiting {DelayMs} ms; the previous attempt failed with {Failure}")]
    public static partial void Retrying(ILogger logger, string operation, int attempt, double delayMs, string failure);

    [LoggerMessage(EventId = 2, EventName = "CircuitBreakerStateChanged",
        Message = "Circuit breaker '{Instance}' went from {PreviousState} to {State} ({Reason}).")]
    public static partial void BreakerStateChanged(ILogger logger, LogLevel level, string instance, CircuitState previousState, CircuitState state, CircuitTransitionReason reason);

    [LoggerMessage(EventId = 3, EventName = "Rejected", Level = LogLevel.Information,
        Message = "'{Instance}' ({Strategy}) rejected a call; retry after {RetryAfter}.")]
    public static partial void Rejected(ILogger logger, string instance, string strategy, TimeSpan? retryAfter);

    [LoggerMessage(EventId = 4, EventName = "Fallback", Level = LogLevel.Warning,
        Message = "{Operation}: the fallback answers a failure.")]
    public static partial void FallingBack(ILogger logger, string operation, Exception exception);

    [LoggerMessage(EventId = 5, EventName = "StaleResultServed", Level = LogLevel.Warning,
        Message = "Cache fallback '{Instance}' answered a failure with a stale result {AgeMs} ms old (key '{Key}').")]
    public static partial void StaleResultServed(ILogger logger, string instance, string key, double ageMs, Exception exception);

    [LoggerMessage(EventId = 6, EventName = "Timeout", Level = LogLevel.Information,
        Message = "'{Instance}' timed out after {TimeoutMs} ms.")]
    public static partial void TimedOut(ILogger logger, string instance, double timeoutMs);

    [LoggerMessage(EventId = 7, EventName = "KeyedCircuitBreakerStateChanged",
        Message = "Circuit breaker '{Instance}' for key '{Key}' went from {PreviousState} to {State} ({Reason}).")]
    public static partial void KeyedBreakerStateChanged(ILogger logger, LogLevel level, string instance, object? key, CircuitState previousState, CircuitState state, CircuitTransitionReason reason);

    [LoggerMessage(EventId = 8, EventName = "ConfigurationRejected", Level = LogLevel.Warning,
        Message = "Configuration change rejected ({Outcome}): {Failures}")]
    public static partial void ConfigurationRejected(ILogger logger, string outcome, string failures);

    [LoggerMessage(EventId = 9, EventName = "FailedAfterRetries", Level = LogLevel.Warning,
        Message = "{Operation} failed after {Retries} retries.")]
    public static partial void FailedAfterRetries(ILogger logger, string operation, int retries, Exception exception);

    // Event ids from 24 on belong to the bulkheads and worker pools.
    [LoggerMessage(EventId = 24, EventName = "WorkerPoolJobFailed", Level = LogLevel.Error,
        Message = "A job of worker pool '{Instance}' failed.")]
    public static partial void WorkerPoolJobFailed(ILogger logger, string instance, Exception exception);

    /// <summary>Warning when a circuit stops calls (open, isolated), Information when it lets them through again (half-open, closed).</summary>
    internal static LogLevel LevelOf(CircuitState state) => state is CircuitState.Open or CircuitState.Isolated ? LogLevel.Warning : LogLevel.Information;

    /// <summary>
    /// "System.TimeoutException: The operation timed out." on one line (the message's first line), without the stack
    /// trace; for a result that <c>HandleResult</c> marked, "a result marked as a failure.".
    /// </summary>
    internal static string DescribeFailure(Exception? exception)
    {
        if (exception is null)
        {
            return "a result marked as a failure.";
        }

        string message = exception.Message;
        int newline = message.AsSpan().IndexOfAny('\r', '\n');
        if (newline >= 0)
        {
            message = string.Concat(message.AsSpan(0, newline), " …");
        }

        return $"{exception.GetType().FullName}: {message}";
    }
}
