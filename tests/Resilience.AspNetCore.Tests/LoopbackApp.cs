using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Resilience.AspNetCore.Tests;

/// <summary>
/// A real Kestrel app on 127.0.0.1 and a free port, with a <see cref="FakeTimeProvider"/> as the registry's clock, and an
/// <see cref="HttpClient"/> that calls it over loopback.
/// </summary>
internal sealed class LoopbackApp : IAsyncDisposable
{
    private LoopbackApp(WebApplication app, FakeTimeProvider time, Uri address)
    {
        App = app;
        Time = time;
        Client = new HttpClient { BaseAddress = address };
    }

    public WebApplication App { get; }

    public FakeTimeProvider Time { get; }

    public HttpClient Client { get; }

    public ResilienceRegistry Registry => App.Services.GetRequiredService<ResilienceRegistry>();

    /// <summary>Builds, configures and starts the app; <paramref name="services"/> runs before Build, <paramref name="pipeline"/> after.</summary>
    public static async Task<LoopbackApp> StartAsync(Action<WebApplicationBuilder> services, Action<WebApplication> pipeline)
    {
        var time = new FakeTimeProvider();
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton<TimeProvider>(time);
        services(builder);
        WebApplication app = builder.Build();
        pipeline(app);
        await app.StartAsync();
        string address = Assert.Single(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses);
        Assert.StartsWith("http://127.0.0.1:", address, StringComparison.Ordinal);
        return new LoopbackApp(app, time, new Uri(address));
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
    }
}

/// <summary>Reads responses.</summary>
internal static class ResponseReading
{
    public static async Task<JsonElement> ReadJsonAsync(this HttpResponseMessage response)
    {
        string text = await response.Content.ReadAsStringAsync();
        using JsonDocument document = JsonDocument.Parse(text);
        return document.RootElement.Clone();
    }

    /// <summary>The single Retry-After value as written, or <see langword="null"/>.</summary>
    public static string? RetryAfter(this HttpResponseMessage response)
        => response.Headers.TryGetValues("Retry-After", out IEnumerable<string>? values) ? Assert.Single(values) : null;
}
