namespace Resilience.Samples.WebApi;

/// <summary>Names shared by the registrations, the resilience attributes and the diagnostics endpoint.</summary>
public static class DownstreamNames
{
    /// <summary>The named <see cref="HttpClient"/> that talks to the downstream.</summary>
    public const string HttpClient = "downstream";

    /// <summary>The circuit breaker shared by every method of <see cref="IWeatherClient"/>.</summary>
    public const string CircuitBreaker = "weather-downstream";

    /// <summary>The rate limit of <see cref="IWeatherClient.GetLimitedForecastAsync"/>: 3 calls per 10 seconds for the whole app (token bucket).</summary>
    public const string RateLimit = "weather-quota";

    /// <summary>The bulkhead of <see cref="IWeatherClient.GetReportAsync"/>: one report at a time.</summary>
    public const string Bulkhead = "weather-reports";

    /// <summary>The per-user request rate limit of <c>/me/weather/{city}</c>, keyed by <c>X-User-ID</c>.</summary>
    public const string PerUserLimit = "per-user";

    /// <summary>Configuration key of the downstream's base address.</summary>
    public const string BaseUrlKey = "Downstream:BaseUrl";
}
