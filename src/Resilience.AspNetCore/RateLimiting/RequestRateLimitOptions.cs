using Microsoft.AspNetCore.Http;

namespace Resilience.AspNetCore;

/// <summary>
/// A request rate limit declared with
/// <see cref="RequestRateLimitServiceCollectionExtensions.AddResilienceRequestRateLimit"/>: the limit per key and how a
/// request's key is found.
/// </summary>
public sealed class RequestRateLimitOptions
{
    /// <summary>The header whose value is the default key. Default <c>"X-User-ID"</c>.</summary>
    public const string DefaultKeyHeader = "X-User-ID";

    /// <summary>
    /// The limit of each key (permits, window, algorithm, queue, <see cref="RateLimitOptions.MaxKeys"/>,
    /// <see cref="RateLimitOptions.KeyIdleTimeout"/>). Default: <see cref="RateLimitOptions"/>'s defaults (100 per second,
    /// token bucket, no queue, at most 10 000 keys). Configuration under <c>Resilience:Instances:{name}:RateLimit</c>
    /// overrides it, as for any rate limit of the registry.
    /// </summary>
    public RateLimitOptions Limit { get; set; } = new();

    /// <summary>
    /// The request header whose first non-empty value is the key (as <c>"user:" + value</c>); when it is absent or empty
    /// the remote IP address is (as <c>"ip:" + address</c>). Default <see cref="DefaultKeyHeader"/>; <see langword="null"/>
    /// keys by address only. Ignored when <see cref="KeySelector"/> is set.
    /// </summary>
    /// <remarks>
    /// A client can send any header value: key by a header only when something trusted in front of the app sets it (a
    /// gateway that authenticates), or use <see cref="KeySelector"/> with the authenticated user.
    /// </remarks>
    public string? KeyHeader { get; set; } = DefaultKeyHeader;

    /// <summary>
    /// Takes the key from the request instead of <see cref="KeyHeader"/> and the remote address (for example
    /// <c>context =&gt; context.User.Identity?.Name</c>). A <see langword="null"/> key is a key of its own, shared by every
    /// request that has none. Called once per request, before the endpoint; keep it cheap.
    /// </summary>
    public Func<HttpContext, string?>? KeySelector { get; set; }

    /// <summary>The status code of a rejected request; 400–599. Default 429 (Too Many Requests).</summary>
    public int RejectionStatusCode { get; set; } = StatusCodes.Status429TooManyRequests;
}
