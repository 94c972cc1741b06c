namespace Resilience;

/// <summary>
/// The call took longer than its <see cref="TimeoutAttribute"/> allowed. Thrown only when the library's own timer
/// fired; a caller's cancellation surfaces as <see cref="OperationCanceledException"/>.
/// </summary>
public sealed class ResilienceTimeoutException : TimeoutException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="instanceName">The timeout's name.</param>
    /// <param name="timeout">The limit that was exceeded.</param>
    /// <param name="innerException">The cancellation the inner call ended with, if any.</param>
    public ResilienceTimeoutException(string instanceName, TimeSpan timeout, Exception? innerException = null)
        : base($"'{instanceName}' did not complete within {timeout.TotalMilliseconds:0} ms.", innerException)
    {
        InstanceName = instanceName;
        Timeout = timeout;
    }

    /// <summary>The name of the timeout that fired.</summary>
    public string InstanceName { get; }

    /// <summary>The limit that was exceeded.</summary>
    public TimeSpan Timeout { get; }
}
