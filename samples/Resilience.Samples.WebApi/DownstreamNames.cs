namespace Resilience.Samples.WebApi;

/// <summary>Names shared by the registrations, the resilience attributes and the diagnostics endpoint.</summary>
public static class DownstreamNames
{
    /// <summary>The named <see cref="HttpClient"/> that talks to the downstream.</summary>
    public const string HttpClient = "downstream";

    /// <summary>The circuit breaker shared by every method of <see cref="IWeatherClient"/>.</summary>
    public const string CircuitBreaker = "weather-downstream";

    /// <summary>Configuration key of the downstream's base address.</summary>
    public const string BaseUrlKey = "Downstream:BaseUrl";
}
