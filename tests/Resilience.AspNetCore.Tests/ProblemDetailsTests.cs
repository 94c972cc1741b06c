using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Resilience.AspNetCore.Tests;

/// <summary>AddResilienceProblemDetails: rejections and timeouts become 503/429/504 with Retry-After and RFC 9457 bodies.</summary>
public sealed class ProblemDetailsTests
{
    private static Task<LoopbackApp> StartAsync(Action<ResilienceProblemDetailsOptions>? configure = null) => LoopbackApp.StartAsync(
        builder =>
        {
            builder.Services.AddResilienceRegistry();
            builder.Services.AddResilienceProblemDetails(configure);
        },
        app =>
        {
            app.UseExceptionHandler();
            app.MapGet("/breaker", (ResilienceRegistry registry) =>
            {
                CircuitBreaker breaker = registry.GetOrAddCircuitBreaker("payments", new CircuitBreakerOptions { FailureThreshold = 1, BreakDuration = TimeSpan.FromSeconds(30) });
                breaker.Acquire().RecordFailure(); // opens on the first call; the second Acquire throws
                breaker.Acquire();
                return "unreachable";
            });
            app.MapGet("/limit", async (ResilienceRegistry registry) =>
            {
                RateLimitStrategy limit = registry.GetOrAddRateLimit("search", new RateLimitOptions { PermitLimit = 1, Window = TimeSpan.FromSeconds(10), Algorithm = RateLimitAlgorithm.FixedWindow });
                await limit.AcquireAsync(CancellationToken.None);
                return "ok";
            });
            app.MapGet("/bulkhead", () => { throw new BulkheadRejectedException("db", 4, 0); });
            app.MapGet("/timeout", () => { throw new ResilienceTimeoutException("inventory", TimeSpan.FromSeconds(2)); });
            app.MapGet("/half-open", () => { throw new BrokenCircuitException("payments", CircuitState.HalfOpen, retryAfter: null); });
            app.MapGet("/other", () => { throw new InvalidOperationException("not ours"); });
        });

    [Fact]
    public async Task An_open_circuit_is_503_with_Retry_After_from_the_rest_of_the_break()
    {
        await using LoopbackApp app = await StartAsync();

        using HttpResponseMessage response = await app.Client.GetAsync("/breaker");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("30", response.RetryAfter());
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        JsonElement body = await response.ReadJsonAsync();
        Assert.Equal("https://tools.ietf.org/html/rfc9110#section-15.6.4", body.GetProperty("type").GetString());
        Assert.Equal("Service Unavailable", body.GetProperty("title").GetString());
        Assert.Equal(503, body.GetProperty("status").GetInt32());
        Assert.Equal(ResilienceExceptionHandler.CircuitDetail, body.GetProperty("detail").GetString());
        Assert.Equal("circuit_breaker", body.GetProperty("strategy").GetString());
        Assert.Equal(30, body.GetProperty("retryAfterSeconds").GetInt32());
        Assert.False(string.IsNullOrEmpty(body.GetProperty("traceId").GetString()));
        Assert.False(body.TryGetProperty("resilienceInstance", out _));

        // 12.5 s later the rest of the break is 17.5 s: rounded up.
        app.Time.Advance(TimeSpan.FromSeconds(12.5));
        using HttpResponseMessage later = await app.Client.GetAsync("/breaker");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, later.StatusCode);
        Assert.Equal("18", later.RetryAfter());
    }

    [Fact]
    public async Task A_rate_limit_rejection_is_429_with_Retry_After_from_the_limiter()
    {
        await using LoopbackApp app = await StartAsync();

        using HttpResponseMessage first = await app.Client.GetAsync("/limit");
        app.Time.Advance(TimeSpan.FromSeconds(3));
        using HttpResponseMessage second = await app.Client.GetAsync("/limit");

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, second.StatusCode);
        Assert.Equal("7", second.RetryAfter());
        JsonElement body = await second.ReadJsonAsync();
        Assert.Equal("https://tools.ietf.org/html/rfc6585#section-4", body.GetProperty("type").GetString());
        Assert.Equal("Too Many Requests", body.GetProperty("title").GetString());
        Assert.Equal(429, body.GetProperty("status").GetInt32());
        Assert.Equal("rate_limit", body.GetProperty("strategy").GetString());
        Assert.Equal(7, body.GetProperty("retryAfterSeconds").GetInt32());
    }

    [Fact]
    public async Task A_full_bulkhead_is_503_without_Retry_After()
    {
        await using LoopbackApp app = await StartAsync();

        using HttpResponseMessage response = await app.Client.GetAsync("/bulkhead");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Null(response.RetryAfter());
        JsonElement body = await response.ReadJsonAsync();
        Assert.Equal("bulkhead", body.GetProperty("strategy").GetString());
        Assert.Equal(ResilienceExceptionHandler.BulkheadDetail, body.GetProperty("detail").GetString());
        Assert.False(body.TryGetProperty("retryAfterSeconds", out _));
    }

    [Fact]
    public async Task A_timeout_is_504_without_Retry_After()
    {
        await using LoopbackApp app = await StartAsync();

        using HttpResponseMessage response = await app.Client.GetAsync("/timeout");

        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
        Assert.Null(response.RetryAfter());
        JsonElement body = await response.ReadJsonAsync();
        Assert.Equal("https://tools.ietf.org/html/rfc9110#section-15.6.5", body.GetProperty("type").GetString());
        Assert.Equal("Gateway Timeout", body.GetProperty("title").GetString());
        Assert.Equal("timeout", body.GetProperty("strategy").GetString());
    }

    [Fact]
    public async Task A_half_open_rejection_has_no_Retry_After()
    {
        await using LoopbackApp app = await StartAsync();

        using HttpResponseMessage response = await app.Client.GetAsync("/half-open");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Null(response.RetryAfter());
    }

    [Fact]
    public async Task Other_exceptions_are_left_to_the_rest_of_the_pipeline()
    {
        await using LoopbackApp app = await StartAsync();

        using HttpResponseMessage response = await app.Client.GetAsync("/other");

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Null(response.RetryAfter());
        JsonElement body = await response.ReadJsonAsync();
        Assert.False(body.TryGetProperty("strategy", out _));
    }

    [Fact]
    public async Task Status_codes_and_the_instance_name_are_configurable()
    {
        await using LoopbackApp app = await StartAsync(options =>
        {
            options.TimeoutStatusCode = 503;
            options.IncludeInstanceName = true;
        });

        using HttpResponseMessage response = await app.Client.GetAsync("/timeout");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        JsonElement body = await response.ReadJsonAsync();
        Assert.Equal("inventory", body.GetProperty("resilienceInstance").GetString());
    }

    [Fact]
    public void A_status_code_outside_400_to_599_names_the_setting()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddResilienceProblemDetails(options => options.BulkheadStatusCode = 200);
        using ServiceProvider provider = services.BuildServiceProvider();

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => provider.GetServices<IExceptionHandler>().ToList());
        Assert.Equal("BulkheadStatusCode", error.ParamName);
        Assert.Contains("BulkheadStatusCode must be an error status code (400–599); got 200.", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_a_problem_details_service_the_same_fields_are_written_by_hand()
    {
        var context = new DefaultHttpContext { RequestServices = new ServiceCollection().BuildServiceProvider() };
        context.Response.Body = new MemoryStream();
        context.TraceIdentifier = "trace-1";

        await ResilienceProblemWriter.WriteAsync(context, 429, "rate_limit", "detail text", TimeSpan.FromMilliseconds(200), "per-user", exception: null);

        Assert.Equal(429, context.Response.StatusCode);
        Assert.Equal("1", context.Response.Headers.RetryAfter.ToString());
        Assert.Equal("application/problem+json", context.Response.ContentType);
        context.Response.Body.Position = 0;
        using JsonDocument document = await JsonDocument.ParseAsync(context.Response.Body);
        Assert.Equal(
            """{"type":"https://tools.ietf.org/html/rfc6585#section-4","title":"Too Many Requests","status":429,"detail":"detail text","traceId":"trace-1","strategy":"rate_limit","retryAfterSeconds":1,"resilienceInstance":"per-user"}""",
            document.RootElement.GetRawText());
    }
}
