using Microsoft.Extensions.Configuration.Memory;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Resilience.AspNetCore;

namespace Resilience.Samples.WebApi;

/// <summary>
/// A Web API whose endpoints call the downstream (<c>Resilience.Samples.Downstream</c>) through the resilient
/// <see cref="IWeatherClient"/>. Each answer carries the downstream's status and body, plus <c>X-Fallback: true|false</c>
/// (and <c>X-Fallback-Reason</c>) saying whether a fallback answered instead. Rejections and timeouts that no fallback
/// answers become 429 / 503 / 504 problem details with <c>Retry-After</c> (<c>Resilience.AspNetCore</c>).
/// </summary>
/// <remarks>
/// <code>
/// GET /weather/{city}          GetForecastAsync        retry, timeout, circuit breaker, fallback
/// GET /weather/{city}/cached   GetCachedForecastAsync  cache fallback (stale answer when the call fails)
/// GET /weather/{city}/limited  GetLimitedForecastAsync rate limit: 3 per 10 s for the app, then 429
/// GET /weather/{city}/report   GetReportAsync          bulkhead (1, no queue) then 503; timeout 2 s then 504
/// GET /me/weather/{city}       GetForecastAsync        per-user request limit by X-User-ID: 3 per 10 s, then 429
/// GET /status                  GetStatusAsync          timeout, circuit breaker, fallback
/// GET /health                  circuit-breaker health check: Healthy, or Degraded while a breaker is not closed
/// GET /resilience              the registry's instances and their state as JSON
/// GET /diagnostics/breaker     {"state":"Closed|Open|HalfOpen|Isolated"} of the shared breaker
/// </code>
/// Configuration: <c>--urls</c> (default <see cref="DefaultUrl"/>), <c>--Downstream:BaseUrl</c> (default
/// <see cref="DefaultDownstreamUrl"/>), <c>--Telemetry:Console</c> (default <c>true</c>: spans and metrics of the
/// <c>Resilience</c> source and meter on the console). Logging defaults to Warning, with <c>Resilience</c> (the
/// library) at Information and the host's start-up lines; any configuration source overrides these defaults.
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

    /// <summary>Configuration key: whether spans and metrics go to the console exporter (default <c>true</c>).</summary>
    public const string ConsoleTelemetryKey = "Telemetry:Console";

    /// <summary>The OpenTelemetry service name of this app.</summary>
    public const string ServiceName = "Resilience.Samples.WebApi";

    /// <summary>
    /// Defaults below every other configuration source: framework logs at Warning, so that the library's own lines
    /// (category <c>Resilience</c>) stand out, and the host's "Now listening on" line.
    /// </summary>
    private static readonly Dictionary<string, string?> DefaultSettings = new(StringComparer.Ordinal)
    {
        ["Logging:LogLevel:Default"] = "Warning",
        ["Logging:LogLevel:Microsoft.Hosting.Lifetime"] = "Information",
        ["Logging:LogLevel:" + ResilienceTelemetry.Name] = "Information",
        [ConsoleTelemetryKey] = "true",
    };

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

        // First source, so appsettings, environment variables and the command line all override it.
        builder.Configuration.Sources.Insert(0, new MemoryConfigurationSource { InitialData = DefaultSettings });

        if (string.IsNullOrEmpty(builder.Configuration[WebHostDefaults.ServerUrlsKey]))
        {
            builder.WebHost.UseUrls(DefaultUrl);
        }

        Uri downstream = ReadDownstreamBaseUrl(builder.Configuration);
        builder.Services.AddHttpClient(DownstreamNames.HttpClient, client => client.BaseAddress = downstream);

        // The generated WeatherClientResilient wraps WeatherClient; endpoints receive it as IWeatherClient.
        builder.Services.AddResilient<IWeatherClient, WeatherClient>();

        // Resilience.AspNetCore: rejections and timeouts as problem details, the per-user limit, the health check.
        builder.Services.AddResilienceProblemDetails();
        builder.Services.AddResilienceRequestRateLimit(DownstreamNames.PerUserLimit, options =>
        {
            options.Limit.PermitLimit = 3;                   // a token bucket (the default): 3 at once, then one every 3⅓ s
            options.Limit.Window = TimeSpan.FromSeconds(10);
            options.KeyHeader = RequestRateLimitOptions.DefaultKeyHeader; // X-User-ID; without it, the remote address
        });
        builder.Services.AddHealthChecks().AddResilienceCircuitBreakers();

        // OpenTelemetry: the library's spans and metrics (ActivitySource and Meter both named "Resilience").
        bool consoleTelemetry = builder.Configuration.GetValue<bool>(ConsoleTelemetryKey);
        builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(ServiceName))
            .WithTracing(tracing =>
            {
                // The request's span (ASP.NET Core) is the root; the library's call and attempt spans are its
                // children, and HttpClient's spans theirs. Without a recorded root span the default (parent-based)
                // sampler would drop the library's spans.
                tracing.AddSource("Microsoft.AspNetCore", ResilienceTelemetry.Name, "System.Net.Http");
                if (consoleTelemetry)
                {
                    tracing.AddConsoleExporter();
                }
            })
            .WithMetrics(metrics =>
            {
                metrics.AddMeter(ResilienceTelemetry.Name);
                if (consoleTelemetry)
                {
                    metrics.AddConsoleExporter((_, reader) => reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = 10_000);
                }
            });

        configureServices?.Invoke(builder.Services);

        WebApplication app = builder.Build();
        app.UseExceptionHandler();

        app.MapGet("/weather/{city}", async (string city, IWeatherClient weather, HttpContext context) =>
            Answer(context, await weather.GetForecastAsync(city, context.RequestAborted)));

        app.MapGet("/weather/{city}/cached", async (string city, IWeatherClient weather, HttpContext context) =>
            Answer(context, await weather.GetCachedForecastAsync(city, context.RequestAborted)));

        app.MapGet("/weather/{city}/limited", async (string city, IWeatherClient weather, HttpContext context) =>
            Answer(context, await weather.GetLimitedForecastAsync(city, context.RequestAborted)));

        app.MapGet("/weather/{city}/report", async (string city, IWeatherClient weather, HttpContext context) =>
            Answer(context, await weather.GetReportAsync(city, context.RequestAborted)));

        app.MapGroup("/me").RequireResilienceRateLimit(DownstreamNames.PerUserLimit)
            .MapGet("/weather/{city}", async (string city, IWeatherClient weather, HttpContext context) =>
                Answer(context, await weather.GetForecastAsync(city, context.RequestAborted)));

        app.MapGet("/status", async (IWeatherClient weather, HttpContext context) =>
            Answer(context, await weather.GetStatusAsync(context.RequestAborted)));

        app.MapHealthChecks("/health");
        app.MapResilienceState("/resilience");

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
