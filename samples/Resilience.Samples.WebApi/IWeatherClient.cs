using System.Text.Json;

namespace Resilience.Samples.WebApi;

/// <summary>
/// The typed client of the weather downstream. The generator emits <c>WeatherClientResilient</c>, which wraps
/// <see cref="WeatherClient"/>: callers get retries, a timeout, a fallback and one circuit breaker shared by
/// both calls, without any of it in the HTTP code.
/// </summary>
/// <remarks>
/// Every strategy is here: <see cref="GetForecastAsync"/> retries, times out and falls back;
/// <see cref="GetCachedForecastAsync"/> answers from a stale cache; <see cref="GetLimitedForecastAsync"/> is rate
/// limited; <see cref="GetReportAsync"/> sits in a bulkhead; and one circuit breaker guards them all. The methods
/// without a fallback let rejections and timeouts escape, for the problem-details handler to answer (429/503/504).
/// A 5xx answer is a failure for the retry and the breaker (<see cref="IsServerError"/>) but is not an exception:
/// when retries run out it is returned as it is (the fallbacks set <c>AnswerMarkedResults = false</c>; by default a
/// marked result that survives the retries would reach them). The fallbacks answer when the call throws: the breaker
/// is open, the timeout fired, or the downstream cannot be reached.
/// </remarks>
[CircuitBreaker(FailureThreshold = 3, BreakDurationMs = 5_000, HandleResult = nameof(IsServerError), Name = DownstreamNames.CircuitBreaker)]
public interface IWeatherClient
{
    /// <summary>Gets the forecast for <paramref name="city"/>.</summary>
    /// <param name="city">The city.</param>
    /// <param name="cancellationToken">The caller's cancellation (the request's abort token).</param>
    [Retry(MaxRetries = 3, DelayMs = 50, Jitter = 0, HandleResult = nameof(IsServerError))]
    [Timeout(5_000)]
    [Fallback(nameof(GetForecastFallbackAsync), AnswerMarkedResults = false)]
    Task<DownstreamResponse> GetForecastAsync(string city, CancellationToken cancellationToken);

    /// <summary>The fallback of <see cref="GetForecastAsync"/>, called on the inner client when the call fails.</summary>
    /// <param name="city">The city.</param>
    /// <param name="error">Why the call failed.</param>
    Task<DownstreamResponse> GetForecastFallbackAsync(string city, Exception error);

    /// <summary>
    /// Gets the forecast for <paramref name="city"/>, remembering each good answer for 10 minutes: when the call fails
    /// (a 5xx, an unreachable downstream, the open breaker) the last good answer for that city is returned instead.
    /// </summary>
    /// <param name="city">The city; the cache key.</param>
    /// <param name="cancellationToken">The caller's cancellation (the request's abort token).</param>
    [CacheFallback(StaleTtlMs = 600_000)]
    Task<DownstreamResponse> GetCachedForecastAsync(string city, CancellationToken cancellationToken);

    /// <summary>
    /// Gets the forecast for <paramref name="city"/> within a limit of 3 calls per 10 seconds for the whole app (a
    /// downstream quota; a token bucket: 3 at once, then one every 3⅓ s): a call over it is rejected with
    /// <see cref="RateLimitRejectedException"/>, which the problem-details handler answers with 429 and <c>Retry-After</c>.
    /// </summary>
    /// <param name="city">The city.</param>
    /// <param name="cancellationToken">The caller's cancellation (the request's abort token).</param>
    [RateLimit(PermitLimit = 3, WindowMs = 10_000, Name = DownstreamNames.RateLimit)]
    Task<DownstreamResponse> GetLimitedForecastAsync(string city, CancellationToken cancellationToken);

    /// <summary>
    /// Builds an expensive report for <paramref name="city"/>: one at a time, no queue, at most 2 seconds. A second
    /// concurrent call is rejected with <see cref="BulkheadRejectedException"/> (503); a slow one ends with
    /// <see cref="ResilienceTimeoutException"/> (504).
    /// </summary>
    /// <param name="city">The city.</param>
    /// <param name="cancellationToken">The caller's cancellation (the request's abort token).</param>
    [Bulkhead(MaxConcurrency = 1, MaxQueue = 0, Name = DownstreamNames.Bulkhead)]
    [Timeout(2_000)]
    Task<DownstreamResponse> GetReportAsync(string city, CancellationToken cancellationToken);

    /// <summary>Gets the downstream's status. Not retried: a failure counts at once for the shared breaker.</summary>
    /// <param name="cancellationToken">The caller's cancellation (the request's abort token).</param>
    [Timeout(2_000)]
    [Fallback(nameof(StatusFallback), AnswerMarkedResults = false)]
    Task<DownstreamResponse> GetStatusAsync(CancellationToken cancellationToken);

    /// <summary>The fallback of <see cref="GetStatusAsync"/>: reports the downstream as unavailable.</summary>
    /// <param name="error">Why the call failed.</param>
    static DownstreamResponse StatusFallback(Exception error) =>
        DownstreamResponse.FromFallbackFor(JsonSerializer.Serialize(new FallbackStatus("unavailable"), JsonSerializerOptions.Web), error);

    /// <summary>Marks a 5xx answer as a failure for the retry and the breaker.</summary>
    /// <param name="response">The answer.</param>
    static bool IsServerError(DownstreamResponse response) => response.StatusCode >= 500;
}

/// <summary>The forecast a fallback answers when the downstream cannot.</summary>
/// <param name="City">The requested city.</param>
/// <param name="Summary">Always <c>"unknown"</c>.</param>
public sealed record FallbackForecast(string City, string Summary);

/// <summary>The status a fallback answers when the downstream cannot.</summary>
/// <param name="State">Always <c>"unavailable"</c>.</param>
public sealed record FallbackStatus(string State);
