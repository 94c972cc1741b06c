using System.Text.Json;

namespace Resilience.Samples.WebApi;

/// <summary>
/// The typed client of the weather downstream. The generator emits <c>WeatherClientResilient</c>, which wraps
/// <see cref="WeatherClient"/>: callers get retries, a timeout, a fallback and one circuit breaker shared by
/// both calls, without any of it in the HTTP code.
/// </summary>
/// <remarks>
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
