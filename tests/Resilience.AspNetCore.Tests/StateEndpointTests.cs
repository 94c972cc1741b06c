using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Resilience.AspNetCore.Tests;

/// <summary>MapResilienceState: the registry's snapshot as JSON over HTTP, read-only.</summary>
public sealed class StateEndpointTests
{
    [Fact]
    public async Task The_endpoint_answers_every_instance_and_its_state_as_json()
    {
        await using LoopbackApp app = await LoopbackApp.StartAsync(
            builder => builder.Services.AddResilienceRegistry(),
            app => app.MapResilienceState());
        ResilienceRegistry registry = app.Registry;
        registry.GetOrAddCircuitBreaker("payments", new CircuitBreakerOptions { FailureThreshold = 1, BreakDuration = TimeSpan.FromSeconds(10) }).Acquire().RecordFailure();
        registry.GetOrAddCircuitBreaker("inventory", new CircuitBreakerOptions());
        registry.GetOrAddKeyedCircuitBreaker<string>("hosts", new CircuitBreakerOptions()).Acquire("a").RecordSuccess();
        Assert.True(registry.GetOrAddBulkhead("db", new BulkheadOptions { MaxConcurrency = 2, MaxQueue = 1 }).TryEnter());
        registry.GetOrAddRateLimit("global", new RateLimitOptions());
        Assert.True(registry.GetOrAddKeyedRateLimit<string>("per-user", new RateLimitOptions()).TryAcquire("ann"));
        registry.GetOrAddTimeout("inventory", TimeSpan.FromMilliseconds(1500));
        registry.GetOrAddRetry("inventory", new RetryOptions());
        registry.GetOrAddCacheFallback("catalog", new CacheFallbackOptions());
        registry.GetOrAddHedge("quotes", new HedgeOptions());
        registry.GetOrAddRetryBudget("payments-api").RecordCall();
        app.Time.Advance(TimeSpan.FromSeconds(4));

        using HttpResponseMessage response = await app.Client.GetAsync("/resilience");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        JsonElement body = await response.ReadJsonAsync();
        Assert.Equal(
            """{"circuitBreakers":[{"name":"inventory","state":"closed","retryAfterSeconds":null,"counts":{"requests":0,"successes":0,"failures":0,"timeouts":0,"consecutiveSuccesses":0,"consecutiveFailures":0}},{"name":"payments","state":"open","retryAfterSeconds":6,"counts":{"requests":1,"successes":0,"failures":1,"timeouts":0,"consecutiveSuccesses":0,"consecutiveFailures":1}}],"keyedCircuitBreakers":[{"name":"hosts","keys":1,"keysClosed":1,"keysOpen":0,"keysHalfOpen":0,"keysIsolated":0}],"bulkheads":[{"name":"db","maxConcurrency":2,"maxQueue":1,"running":1,"queued":0}],"rateLimits":[{"name":"global","keyed":false},{"name":"per-user","keyed":true,"keys":1}],"timeouts":[{"name":"inventory","timeoutMs":1500}],"retries":["inventory"],"cacheFallbacks":["catalog"],"hedges":["quotes"],"retryBudgets":[{"name":"payments-api","ratio":0.2,"calls":1,"retries":0}]}""",
            body.GetRawText());
    }

    [Fact]
    public async Task Reading_the_state_moves_no_breaker()
    {
        await using LoopbackApp app = await LoopbackApp.StartAsync(
            builder => builder.Services.AddResilienceRegistry(),
            app => app.MapResilienceState("/ops/state"));
        app.Registry.GetOrAddCircuitBreaker("payments", new CircuitBreakerOptions { FailureThreshold = 1, BreakDuration = TimeSpan.FromSeconds(10) }).Acquire().RecordFailure();
        int transitions = 0;
        app.Registry.OnBreakerStateChanged += (_, _) => transitions++;
        app.Time.Advance(TimeSpan.FromSeconds(10));

        for (int i = 0; i < 3; i++)
        {
            using HttpResponseMessage response = await app.Client.GetAsync("/ops/state");
            JsonElement body = await response.ReadJsonAsync();
            Assert.Equal("half_open", body.GetProperty("circuitBreakers")[0].GetProperty("state").GetString());
        }

        Assert.Equal(0, transitions);
    }

    [Fact]
    public async Task Without_a_registry_mapping_says_what_to_register()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => LoopbackApp.StartAsync(_ => { }, app => app.MapResilienceState()));

        Assert.Contains("services.AddResilienceRegistry()", error.Message, StringComparison.Ordinal);
    }
}
