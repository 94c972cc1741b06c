using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Refit;

namespace Resilience.Http.Tests;

/// <summary>Generated decorators around IHttpClientFactory clients, over real loopback HTTP, in every registration order.</summary>
public sealed class TypedClientTests : IAsyncLifetime
{
    private LoopbackServer _server = null!;

    public async Task InitializeAsync() => _server = await LoopbackServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task AddHttpClient_of_interface_and_implementation_then_AddResilientDecorator_retries_the_configured_client()
    {
        var services = new ServiceCollection();
        services.AddHttpClient<IStatusClient, StatusClient>(c => c.BaseAddress = _server.BaseAddress)
            .AddResilientDecorator<IStatusClient>();
        await using ServiceProvider provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true, ValidateOnBuild = true });
        provider.GetRequiredService<IStartupValidator>().Validate();
        _server.Enqueue(503).Enqueue(502);

        var client = provider.GetRequiredService<IStatusClient>();
        using HttpResponseMessage response = await client.GetAsync("typed", CancellationToken.None);

        Assert.IsType<StatusClientResilient>(client);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(3, _server.Count);
        Assert.Equal("GET /typed", await _server.NextHitAsync());
    }

    [Fact]
    public async Task AddHttpClient_of_the_implementation_then_AddResilient_keeps_the_configured_client()
    {
        var services = new ServiceCollection();
        services.AddHttpClient<StatusClient>(c => c.BaseAddress = _server.BaseAddress);
        services.AddResilient<IStatusClient, StatusClient>();
        await AssertConfiguredClientIsDecoratedAsync(services);
    }

    [Fact]
    public async Task AddResilient_then_AddHttpClient_of_the_implementation_keeps_the_configured_client()
    {
        var services = new ServiceCollection();
        services.AddResilient<IStatusClient, StatusClient>();
        services.AddHttpClient<StatusClient>(c => c.BaseAddress = _server.BaseAddress);
        await AssertConfiguredClientIsDecoratedAsync(services);
    }

    [Fact]
    public void AddResilient_after_AddHttpClient_of_the_interface_throws_with_what_to_write()
    {
        var services = new ServiceCollection();
        services.AddHttpClient<IStatusClient, StatusClient>(c => c.BaseAddress = _server.BaseAddress);

        var ex = Assert.Throws<InvalidOperationException>(() => services.AddResilient<IStatusClient, StatusClient>());

        Assert.Contains("chain .AddResilientDecorator<IStatusClient>() on services.AddHttpClient<IStatusClient, StatusClient>(...)", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddHttpClient_of_the_interface_after_AddResilient_fails_the_host_start()
    {
        HostApplicationBuilder builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddResilient<IStatusClient, StatusClient>();
        builder.Services.AddHttpClient<IStatusClient, StatusClient>(c => c.BaseAddress = _server.BaseAddress);
        using IHost host = builder.Build();

        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains(typeof(IStatusClient).FullName + " was registered again after AddResilient<IStatusClient, StatusClient>()", ex.Message, StringComparison.Ordinal);
        Assert.Contains(".AddResilientDecorator<IStatusClient>() on AddHttpClient<IStatusClient, ...>(...)", ex.Message, StringComparison.Ordinal);
        Assert.Equal(0, _server.Count);
    }

    [Fact]
    public void AddResilientDecorator_on_a_builder_that_registered_no_such_client_says_what_to_chain_it_on()
    {
        var services = new ServiceCollection();

        var ex = Assert.Throws<InvalidOperationException>(() => services.AddHttpClient("named").AddResilientDecorator<IStatusClient>());

        Assert.Contains("AddResilientDecorator<IStatusClient>() on the HttpClient 'named' found no registration", ex.Message, StringComparison.Ordinal);
        Assert.Contains("services.AddRefitClient<IStatusClient>().AddResilientDecorator<IStatusClient>()", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Refit_client_is_decorated_its_ApiResponse_classified_and_its_exceptions_retried()
    {
        var services = new ServiceCollection();
        // Refit 16's AddRefitClient builds requests by reflection (package Refit.Reflection); the generated client
        // registers the same way (a typed client of the returned IHttpClientBuilder) without it.
        services.AddRefitGeneratedClient<IRefitStatusApi>(RefitJson.Default)
            .ConfigureHttpClient(c => c.BaseAddress = _server.BaseAddress)
            .AddResilientDecorator<IRefitStatusApi>();
        await using ServiceProvider provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true, ValidateOnBuild = true });
        provider.GetRequiredService<IStartupValidator>().Validate();
        var api = provider.GetRequiredService<IRefitStatusApi>();
        Assert.IsType<RefitStatusApiResilient>(api);

        _server.Enqueue(503).Enqueue(429, "slow down");
        using (IApiResponse<string> response = await api.GetAsync(CancellationToken.None))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("ok", response.Content);
        }

        Assert.Equal(3, _server.Count);

        // A connection dropped without an answer: Refit records it as a request error, which is transient.
        _server.EnqueueAbort().Enqueue(500);
        using (IApiResponse<string> response = await api.GetAsync(CancellationToken.None))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        Assert.Equal(6, _server.Count);

        // 404 is not transient: returned at once.
        _server.Enqueue(404);
        using (IApiResponse<string> response = await api.GetAsync(CancellationToken.None))
        {
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        }

        Assert.Equal(7, _server.Count);

        // A method returning the content throws ApiException for 500; the default policy retries it.
        _server.Enqueue(500).Enqueue(500);
        Assert.Equal("ok", await api.GetOrThrowAsync(CancellationToken.None));
        Assert.Equal(10, _server.Count);
    }

    [Fact]
    public async Task Retry_After_is_honoured_in_delta_seconds_and_HTTP_date_and_capped_at_MaxDelay()
    {
        var time = new ObservedTimeProvider();
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(time);
        services.AddHttpClient<IThrottledClient, ThrottledClient>(c => c.BaseAddress = _server.BaseAddress)
            .AddResilientDecorator<IThrottledClient>();
        await using ServiceProvider provider = services.BuildServiceProvider();
        var client = provider.GetRequiredService<IThrottledClient>();

        // Delta-seconds.
        _server.Enqueue(429, "", ("Retry-After", "2"));
        await AssertWaitsAsync(client, time, TimeSpan.FromSeconds(2));

        // An HTTP-date, against the response's own Date header.
        _server.Enqueue(503, "", ("Date", "Thu, 01 Jan 2026 09:00:00 GMT"), ("Retry-After", "Thu, 01 Jan 2026 09:00:03 GMT"));
        await AssertWaitsAsync(client, time, TimeSpan.FromSeconds(3));

        // More than MaxDelay (5 s): capped.
        _server.Enqueue(503, "", ("Retry-After", "120"));
        await AssertWaitsAsync(client, time, TimeSpan.FromSeconds(5));

        // No header: the policy's backoff (100 ms).
        _server.Enqueue(500);
        await AssertWaitsAsync(client, time, TimeSpan.FromMilliseconds(100));
    }

    private async Task AssertWaitsAsync(IThrottledClient client, ObservedTimeProvider time, TimeSpan expected)
    {
        int before = _server.Count;
        Task<HttpResponseMessage> call = client.GetAsync("throttled", CancellationToken.None);

        Assert.Equal(expected, await time.NextTimerAsync());
        time.Advance(expected - TimeSpan.FromMilliseconds(1));
        Assert.Equal(before + 1, _server.Count);
        time.Advance(TimeSpan.FromMilliseconds(1));

        using HttpResponseMessage response = await call.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(before + 2, _server.Count);
    }

    private async Task AssertConfiguredClientIsDecoratedAsync(ServiceCollection services)
    {
        await using ServiceProvider provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true, ValidateOnBuild = true });
        provider.GetRequiredService<IStartupValidator>().Validate();
        await using AsyncServiceScope scope = provider.CreateAsyncScope();
        _server.Enqueue(500);

        var client = scope.ServiceProvider.GetRequiredService<IStatusClient>();
        using HttpResponseMessage response = await client.GetAsync("ordered", CancellationToken.None);

        // The configured BaseAddress was used (without it the call fails before reaching the server) and the 500 was retried.
        Assert.IsType<StatusClientResilient>(client);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(2, _server.Count);
        Assert.True(scope.ServiceProvider.GetRequiredService<ResilienceRegistry>()
            .TryGetCircuitBreaker("Resilience.Http.Tests.IStatusClient.GetAsync", out CircuitBreaker? breaker));
        Assert.Equal(CircuitState.Closed, breaker.State);
    }
}
