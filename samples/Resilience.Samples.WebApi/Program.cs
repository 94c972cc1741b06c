namespace Resilience.Samples.WebApi;

/// <summary>
/// A Web API whose endpoints call the downstream (<c>Resilience.Samples.Downstream</c>) through the resilient
/// <see cref="IWeatherClient"/>. Each answer carries the downstream's status and body, plus <c>X-Fallback: true|false</c>
/// (and <c>X-Fallback-Reason</c>) saying whether a fallback answered instead.
/// </summary>
/// <remarks>
/// <code>
/// GET /weather/{city}        IWeatherClient.GetForecastAsync (retry, timeout, breaker, fallback)
/// GET /status                IWeatherClient.GetStatusAsync   (timeout, breaker, fallback)
/// GET /diagnostics/breaker   {"state":"Closed|Open|HalfOpen|Isolated"} of the shared breaker
/// </code>
/// Configuration: <c>--urls</c> (default <see cref="DefaultUrl"/>), <c>--Downstream:BaseUrl</c> (default <see cref="DefaultDownstreamUrl"/>).
/// </remarks>
public static class Program
{
    /// <summary>Where the Web API listens unless <c>--urls</c> (or <c>ASPNETCORE_URLS</c>) says otherwise.</summary>
    public const string DefaultUrl = "http://127.0.0.1:5090";

    /// <summary>The downstream's address unless <c>Downstream:BaseUrl</c> says otherwise (the downstream sample's default).</summary>
    public const string DefaultDownstreamUrl = "http://127.0.0.1:5080/";

    /// <summary>Response header saying whether a fallback answered: <c>true</c> or <c>false</c>.</summary>
    public const string FallbackHeader = "X-Fallback";

    /// <summary>Response header naming the exception type that made the call fall back.</summary>
    public const string FallbackReasonHeader = "X-Fallback-Reason";

    /// <summary>Runs the Web API until it is stopped (Ctrl+C).</summary>
    /// <param name="args">Command-line arguments, e.g. <c>--urls http://127.0.0.1:0 --Downstream:BaseUrl http://127.0.0.1:5080</c>.</param>
    public static Task Main(string[] args) => CreateApp(args).RunAsync();

    /// <summary>Builds the Web API without starting it; start it with <c>StartAsync</c> and read the bound address from <c>Urls</c>.</summary>
    /// <param name="args">Command-line arguments (configuration), e.g. <c>--urls http://127.0.0.1:0</c>.</param>
    /// <param name="configureServices">
    /// Last-minute service changes, e.g. a <see cref="TimeProvider"/>: the <see cref="ResilienceRegistry"/> that
    /// <c>AddResilient</c> registers takes its clock from it.
    /// </param>
    /// <exception cref="InvalidOperationException"><c>Downstream:BaseUrl</c> is not an absolute http(s) address.</exception>
    public static WebApplication CreateApp(string[] args, Action<IServiceCollection>? configureServices = null)
    {
        WebApplicationBuilder builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = args,
            ApplicationName = typeof(Program).Assembly.GetName().Name,
        });

        if (string.IsNullOrEmpty(builder.Configuration[WebHostDefaults.ServerUrlsKey]))
        {
            builder.WebHost.UseUrls(DefaultUrl);
        }

        Uri downstream = ReadDownstreamBaseUrl(builder.Configuration);
        builder.Services.AddHttpClient(DownstreamNames.HttpClient, client => client.BaseAddress = downstream);

        // The generated WeatherClientResilient wraps WeatherClient; endpoints receive it as IWeatherClient.
        builder.Services.AddResilient<IWeatherClient, WeatherClient>();

        configureServices?.Invoke(builder.Services);

        WebApplication app = builder.Build();

        app.MapGet("/weather/{city}", async (string city, IWeatherClient weather, HttpContext context) =>
            Answer(context, await weather.GetForecastAsync(city, context.RequestAborted)));

        app.MapGet("/status", async (IWeatherClient weather, HttpContext context) =>
            Answer(context, await weather.GetStatusAsync(context.RequestAborted)));

        app.MapGet("/diagnostics/breaker", (ResilienceRegistry registry) =>
            Results.Ok(new BreakerSnapshot(
                registry.TryGetCircuitBreaker(DownstreamNames.CircuitBreaker, out CircuitBreaker? breaker)
                    ? breaker.State.ToString()
                    : "NotCreated")));

        return app;
    }

    private static Uri ReadDownstreamBaseUrl(IConfiguration configuration)
    {
        string value = configuration[DownstreamNames.BaseUrlKey] ?? DefaultDownstreamUrl;
        if (!Uri.TryCreate(value, UriKind.Absolute, out Uri? uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            throw new InvalidOperationException(
                $"{DownstreamNames.BaseUrlKey} must be an absolute http(s) address such as {DefaultDownstreamUrl}; got '{value}'.");
        }

        // Relative request paths ("forecast/paris") resolve under the base only when it ends with '/'.
        return uri.AbsolutePath.EndsWith('/') ? uri : new Uri(uri.AbsoluteUri + "/");
    }

    private static IResult Answer(HttpContext context, DownstreamResponse response)
    {
        context.Response.Headers[FallbackHeader] = response.FromFallback ? "true" : "false";
        if (response.FallbackReason is { } reason)
        {
            context.Response.Headers[FallbackReasonHeader] = reason;
        }

        return Results.Content(response.Body, response.ContentType ?? "application/json", statusCode: response.StatusCode);
    }
}

/// <summary>The shared breaker's state, as <c>/diagnostics/breaker</c> reports it.</summary>
/// <param name="State">A <see cref="CircuitState"/> name, or <c>NotCreated</c> before the first call.</param>
public sealed record BreakerSnapshot(string State);
