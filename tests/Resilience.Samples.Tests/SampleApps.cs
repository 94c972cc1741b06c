using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using DownstreamProgram = Resilience.Samples.Downstream.Program;
using WebApiProgram = Resilience.Samples.WebApi.Program;

namespace Resilience.Samples.Tests;

/// <summary>
/// Both sample apps running in this process on real Kestrel, each on 127.0.0.1 with a port the OS picked, and an
/// <see cref="HttpClient"/> for each. Disposing stops both.
/// </summary>
internal sealed class SampleApps : IAsyncDisposable
{
    /// <summary>Safety net for every HTTP call and for shutdown; no assertion depends on it.</summary>
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    private WebApplication? _downstream;
    private readonly WebApplication _webApi;

    private SampleApps(WebApplication downstream, WebApplication webApi, HttpClient downstreamHttp, HttpClient api)
    {
        _downstream = downstream;
        _webApi = webApi;
        DownstreamHttp = downstreamHttp;
        Api = api;
    }

    /// <summary>Talks to the downstream (control endpoints).</summary>
    public HttpClient DownstreamHttp { get; }

    /// <summary>Talks to the Web API.</summary>
    public HttpClient Api { get; }

    /// <summary>The Web API's services.</summary>
    public IServiceProvider WebApiServices => _webApi.Services;

    /// <summary>Starts the downstream, then the Web API pointed at it.</summary>
    /// <param name="webApiTime">The Web API's <see cref="TimeProvider"/> (so its resilience registry's clock); the system clock when null.</param>
    /// <param name="configureWebApi">More service changes for the Web API, e.g. an in-memory OpenTelemetry exporter.</param>
    public static async Task<SampleApps> StartAsync(FakeTimeProvider? webApiTime = null, Action<IServiceCollection>? configureWebApi = null)
    {
        WebApplication downstream = DownstreamProgram.CreateApp(["--urls", "http://127.0.0.1:0", "--Logging:LogLevel:Default=Warning"]);
        WebApplication? webApi = null;
        try
        {
            await downstream.StartAsync();
            Uri downstreamUrl = BoundAddress(downstream);

            webApi = WebApiProgram.CreateApp(
                ["--urls", "http://127.0.0.1:0", "--Downstream:BaseUrl", downstreamUrl.AbsoluteUri, "--Logging:LogLevel:Default=Warning", "--Telemetry:Console=false"],
                services =>
                {
                    if (webApiTime is not null)
                    {
                        services.AddSingleton<TimeProvider>(webApiTime);
                    }

                    configureWebApi?.Invoke(services);
                });
            await webApi.StartAsync();

            return new SampleApps(downstream, webApi, CreateClient(downstreamUrl), CreateClient(BoundAddress(webApi)));
        }
        catch
        {
            if (webApi is not null)
            {
                await webApi.DisposeAsync();
            }

            await downstream.DisposeAsync();
            throw;
        }
    }

    /// <summary>Scripts the downstream, e.g. <c>"transient&amp;failures=2"</c> or <c>"dead"</c>.</summary>
    public async Task SetDownstreamModeAsync(string modeQuery)
    {
        using HttpResponseMessage response = await DownstreamHttp.PostAsync(new Uri("control/mode?value=" + modeQuery, UriKind.Relative), content: null);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    /// <summary>Requests the downstream's business endpoints have received.</summary>
    public async Task<int> GetDownstreamHitsAsync()
    {
        using JsonDocument snapshot = await GetJsonAsync(DownstreamHttp, "control/hits");
        return snapshot.RootElement.GetProperty("hits").GetInt32();
    }

    /// <summary>Completes when the downstream has received <paramref name="count"/> business requests (long poll, no sleeping).</summary>
    public async Task WaitForDownstreamHitsAsync(int count)
    {
        using JsonDocument snapshot = await GetJsonAsync(DownstreamHttp, $"control/hits/wait?count={count}");
        Assert.True(snapshot.RootElement.GetProperty("hits").GetInt32() >= count);
    }

    /// <summary>The state of the Web API's shared breaker, e.g. <c>"Open"</c>.</summary>
    public async Task<string> GetBreakerStateAsync()
    {
        using JsonDocument snapshot = await GetJsonAsync(Api, "diagnostics/breaker");
        return snapshot.RootElement.GetProperty("state").GetString()!;
    }

    /// <summary>Calls the Web API and reads the whole answer.</summary>
    /// <param name="relativePath">The path, e.g. <c>weather/paris</c>.</param>
    /// <param name="userId">An <c>X-User-ID</c> header to send, if any.</param>
    public async Task<ApiAnswer> GetFromApiAsync(string relativePath, string? userId = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(relativePath, UriKind.Relative));
        if (userId is not null)
        {
            request.Headers.Add("X-User-ID", userId);
        }

        using HttpResponseMessage response = await Api.SendAsync(request);
        return await ApiAnswer.ReadAsync(response);
    }

    /// <summary>Stops the downstream and frees its port, so that calls to it are refused.</summary>
    public async Task StopDownstreamAsync()
    {
        if (_downstream is { } downstream)
        {
            _downstream = null;
            using var bound = new CancellationTokenSource(Bound);
            await downstream.StopAsync(bound.Token);
            await downstream.DisposeAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        Api.Dispose();
        DownstreamHttp.Dispose();
        using (var bound = new CancellationTokenSource(Bound))
        {
            await _webApi.StopAsync(bound.Token);
        }

        await _webApi.DisposeAsync();
        await StopDownstreamAsync();
    }

    private static Uri BoundAddress(WebApplication app)
    {
        // After StartAsync, Urls holds the addresses Kestrel really bound (port 0 replaced by the chosen port).
        var address = new Uri(Assert.Single(app.Urls));
        Assert.Equal("127.0.0.1", address.Host);
        Assert.NotEqual(0, address.Port);
        return new Uri(address.GetLeftPart(UriPartial.Authority) + "/");
    }

    private static HttpClient CreateClient(Uri baseAddress) =>
        new(new SocketsHttpHandler { UseProxy = false })
        {
            BaseAddress = baseAddress,
            Timeout = Bound,
        };

    private static async Task<JsonDocument> GetJsonAsync(HttpClient http, string relativePath)
    {
        using HttpResponseMessage response = await http.GetAsync(new Uri(relativePath, UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync());
    }
}

/// <summary>One answer of the Web API: status, the fallback headers and the JSON body.</summary>
internal sealed record ApiAnswer(HttpStatusCode StatusCode, string? Fallback, string? FallbackReason, string Body)
{
    /// <summary>The <c>Retry-After</c> header as sent, if any.</summary>
    public string? RetryAfter { get; init; }

    /// <summary>The body's media type, e.g. <c>application/problem+json</c>.</summary>
    public string? MediaType { get; init; }

    public static async Task<ApiAnswer> ReadAsync(HttpResponseMessage response) => new(
        response.StatusCode,
        Header(response, WebApiProgram.FallbackHeader),
        Header(response, WebApiProgram.FallbackReasonHeader),
        await response.Content.ReadAsStringAsync())
    {
        RetryAfter = Header(response, "Retry-After"),
        MediaType = response.Content.Headers.ContentType?.MediaType,
    };

    /// <summary>A string property of the JSON body (camelCase name).</summary>
    public string? Property(string name)
    {
        using JsonDocument body = JsonDocument.Parse(Body);
        return body.RootElement.TryGetProperty(name, out JsonElement value) ? value.ToString() : null;
    }

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out IEnumerable<string>? values) ? string.Join(",", values) : null;
}
