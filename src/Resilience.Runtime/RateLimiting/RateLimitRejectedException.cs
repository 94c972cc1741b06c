namespace Resilience;

/// <summary>The rate limit had no permit for the call (and its queue, if any, was full).</summary>
public sealed class RateLimitRejectedException : ResilienceRejectedException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="instanceName">The rate limit's name.</param>
    /// <param name="retryAfter">When a permit is expected to be available, if the limiter knows it.</param>
    public RateLimitRejectedException(string instanceName, TimeSpan? retryAfter)
        : base(
            retryAfter is { } after
                ? $"Rate limit '{instanceName}' rejected the call. Retry after {after.TotalMilliseconds:0} ms."
                : $"Rate limit '{instanceName}' rejected the call.",
            instanceName,
            retryAfter)
    {
    }
}
