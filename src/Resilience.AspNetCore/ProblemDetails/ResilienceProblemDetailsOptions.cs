namespace Resilience.AspNetCore;

/// <summary>
/// How <see cref="ResilienceProblemDetailsServiceCollectionExtensions.AddResilienceProblemDetails"/> answers the
/// library's rejections and timeouts. The defaults are those docs/aspnetcore.md lists.
/// </summary>
public sealed class ResilienceProblemDetailsOptions
{
    /// <summary>Status code for <see cref="BrokenCircuitException"/>. Default 503 (Service Unavailable).</summary>
    public int BrokenCircuitStatusCode { get; set; } = 503;

    /// <summary>Status code for <see cref="RateLimitRejectedException"/>. Default 429 (Too Many Requests).</summary>
    public int RateLimitStatusCode { get; set; } = 429;

    /// <summary>Status code for <see cref="BulkheadRejectedException"/>. Default 503 (Service Unavailable).</summary>
    public int BulkheadStatusCode { get; set; } = 503;

    /// <summary>Status code for <see cref="ResilienceTimeoutException"/>. Default 504 (Gateway Timeout): a dependency did not answer in time.</summary>
    public int TimeoutStatusCode { get; set; } = 504;

    /// <summary>
    /// Status code for any other <see cref="ResilienceRejectedException"/> (one of your own strategies). Default 503.
    /// </summary>
    public int OtherRejectionStatusCode { get; set; } = 503;

    /// <summary>
    /// Whether the problem details name the strategy instance (extension <c>resilienceInstance</c>). Default
    /// <see langword="false"/>: instance names are often interface and method names, which clients need not see.
    /// </summary>
    public bool IncludeInstanceName { get; set; }

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the setting when a status code is outside 400–599.</summary>
    internal void Validate()
    {
        Check(BrokenCircuitStatusCode, nameof(BrokenCircuitStatusCode));
        Check(RateLimitStatusCode, nameof(RateLimitStatusCode));
        Check(BulkheadStatusCode, nameof(BulkheadStatusCode));
        Check(TimeoutStatusCode, nameof(TimeoutStatusCode));
        Check(OtherRejectionStatusCode, nameof(OtherRejectionStatusCode));

        static void Check(int value, string name)
        {
            if (value is < 400 or > 599)
            {
                throw new ArgumentOutOfRangeException(name, value, $"ResilienceProblemDetailsOptions.{name} must be an error status code (400–599); got {value}.");
            }
        }
    }
}
