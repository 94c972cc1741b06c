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

public interface IConfiguredRetryAndTimeout
{
    [Retry(MaxRetries = 1, DelayMs = 0, Jitter = 0)] // instance name: the method's full name
    Task<int> FlakyAsync(CancellationToken cancellationToken);

    [Timeout(1_000)]
    Task<string> SlowAsync(CancellationToken cancellationToken);
}

/// <summary>Counts calls of <see cref="FlakyAsync"/> (which always fails); <see cref="SlowAsync"/> waits until cancelled.</summary>
public sealed class ConfiguredRetryAndTimeout : IConfiguredRetryAndTimeout
{
    private int _calls;

    public int Calls => Volatile.Read(ref _calls);

    public Task<int> FlakyAsync(CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _calls);
        return Task.FromException<int>(new InvalidOperationException("flaky"));
    }

    public async Task<string> SlowAsync(CancellationToken cancellationToken)
    {
        await Task.Delay(Timeout.InfiniteTimeSpan, cancellationToken);
        return "never";
    }
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

    [Fact]
    public async Task Configuration_sets_the_retry_count_and_the_timeout_of_a_proxy_and_a_reload_changes_them_for_new_calls()
    {
        IConfigurationRoot configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Resilience:Instances:Resilience.EndToEnd.Tests.IConfiguredRetryAndTimeout.FlakyAsync:Retry:MaxRetries"] = "3",
            ["Resilience:Instances:Resilience.EndToEnd.Tests.IConfiguredRetryAndTimeout.SlowAsync:Timeout:Timeout"] = "00:00:05",
        }).Build();
        var inner = new ConfiguredRetryAndTimeout();
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(_time);
        services.AddResilienceConfiguration(configuration.GetSection(ResilienceOptions.SectionName));
        services.AddResilient<IConfiguredRetryAndTimeout, ConfiguredRetryAndTimeout>(ServiceLifetime.Singleton);
        services.AddSingleton(inner);
        using ServiceProvider provider = services.BuildServiceProvider();
        var proxy = provider.GetRequiredService<IConfiguredRetryAndTimeout>();

        // Retry: 3 retries from configuration (the attribute says 1), then 0 after a reload.
        await Assert.ThrowsAsync<InvalidOperationException>(() => proxy.FlakyAsync(CancellationToken.None));
        Assert.Equal(4, inner.Calls);
        configuration["Resilience:Instances:Resilience.EndToEnd.Tests.IConfiguredRetryAndTimeout.FlakyAsync:Retry:MaxRetries"] = "0";
        configuration.Reload();
        await Assert.ThrowsAsync<InvalidOperationException>(() => proxy.FlakyAsync(CancellationToken.None));
        Assert.Equal(5, inner.Calls);

        // Timeout: 5 s from configuration (the attribute says 1 s) ...
        Task<string> before = proxy.SlowAsync(CancellationToken.None);
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.False(before.IsCompleted);

        // ... a reload to 2 s applies to the next call; the call in flight keeps its 5 s.
        configuration["Resilience:Instances:Resilience.EndToEnd.Tests.IConfiguredRetryAndTimeout.SlowAsync:Timeout:Timeout"] = "00:00:02";
        configuration.Reload();
        Task<string> after = proxy.SlowAsync(CancellationToken.None);
        _time.Advance(TimeSpan.FromSeconds(2));
        await Assert.ThrowsAsync<ResilienceTimeoutException>(() => after);
        Assert.False(before.IsCompleted);
        _time.Advance(TimeSpan.FromSeconds(2));
        await Assert.ThrowsAsync<ResilienceTimeoutException>(() => before);
    }
}
