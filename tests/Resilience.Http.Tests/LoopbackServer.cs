using System.Collections.Concurrent;
using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Resilience.Http.Tests;

/// <summary>
/// A real Kestrel server on 127.0.0.1 (port chosen by the OS). Each request takes the next scripted answer
/// (<see cref="Enqueue"/>), or 200 "ok" when none is left, and is counted.
/// </summary>
public sealed class LoopbackServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<Func<HttpContext, Task>> _script = new();
    private readonly Channel<string> _hits = Channel.CreateUnbounded<string>();
    private int _count;

    private LoopbackServer(WebApplication app) => _app = app;

    public Uri BaseAddress { get; private set; } = null!;

    public int Count => Volatile.Read(ref _count);

    public static async Task<LoopbackServer> StartAsync()
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        WebApplication app = builder.Build();
        var server = new LoopbackServer(app);
        app.Run(server.HandleAsync);
        await app.StartAsync();
        string address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        server.BaseAddress = new Uri(address + "/");
        return server;
    }

    /// <summary>Answers the next request with <paramref name="status"/>, the headers given and <paramref name="body"/>.</summary>
    public LoopbackServer Enqueue(int status, string body = "", params (string Name, string Value)[] headers)
    {
        _script.Enqueue(async context =>
        {
            context.Response.StatusCode = status;
            foreach ((string name, string value) in headers)
            {
                context.Response.Headers[name] = value;
            }

            await context.Response.WriteAsync(body);
        });
        return this;
    }

    /// <summary>Drops the connection of the next request without answering (the client sees an HttpRequestException).</summary>
    public LoopbackServer EnqueueAbort()
    {
        _script.Enqueue(context =>
        {
            context.Abort();
            return Task.CompletedTask;
        });
        return this;
    }

    /// <summary>Waits for the next request and returns its method and path.</summary>
    public async Task<string> NextHitAsync() =>
        await _hits.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30));

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext context)
    {
        Interlocked.Increment(ref _count);
        _hits.Writer.TryWrite($"{context.Request.Method} {context.Request.Path}{context.Request.QueryString}");
        if (_script.TryDequeue(out Func<HttpContext, Task>? answer))
        {
            await answer(context);
            return;
        }

        await context.Response.WriteAsync("ok");
    }
}
