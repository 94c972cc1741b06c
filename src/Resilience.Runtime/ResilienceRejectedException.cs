namespace Resilience;

/// <summary>
/// Base class of every rejection: the call was not made because a rate limit, bulkhead or open circuit refused it.
/// A rejection is never retried by default and never counted as a circuit-breaker failure.
/// </summary>
public abstract class ResilienceRejectedException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What was rejected and why.</param>
    /// <param name="instanceName">The name of the strategy instance that rejected the call.</param>
    /// <param name="retryAfter">When the caller may try again, if known.</param>
    protected ResilienceRejectedException(string message, string? instanceName, TimeSpan? retryAfter)
        : base(message)
    {
        InstanceName = instanceName;
        RetryAfter = retryAfter;
    }

    /// <summary>The name of the strategy instance that rejected the call, if it has one.</summary>
    public string? InstanceName { get; }

    /// <summary>How long the caller should wait before trying again, when the strategy knows it.</summary>
    public TimeSpan? RetryAfter { get; }
}
