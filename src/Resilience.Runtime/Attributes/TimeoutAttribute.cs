namespace Resilience;

/// <summary>
/// Bounds the total time of a call, including every retry and the delays between them. The method's
/// <see cref="CancellationToken"/> parameter receives a token that is cancelled when the time is up, and the call
/// fails with <see cref="ResilienceTimeoutException"/>.
/// </summary>
[AttributeUsage(AttributeTargets.Method | AttributeTargets.Interface, AllowMultiple = false, Inherited = false)]
public sealed class TimeoutAttribute : Attribute
{
    /// <summary>Creates the attribute.</summary>
    /// <param name="timeoutMs">The time limit in milliseconds; must be positive.</param>
    public TimeoutAttribute(int timeoutMs) => TimeoutMs = timeoutMs;

    /// <summary>The time limit in milliseconds.</summary>
    public int TimeoutMs { get; }
}
