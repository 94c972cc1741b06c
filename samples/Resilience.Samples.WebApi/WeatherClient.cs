using System.Text.Json;

namespace Resilience.Samples.WebApi;

/// <summary>
/// The plain HTTP implementation of <see cref="IWeatherClient"/>: one request per call, no resilience of its own.
/// Uses the named client <see cref="DownstreamNames.HttpClient"/>, whose base address is <c>Downstream:BaseUrl</c>.
/// </summary>
/// <param name="httpClientFactory">Creates the configured <see cref="HttpClient"/>.</param>
public sealed class WeatherClient(IHttpClientFactory httpClientFactory) : IWeatherClient
{
    /// <inheritdoc />
    public Task<DownstreamResponse> GetForecastAsync(string city, CancellationToken cancellationToken) =>
        GetAsync("forecast/" + Uri.EscapeDataString(city), cancellationToken);

    /// <inheritdoc />
    public Task<DownstreamResponse> GetForecastFallbackAsync(string city, Exception error) =>
        Task.FromResult(DownstreamResponse.FromFallbackFor(JsonSerializer.Serialize(new FallbackForecast(city, "unknown"), JsonSerializerOptions.Web), error));

    /// <inheritdoc />
    public Task<DownstreamResponse> GetCachedForecastAsync(string city, CancellationToken cancellationToken) =>
        GetForecastAsync(city, cancellationToken);

    /// <inheritdoc />
    public Task<DownstreamResponse> GetLimitedForecastAsync(string city, CancellationToken cancellationToken) =>
        GetForecastAsync(city, cancellationToken);

    /// <inheritdoc />
    public Task<DownstreamResponse> GetReportAsync(string city, CancellationToken cancellationToken) =>
        GetForecastAsync(city, cancellationToken);

    /// <inheritdoc />
    public Task<DownstreamResponse> GetStatusAsync(CancellationToken cancellationToken) =>
        GetAsync("status", cancellationToken);

    private async Task<DownstreamResponse> GetAsync(string relativePath, CancellationToken cancellationToken)
    {
        HttpClient http = httpClientFactory.CreateClient(DownstreamNames.HttpClient);
        using HttpResponseMessage response = await http.GetAsync(new Uri(relativePath, UriKind.Relative), cancellationToken).ConfigureAwait(false);
        string body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        return new DownstreamResponse((int)response.StatusCode, body)
        {
            ContentType = response.Content.Headers.ContentType?.ToString(),
        };
    }
}
