using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Configuration.Memory;

namespace Resilience.Samples.Downstream;

/// <summary>
/// A flaky downstream for the Web API sample: business endpoints whose failures a caller scripts through
/// <c>/control</c> endpoints, and a count of the requests they received.
/// </summary>
/// <remarks>
/// <code>
/// GET  /forecast/{city}              business endpoint (counted)
/// GET  /status                       business endpoint (counted)
/// POST /control/mode?value=healthy|transient|dead|slow[&amp;failures=N][&amp;status=5xx][&amp;delayMs=N]
/// POST /control/reset                healthy, hit count 0
/// GET  /control/hits                 {"mode":"Healthy","hits":N}
/// GET  /control/hits/wait?count=N    answers once the hit count reaches N
/// </code>
/// </remarks>
public static class Program
{
    /// <summary>Where the downstream listens unless <c>--urls</c> (or <c>ASPNETCORE_URLS</c>) says otherwise.</summary>
    public const string DefaultUrl = "http://127.0.0.1:5080";

    /// <summary>Runs the downstream until it is stopped (Ctrl+C).</summary>
    /// <param name="args">Command-line arguments, e.g. <c>--urls http://127.0.0.1:0</c> for a dynamic port.</param>
    public static Task Main(string[] args) => CreateApp(args).RunAsync();

    /// <summary>Builds the downstream app without starting it; start it with <c>StartAsync</c> and read the bound address from <c>Urls</c>.</summary>
    /// <param name="args">Command-line arguments (configuration), e.g. <c>--urls http://127.0.0.1:0</c>.</param>
    /// <param name="configureServices">Last-minute service changes, e.g. a <see cref="TimeProvider"/> for the slow mode's delays.</param>
    public static WebApplication CreateApp(string[] args, Action<IServiceCollection>? configureServices = null)
    {
        WebApplicationBuilder builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = args,
            ApplicationName = typeof(Program).Assembly.GetName().Name,
        });

        // Framework logs at Warning (the Web API's console is the one to read), but the "Now listening on" line;
        // first source, so appsettings, environment variables and the command line all override it.
        builder.Configuration.Sources.Insert(0, new MemoryConfigurationSource
        {
            InitialData = new Dictionary<string, string?>(StringComparer.Ordinal)
            {
                ["Logging:LogLevel:Default"] = "Warning",
                ["Logging:LogLevel:Microsoft.Hosting.Lifetime"] = "Information",
            },
        });

        if (string.IsNullOrEmpty(builder.Configuration[WebHostDefaults.ServerUrlsKey]))
        {
            builder.WebHost.UseUrls(DefaultUrl);
        }

        builder.Services.AddSingleton<DownstreamState>();
        configureServices?.Invoke(builder.Services);

        WebApplication app = builder.Build();
        TimeProvider clock = app.Services.GetService<TimeProvider>() ?? TimeProvider.System;
        DownstreamState state = app.Services.GetRequiredService<DownstreamState>();

        app.MapGet("/forecast/{city}", (string city, CancellationToken cancellationToken) =>
            AnswerAsync(state, clock, new Forecast(city, TemperatureC: 21, Summary: "Mild"), cancellationToken));

        app.MapGet("/status", (CancellationToken cancellationToken) =>
            AnswerAsync(state, clock, new ServiceStatus("up"), cancellationToken));

        RouteGroupBuilder control = app.MapGroup("/control");

        control.MapPost("/mode", (string value, int? failures, int? status, int? delayMs) =>
        {
            if (!Enum.TryParse(value, ignoreCase: true, out DownstreamMode mode) || !Enum.IsDefined(mode))
            {
                return Results.Problem(
                    statusCode: StatusCodes.Status400BadRequest,
                    title: $"Unknown mode '{value}'. Use healthy, transient, dead or slow.");
            }

            try
            {
                state.SetMode(
                    mode,
                    failures ?? DownstreamState.DefaultTransientFailures,
                    status ?? DownstreamState.DefaultDeadStatus,
                    TimeSpan.FromMilliseconds(delayMs ?? DownstreamState.DefaultSlowDelayMs));
            }
            catch (ArgumentOutOfRangeException e)
            {
                return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: e.Message);
            }

            return Results.Ok(Snapshot(state));
        });

        control.MapPost("/reset", () =>
        {
            state.Reset();
            return Results.Ok(Snapshot(state));
        });

        control.MapGet("/hits", () => Results.Ok(Snapshot(state)));

        control.MapGet("/hits/wait", async ([FromQuery] int count, CancellationToken cancellationToken) =>
        {
            await state.WaitForHitsAsync(count, cancellationToken);
            return Results.Ok(Snapshot(state));
        });

        return app;
    }

    private static ControlSnapshot Snapshot(DownstreamState state) => new(state.Mode.ToString(), state.Hits);

    private static async Task<IResult> AnswerAsync(DownstreamState state, TimeProvider clock, object payload, CancellationToken cancellationToken)
    {
        (int statusCode, TimeSpan delay) = state.RecordHit();
        if (delay > TimeSpan.Zero)
        {
            try
            {
                await Task.Delay(delay, clock, cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // The caller gave up (e.g. its timeout fired): nobody reads this answer.
                return Results.Empty;
            }
        }

        return statusCode == StatusCodes.Status200OK
            ? Results.Ok(payload)
            : Results.Problem(statusCode: statusCode, title: "Scripted downstream failure");
    }
}

/// <summary>The forecast the downstream answers when healthy.</summary>
/// <param name="City">The requested city.</param>
/// <param name="TemperatureC">Temperature in degrees Celsius.</param>
/// <param name="Summary">A word about the weather.</param>
public sealed record Forecast(string City, int TemperatureC, string Summary);

/// <summary>The status the downstream answers when healthy.</summary>
/// <param name="State">Always <c>"up"</c>.</param>
public sealed record ServiceStatus(string State);

/// <summary>The downstream's script and counter, as the control endpoints report them.</summary>
/// <param name="Mode">The current <see cref="DownstreamMode"/>.</param>
/// <param name="Hits">Requests the business endpoints received since start or the last reset.</param>
public sealed record ControlSnapshot(string Mode, int Hits);
