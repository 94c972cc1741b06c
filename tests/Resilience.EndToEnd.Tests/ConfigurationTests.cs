using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Resilience.EndToEnd.Tests;

public interface IConfiguredService
{
    [CircuitBreaker(FailureThreshold = 5, BreakDurationMs = 1_000, Name = "configured-breaker")]
    [Bulkhead(MaxConcurrency = 1, MaxQueue = 0, Name = "configured-bulkhead")]
    Task<string> CallAsync(string input, CancellationToken cancellationToken);
}

/// <summary>Fails for "fail"; otherwise waits for <see cref="Gate"/> when it is set.</summary>
public sealed class ConfiguredService : IConfiguredService
{
    public TaskCompletionSource<string>? Gate { get; set; }

    public Task<string> CallAsync(string input, CancellationToken cancellationToken)
        => input == "fail" ? Task.FromException<string>(new InvalidOperationException("failed"))
            : Gate?.Task ?? Task.FromResult(input);
}

/// <summary>Configuration overrides the attribute values of a generated proxy's instances, and reloads reach it.</summary>
public sealed class ConfigurationTests
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public async Task Configured_values_replace_the_attribute_values_and_reloads_reach_the_running_proxy()
    {
        IConfigurationRoot configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Resilience:Instances:configured-breaker:CircuitBreaker:FailureThreshold"] = "1",
        }).Build();
        var inner = new ConfiguredService();
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(_time);
        services.AddResilienceConfiguration(configuration.GetSection(ResilienceOptions.SectionName));
        services.AddResilient<IConfiguredService, ConfiguredService>(ServiceLifetime.Singleton);
        services.AddSingleton(inner); // replaces the implementation registration, so the test drives this instance
        using ServiceProvider provider = services.BuildServiceProvider();
        var proxy = provider.GetRequiredService<IConfiguredService>();

        // FailureThreshold 1 from configuration, not the attribute's 5.
        await Assert.ThrowsAsync<InvalidOperationException>(() => proxy.CallAsync("fail", CancellationToken.None));
        await Assert.ThrowsAsync<BrokenCircuitException>(() => proxy.CallAsync("ok", CancellationToken.None));
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal("ok", await proxy.CallAsync("ok", CancellationToken.None));

        // The attribute's bulkhead admits one call at a time; a reload raises it to two for new calls.
        inner.Gate = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        Task<string> first = proxy.CallAsync("a", CancellationToken.None);
        await Assert.ThrowsAsync<BulkheadRejectedException>(() => proxy.CallAsync("b", CancellationToken.None));

        configuration["Resilience:Instances:configured-bulkhead:Bulkhead:MaxConcurrency"] = "2";
        configuration.Reload();

        Task<string> second = proxy.CallAsync("b", CancellationToken.None);
        await Assert.ThrowsAsync<BulkheadRejectedException>(() => proxy.CallAsync("c", CancellationToken.None));
        inner.Gate.SetResult("done");
        Assert.Equal("done", await first);
        Assert.Equal("done", await second);
    }
}
