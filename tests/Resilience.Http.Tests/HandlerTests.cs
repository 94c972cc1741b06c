using System.Net;
using Microsoft.Extensions.DependencyInjection;

namespace Resilience.Http.Tests;

/// <summary>AddResilientHandler: the ResilientCall composition around every request of a named or typed HttpClient.</summary>
public sealed class HandlerTests : IAsyncLifetime
{
    private LoopbackServer _server = null!;

    public async Task InitializeAsync() => _server = await LoopbackServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task A_named_client_retries_transient_responses_and_dropped_connections_with_the_registry_telemetry()
    {
        var services = new ServiceCollection();
        services.AddHttpClient("downstream", c => c.BaseAddress = _server.BaseAddress)
            .AddResilientHandler(call => call.WithRetry(new RetryOptions { MaxRetries = 3, Delay = TimeSpan.Zero, Jitter = 0 }, "downstream.retry"));
        await using ServiceProvider provider = services.BuildServiceProvider();
        var retries = new List<string>();
        provider.GetRequiredService<ResilienceRegistry>().OnRetry += (_, e) =>
        {
            lock (retries)
            {
                retries.Add($"{e.OperationName} {e.InstanceName} {e.Attempt} {e.Exception?.GetType().Name ?? "result"}");
            }
        };
        HttpClient client = provider.GetRequiredService<IHttpClientFactory>().CreateClient("downstream");

        _server.Enqueue(503).EnqueueAbort().Enqueue(408);
        using HttpResponseMessage response = await client.GetAsync("named");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("ok", await response.Content.ReadAsStringAsync());
        Assert.Equal(4, _server.Count);
        Assert.Equal(
            ["downstream downstream.retry 1 result", "downstream downstream.retry 2 HttpRequestException", "downstream downstream.retry 3 result"],
            retries);
    }

    [Fact]
    public async Task A_named_breaker_is_shared_through_the_registry_and_opens_on_transient_responses()
    {
        var services = new ServiceCollection();
        services.AddHttpClient<PlainClient>(c => c.BaseAddress = _server.BaseAddress)
            .AddResilientHandler(call => call
                .WithCircuitBreaker(new CircuitBreakerOptions { FailureThreshold = 2, BreakDuration = TimeSpan.FromMinutes(1) }, "plain.breaker")
                .WithRetry(new RetryOptions { MaxRetries = 1, Delay = TimeSpan.Zero, Jitter = 0 }));
        await using ServiceProvider provider = services.BuildServiceProvider();
        var registry = provider.GetRequiredService<ResilienceRegistry>();

        _server.Enqueue(500).Enqueue(500).Enqueue(500).Enqueue(500);
        Assert.Equal(HttpStatusCode.InternalServerError, await provider.GetRequiredService<PlainClient>().StatusAsync("a"));
        Assert.Equal(HttpStatusCode.InternalServerError, await provider.GetRequiredService<PlainClient>().StatusAsync("b"));

        Assert.True(registry.TryGetCircuitBreaker("plain.breaker", out CircuitBreaker? breaker));
        Assert.Equal(CircuitState.Open, breaker.State);
        await Assert.ThrowsAsync<BrokenCircuitException>(() => provider.GetRequiredService<PlainClient>().StatusAsync("c"));
        Assert.Equal(4, _server.Count);
    }

    [Fact]
    public async Task Retry_After_is_honoured_by_an_HttpRetryPolicy_in_the_handler()
    {
        var time = new ObservedTimeProvider();
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(time);
        services.AddHttpClient("throttled", c => c.BaseAddress = _server.BaseAddress)
            .AddResilientHandler(call => call.WithRetry(new RetryOptions
            {
                MaxRetries = 1,
                Policy = new HttpRetryPolicy(new RetryOptions { MaxDelay = TimeSpan.FromSeconds(10) }),
            }));
        await using ServiceProvider provider = services.BuildServiceProvider();
        HttpClient client = provider.GetRequiredService<IHttpClientFactory>().CreateClient("throttled");

        _server.Enqueue(429, "", ("Retry-After", "7"));
        Task<HttpResponseMessage> call = client.GetAsync("x");

        Assert.Equal(TimeSpan.FromSeconds(7), await time.NextTimerAsync());
        time.Advance(TimeSpan.FromSeconds(7));
        using HttpResponseMessage response = await call.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(2, _server.Count);
    }

    [Fact]
    public async Task The_composition_is_built_once_per_client_and_a_second_handler_is_refused()
    {
        var services = new ServiceCollection();
        IHttpClientBuilder builder = services.AddHttpClient("once", c => c.BaseAddress = _server.BaseAddress)
            .AddResilientHandler(call => call.WithBulkhead(new BulkheadOptions { MaxConcurrency = 1 }));
        var ex = Assert.Throws<InvalidOperationException>(() => builder.AddResilientHandler(call => call.WithTimeout(TimeSpan.FromSeconds(1))));
        Assert.Contains("AddResilientHandler was already called for the HttpClient 'once'", ex.Message, StringComparison.Ordinal);

        await using ServiceProvider provider = services.BuildServiceProvider();
        var factory = provider.GetRequiredService<IHttpClientFactory>();
        using HttpResponseMessage first = await factory.CreateClient("once").GetAsync("1");
        using HttpResponseMessage second = await factory.CreateClient("once").GetAsync("2");

        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal(2, _server.Count);
    }
}
