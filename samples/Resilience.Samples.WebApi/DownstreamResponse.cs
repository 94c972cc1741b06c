namespace Resilience.Samples.WebApi;

/// <summary>
/// What the downstream answered, kept as data (not an exception) so that a status code can be judged by the
/// <c>HandleResult</c> predicate: a 5xx is retried and counted by the breaker, then returned as it is.
/// </summary>
/// <param name="StatusCode">The HTTP status code.</param>
/// <param name="Body">The response body.</param>
public sealed record DownstreamResponse(int StatusCode, string Body)
{
    /// <summary>The body's media type, when known.</summary>
    public string? ContentType { get; init; }

    /// <summary>Whether a fallback produced this answer instead of the downstream.</summary>
    public bool FromFallback { get; init; }

    /// <summary>For a fallback answer: the name of the exception type that made the call fail.</summary>
    public string? FallbackReason { get; init; }

    /// <summary>A 200 answer made up by a fallback.</summary>
    /// <param name="body">The JSON body to answer.</param>
    /// <param name="error">Why the call failed.</param>
    public static DownstreamResponse FromFallbackFor(string body, Exception error)
    {
        ArgumentNullException.ThrowIfNull(error);
        return new DownstreamResponse(200, body)
        {
            ContentType = "application/json; charset=utf-8",
            FromFallback = true,
            FallbackReason = error.GetType().Name,
        };
    }
}
