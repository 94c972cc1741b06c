using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Resilience.AspNetCore.Tests;

/// <summary>The per-request rate limit: keyed by header or address on the registry's keyed limiter, 429 with Retry-After.</summary>
public sealed class RequestRateLimitTests
{
    private static void TwoPerTenSeconds(RequestRateLimitOptions options)
    {
        options.Limit.PermitLimit = 2;
        options.Limit.Window = TimeSpan.FromSeconds(10);
        options.Limit.Algorithm = RateLimitAlgorithm.FixedWindow;
    }

    private static Task<LoopbackApp> StartWithMiddlewareAsync(Action<RequestRateLimitOptions> configure, Action<WebApplicationBuilder>? services = null)
        => LoopbackApp.StartAsync(
            builder =>
            {
                builder.Services.AddResilienceRequestRateLimit("per-user", configure);
                services?.Invoke(builder);
            },
            app =>
            {
                app.UseResilienceRequestRateLimit("per-user");
                app.MapGet("/", () => "ok");
            });

    private static HttpRequestMessage Get(string path, string? user = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (user is not null)
        {
            request.Headers.Add("X-User-ID", user);
        }

        return request;
    }

    private static async Task<HttpStatusCode[]> SendAsync(LoopbackApp app, int count, string path, string? user = null)
    {
        var codes = new HttpStatusCode[count];
        for (int i = 0; i < count; i++)
        {
            using HttpResponseMessage response = await app.Client.SendAsync(Get(path, user));
            codes[i] = response.StatusCode;
        }

        return codes;
    }

    [Fact]
    public async Task Each_user_has_its_own_limit_and_a_rejection_is_429_with_Retry_After()
    {
        await using LoopbackApp app = await StartWithMiddlewareAsync(TwoPerTenSeconds);

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK], await SendAsync(app, 2, "/", "ann"));
        app.Time.Advance(TimeSpan.FromSeconds(4));
        using HttpResponseMessage rejected = await app.Client.SendAsync(Get("/", "ann"));
        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK], await SendAsync(app, 2, "/", "bob"));

        Assert.Equal(HttpStatusCode.TooManyRequests, rejected.StatusCode);
        Assert.Equal("6", rejected.RetryAfter());
        JsonElement body = await rejected.ReadJsonAsync();
        Assert.Equal(429, body.GetProperty("status").GetInt32());
        Assert.Equal("Too Many Requests", body.GetProperty("title").GetString());
        Assert.Equal(RequestRateLimitPolicy.RejectedDetail, body.GetProperty("detail").GetString());
        Assert.Equal("rate_limit", body.GetProperty("strategy").GetString());
        Assert.Equal(6, body.GetProperty("retryAfterSeconds").GetInt32());

        // The window ends: ann's permits are back.
        app.Time.Advance(TimeSpan.FromSeconds(6));
        Assert.Equal([HttpStatusCode.OK], await SendAsync(app, 1, "/", "ann"));
    }

    [Fact]
    public async Task Requests_without_the_header_share_the_remote_address_limit()
    {
        await using LoopbackApp app = await StartWithMiddlewareAsync(TwoPerTenSeconds);

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests], await SendAsync(app, 3, "/"));
        Assert.Equal([HttpStatusCode.OK], await SendAsync(app, 1, "/", "ann"));

        // A header value equal to the address is another key ("user:" and "ip:" prefixes).
        Assert.Equal([HttpStatusCode.OK], await SendAsync(app, 1, "/", "127.0.0.1"));
    }

    [Fact]
    public async Task A_key_selector_replaces_header_and_address()
    {
        await using LoopbackApp app = await StartWithMiddlewareAsync(options =>
        {
            TwoPerTenSeconds(options);
            options.KeySelector = context => context.Request.Query["tenant"];
        });

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests], await SendAsync(app, 3, "/?tenant=a", "ann"));
        Assert.Equal([HttpStatusCode.OK], await SendAsync(app, 1, "/?tenant=b", "ann"));
    }

    [Fact]
    public async Task The_endpoint_filter_limits_only_its_endpoints()
    {
        await using LoopbackApp app = await LoopbackApp.StartAsync(
            builder => builder.Services.AddResilienceRequestRateLimit("per-user", options =>
            {
                TwoPerTenSeconds(options);
                options.RejectionStatusCode = 503;
            }),
            app =>
            {
                app.MapGroup("/api").RequireResilienceRateLimit("per-user").MapGet("/orders", () => "orders");
                app.MapGet("/free", () => "free");
            });

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.ServiceUnavailable], await SendAsync(app, 3, "/api/orders", "ann"));
        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK], await SendAsync(app, 3, "/free", "ann"));
        using HttpResponseMessage rejected = await app.Client.SendAsync(Get("/api/orders", "ann"));
        Assert.Equal("10", rejected.RetryAfter());
    }

    [Fact]
    public async Task The_limit_is_the_registry_instance_of_that_name_with_its_configuration_telemetry_and_key_bound()
    {
        var rejections = new List<RejectedEventArgs>();
        await using LoopbackApp app = await StartWithMiddlewareAsync(
            options =>
            {
                TwoPerTenSeconds(options);
                options.Limit.MaxKeys = 3;
            },
            builder => builder.Services.AddResilienceConfiguration(new ConfigurationBuilder()
                .AddInMemoryCollection(new Dictionary<string, string?> { ["Instances:per-user:RateLimit:PermitLimit"] = "1" })
                .Build()));
        app.Registry.OnRejected += (_, args) => rejections.Add(args);

        // Configuration lowered the declared 2 permits to 1.
        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.TooManyRequests], await SendAsync(app, 2, "/", "ann"));
        RejectedEventArgs rejection = Assert.Single(rejections);
        Assert.Equal("per-user", rejection.InstanceName);
        Assert.Equal("rate_limit", rejection.Strategy);

        for (int i = 0; i < 20; i++)
        {
            await SendAsync(app, 1, "/", "user" + i);
        }

        RateLimitSnapshot snapshot = Assert.Single(app.Registry.GetSnapshot().RateLimits);
        Assert.True(snapshot.IsKeyed);
        Assert.InRange(snapshot.KeyCount!.Value, 1, 3);
    }

    [Fact]
    public async Task An_undeclared_name_fails_at_start_up_saying_what_to_declare()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => LoopbackApp.StartAsync(
            builder => builder.Services.AddResilienceRequestRateLimit("per-user", TwoPerTenSeconds),
            app => app.UseResilienceRequestRateLimit("per-tenant")));

        Assert.Equal(
            "No request rate limit named 'per-tenant' (declared: 'per-user'). Declare it with services.AddResilienceRequestRateLimit(\"per-tenant\", options => ...).",
            error.Message);
    }

    [Fact]
    public async Task Settings_that_disagree_with_the_registry_instance_fail_at_start_up()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => LoopbackApp.StartAsync(
            builder => builder.Services.AddResilienceRequestRateLimit("search", TwoPerTenSeconds),
            app =>
            {
                app.Services.GetRequiredService<ResilienceRegistry>().GetOrAddRateLimit("search", new RateLimitOptions());
                app.UseResilienceRequestRateLimit("search");
            }));

        Assert.Contains("'search'", error.Message, StringComparison.Ordinal);
        Assert.Contains("disagree", error.Message, StringComparison.Ordinal);
    }
}
