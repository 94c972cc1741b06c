namespace Resilience;

/// <summary>The circuit is open (or half-open with every probe slot taken, or isolated), so the call was not made.</summary>
public sealed class BrokenCircuitException : ResilienceRejectedException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="instanceName">The breaker's name.</param>
    /// <param name="state">The breaker's state when the call was rejected.</param>
    /// <param name="retryAfter">Time until the breaker admits a probe, if known.</param>
    public BrokenCircuitException(string instanceName, CircuitState state, TimeSpan? retryAfter)
        : base(BuildMessage(instanceName, state, retryAfter), instanceName, retryAfter)
    {
        State = state;
    }

    /// <summary>The breaker's state when the call was rejected.</summary>
    public CircuitState State { get; }

    private static string BuildMessage(string name, CircuitState state, TimeSpan? retryAfter) => state switch
    {
        CircuitState.HalfOpen => $"Circuit '{name}' is half-open and every probe slot is taken; the call was not made.",
        CircuitState.Isolated => $"Circuit '{name}' was isolated by hand; call Reset() to let calls through.",
        _ when retryAfter is { } after => $"Circuit '{name}' is open; the call was not made. Retry after {after.TotalMilliseconds:0} ms.",
        _ => $"Circuit '{name}' is open; the call was not made.",
    };
}
