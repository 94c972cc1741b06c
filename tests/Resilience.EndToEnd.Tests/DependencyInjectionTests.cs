using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Resilience.EndToEnd.Tests.Infrastructure;

namespace Resilience.EndToEnd.Tests;

public interface IGreeter
{
    [Retry(MaxRetries = 2, DelayMs = 10, Backoff = BackoffType.Constant, Jitter = 0)]
    [CircuitBreaker(FailureThreshold = 1, BreakDurationMs = 1_000)]
    Task<string> GreetAsync(string name, CancellationToken cancellationToken);
}

/// <summary>Fails its first call, then greets; the log is shared through the container so the test can count calls.</summary>
public sealed class FlakyGreeter(AttemptLog log) : IGreeter
{
    public Task<string> GreetAsync(string name, CancellationToken cancellationToken) =>
        log.Record(cancellationToken) == 1 || name == "nobody"
            ? Task.FromException<string>(new InvalidOperationException("flaky"))
            : Task.FromResult($"hello {name}");
}

public sealed class DependencyInjectionTests
{
    private readonly FakeTimeProvider _time = new();
    private readonly AttemptLog _log = new();

    private ServiceCollection NewServices()
    {
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(_time);
        services.AddSingleton(_log);
        return services;
    }

    private async Task<string> GreetWithOneRetry(IGreeter greeter, string name)
    {
        int before = _log.Count;
        Task<string> call = greeter.GreetAsync(name, CancellationToken.None);
        Assert.Equal(before + 1, _log.Count);
        Assert.False(call.IsCompleted);

        Clock.AdvanceInline(_time, 10);
        return await Clock.Finish(call);
    }

    [Fact]
    public async Task AddResilient_resolves_the_generated_proxy_which_retries_on_the_registered_TimeProvider()
    {
        ServiceCollection services = NewServices();
        services.AddResilient<IGreeter, FlakyGreeter>();
        await using ServiceProvider provider = services.BuildServiceProvider(validateScopes: true);
        await using AsyncServiceScope scope = provider.CreateAsyncScope();

        IGreeter greeter = scope.ServiceProvider.GetRequiredService<IGreeter>();

        Assert.EndsWith("Resilient", greeter.GetType().Name);
        Assert.IsType<GreeterResilient>(greeter);
        Assert.Same(_time, provider.GetRequiredService<ResilienceRegistry>().TimeProvider);
        Assert.Equal("hello ada", await GreetWithOneRetry(greeter, "ada"));
        Assert.Equal(2, _log.Count);
    }

    [Fact]
    public async Task Scoped_proxies_share_the_singleton_registrys_breaker()
    {
        ServiceCollection services = NewServices();
        services.AddResilient<IGreeter, FlakyGreeter>();
        await using ServiceProvider provider = services.BuildServiceProvider(validateScopes: true);

        IGreeter first;
        await using (AsyncServiceScope scope = provider.CreateAsyncScope())
        {
            first = scope.ServiceProvider.GetRequiredService<IGreeter>();
            Task<string> failing = first.GreetAsync("nobody", CancellationToken.None);
            await _log.WhenCount(1);
            Clock.AdvanceInline(_time, 10);
            await _log.WhenCount(2);
            Clock.AdvanceInline(_time, 10);
            await Assert.ThrowsAsync<InvalidOperationException>(() => Clock.Finish(failing));
        }

        await using (AsyncServiceScope scope = provider.CreateAsyncScope())
        {
            IGreeter second = scope.ServiceProvider.GetRequiredService<IGreeter>();
            Assert.NotSame(first, second);
            await Assert.ThrowsAsync<BrokenCircuitException>(() => second.GreetAsync("ada", CancellationToken.None));
        }

        Assert.Equal(3, _log.Count);
    }

    [Fact]
    public async Task AddResilientDecorator_wraps_the_existing_registration()
    {
        ServiceCollection services = NewServices();
        var existing = new FlakyGreeter(_log);
        services.AddSingleton<IGreeter>(existing);
        services.AddResilientDecorator<IGreeter>();
        await using ServiceProvider provider = services.BuildServiceProvider(validateScopes: true);

        IGreeter greeter = provider.GetRequiredService<IGreeter>();

        Assert.IsType<GreeterResilient>(greeter);
        Assert.Same(greeter, provider.GetRequiredService<IGreeter>()); // the singleton lifetime is kept
        Assert.Same(_time, provider.GetRequiredService<ResilienceRegistry>().TimeProvider);
        Assert.Equal("hello grace", await GreetWithOneRetry(greeter, "grace"));
        Assert.Equal(2, _log.Count); // both calls reached the registered instance
    }

    [Fact]
    public async Task AddResilientDecorator_keeps_a_factory_registration()
    {
        ServiceCollection services = NewServices();
        int created = 0;
        services.AddScoped<IGreeter>(sp =>
        {
            created++;
            return new FlakyGreeter(sp.GetRequiredService<AttemptLog>());
        });
        services.AddResilientDecorator<IGreeter>();
        await using ServiceProvider provider = services.BuildServiceProvider(validateScopes: true);
        await using AsyncServiceScope scope = provider.CreateAsyncScope();

        IGreeter greeter = scope.ServiceProvider.GetRequiredService<IGreeter>();

        Assert.IsType<GreeterResilient>(greeter);
        Assert.Equal(1, created);
        Assert.Equal("hello lin", await GreetWithOneRetry(greeter, "lin"));
    }

    [Fact]
    public async Task A_fallback_handler_is_injected_from_the_container()
    {
        ServiceCollection services = NewServices();
        services.AddSingleton<InjectedFallback>();
        services.AddResilient<IFallbackService, BrokenFallbackService>(ServiceLifetime.Transient);
        await using ServiceProvider provider = services.BuildServiceProvider(validateScopes: true);

        IFallbackService service = provider.GetRequiredService<IFallbackService>();

        Assert.IsType<FallbackServiceResilient>(service);
        Assert.Equal("handler x", await service.LoadAsync("x", CancellationToken.None));
        Assert.Equal(["x: broken"], provider.GetRequiredService<InjectedFallback>().Recovered);
    }

    [Fact]
    public async Task A_missing_fallback_handler_is_reported_by_type_name()
    {
        ServiceCollection services = NewServices();
        services.AddResilient<IFallbackService, BrokenFallbackService>(ServiceLifetime.Transient);
        await using ServiceProvider provider = services.BuildServiceProvider();

        var error = Assert.Throws<InvalidOperationException>(() => provider.GetRequiredService<IFallbackService>());
        Assert.Contains(nameof(InjectedFallback), error.Message, StringComparison.Ordinal);
    }
}
