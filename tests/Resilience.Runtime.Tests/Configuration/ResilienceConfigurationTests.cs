using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Resilience.Runtime.Tests.Configuration;

using Bulkhead = global::Resilience.Bulkhead;
using CircuitBreaker = global::Resilience.CircuitBreaker;

public sealed class ResilienceConfigurationTests
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public void Configuration_overrides_the_declared_settings_of_an_instance_when_it_is_created()
    {
        using ServiceProvider provider = Build(new Dictionary<string, string?>
        {
            ["Resilience:Instances:users-db:CircuitBreaker:FailureThreshold"] = "10",
            ["Resilience:Instances:users-db:Bulkhead:MaxConcurrency"] = "20",
        }, out _);
        var registry = provider.GetRequiredService<ResilienceRegistry>();

        var declared = new CircuitBreakerOptions { FailureThreshold = 5, BreakDuration = TimeSpan.FromSeconds(7) };
        CircuitBreaker breaker = registry.GetOrAddCircuitBreaker("users-db", declared);
        Fail(breaker, 9);
        Assert.Equal(CircuitState.Closed, breaker.State); // 5 declared, 10 configured
        Fail(breaker, 1);
        BrokenCircuitException rejected = Assert.Throws<BrokenCircuitException>(() => breaker.Acquire());
        Assert.Equal(TimeSpan.FromSeconds(7), rejected.RetryAfter); // not overridden: declared value kept

        Bulkhead bulkhead = registry.GetOrAddBulkhead("users-db", new BulkheadOptions { MaxConcurrency = 2, MaxQueue = 3 });
        Assert.Equal(20, bulkhead.MaxConcurrency);
        Assert.Equal(3, bulkhead.MaxQueue);

        // Declarations are still compared with each other, not with the configured values.
        Assert.Same(breaker, registry.GetOrAddCircuitBreaker("users-db", new CircuitBreakerOptions { FailureThreshold = 5, BreakDuration = TimeSpan.FromSeconds(7) }));
        Assert.Throws<InvalidOperationException>(() => registry.GetOrAddCircuitBreaker("users-db", new CircuitBreakerOptions { FailureThreshold = 10, BreakDuration = TimeSpan.FromSeconds(7) }));

        // Other names keep their declared settings.
        CircuitBreaker other = registry.GetOrAddCircuitBreaker("orders-db", new CircuitBreakerOptions { FailureThreshold = 1 });
        Fail(other, 1);
        Assert.Equal(CircuitState.Open, other.State);
    }

    [Fact]
    public void Services_Configure_overrides_too()
    {
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(_time);
        services.AddResilienceRegistry();
        services.Configure<ResilienceOptions>(o => o.Instances["hosts"] = new ResilienceInstanceOptions
        {
            CircuitBreaker = new CircuitBreakerOverrides { FailureThreshold = 1, MaxKeys = 3 },
        });
        using ServiceProvider provider = services.BuildServiceProvider();
        var registry = provider.GetRequiredService<ResilienceRegistry>();

        KeyedCircuitBreaker<string> keyed = registry.GetOrAddKeyedCircuitBreaker<string>("hosts", new CircuitBreakerOptions { FailureThreshold = 50 });
        keyed.Acquire("a").RecordFailure();
        Assert.False(keyed.TryAcquire("a", out _));
        for (int i = 0; i < 10; i++)
        {
            keyed.Acquire("k" + i).RecordSuccess();
        }

        Assert.True(keyed.KeyCount <= 3);
    }

    [Fact]
    public void Invalid_values_fail_at_start_up_naming_the_instance_and_the_setting()
    {
        using ServiceProvider provider = Build(new Dictionary<string, string?>
        {
            ["Resilience:Instances:users-db:CircuitBreaker:FailureThreshold"] = "0",
            ["Resilience:Instances:users-db:CircuitBreaker:BreakDuration"] = "soon",
            ["Resilience:Instances:search:Bulkhead:MaxQueue"] = "-1",
            ["Resilience:Instances:search:CircuitBreaker:FailureRatio"] = "1.5",
        }, out _);

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());
        Assert.Contains("Resilience:Instances:users-db:CircuitBreaker:FailureThreshold: FailureThreshold must be at least 1; got 0.", error.Failures);
        Assert.Contains("Resilience:Instances:users-db:CircuitBreaker:BreakDuration: 'soon' is not a time span; write it as [d.]hh:mm:ss[.fff], e.g. '00:00:30'.", error.Failures);
        Assert.Contains("Resilience:Instances:search:Bulkhead:MaxQueue: MaxQueue must be 0 (reject at once when full) or more; got -1.", error.Failures);
        Assert.Contains("Resilience:Instances:search:CircuitBreaker:FailureRatio: FailureRatio must be 0 (off) or in (0, 1]; got 1.5.", error.Failures);
        Assert.Equal(4, error.Failures.Count());

        // Without a host to validate on start, the registry refuses to be created.
        Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<ResilienceRegistry>());
    }

    [Fact]
    public void Valid_configuration_passes_start_up_validation()
    {
        using ServiceProvider provider = Build(new Dictionary<string, string?>
        {
            ["Resilience:Instances:users-db:CircuitBreaker:FailureRatio"] = "0.5",
            ["Resilience:Instances:users-db:CircuitBreaker:SamplingDuration"] = "00:01:00",
            ["Resilience:Instances:users-db:Bulkhead:MaxQueue"] = "0",
        }, out _);

        provider.GetRequiredService<IStartupValidator>().Validate();
        ResilienceOptions options = provider.GetRequiredService<IOptions<ResilienceOptions>>().Value;
        CircuitBreakerOverrides breaker = options.Instances["users-db"].CircuitBreaker!;
        Assert.Equal(0.5, breaker.FailureRatio);
        Assert.Equal(TimeSpan.FromMinutes(1), breaker.SamplingDuration);
        Assert.Null(breaker.FailureThreshold);
        Assert.Equal(0, options.Instances["users-db"].Bulkhead!.MaxQueue);
    }

    [Fact]
    public void Reloaded_configuration_applies_to_new_calls_on_the_instances_already_held()
    {
        using ServiceProvider provider = Build(new Dictionary<string, string?>
        {
            ["Resilience:Instances:users-db:CircuitBreaker:FailureThreshold"] = "10",
            ["Resilience:Instances:users-db:Bulkhead:MaxConcurrency"] = "1",
        }, out IConfigurationRoot configuration);
        var registry = provider.GetRequiredService<ResilienceRegistry>();

        // What generated code holds in its fields: the instances themselves.
        CircuitBreaker breaker = registry.GetOrAddCircuitBreaker("users-db", new CircuitBreakerOptions());
        Bulkhead bulkhead = registry.GetOrAddBulkhead("users-db", new BulkheadOptions { MaxQueue = 5 });
        Fail(breaker, 3);
        Assert.True(bulkhead.TryEnter());
        ValueTask waiting = bulkhead.EnterAsync(CancellationToken.None);
        Assert.False(waiting.IsCompleted);

        configuration["Resilience:Instances:users-db:CircuitBreaker:FailureThreshold"] = "4";
        configuration["Resilience:Instances:users-db:Bulkhead:MaxConcurrency"] = "2";
        configuration.Reload();

        Assert.Equal(CircuitState.Closed, breaker.State); // state and counts kept
        Fail(breaker, 1);                                // the 4th consecutive failure trips under the new threshold
        Assert.Equal(CircuitState.Open, breaker.State);

        Assert.Equal(2, bulkhead.MaxConcurrency);
        Assert.True(waiting.IsCompleted);                // the new slot went to the waiter
        Assert.Equal(2, bulkhead.RunningCount);

        // Removing the override restores the declared value.
        configuration["Resilience:Instances:users-db:Bulkhead:MaxConcurrency"] = null;
        configuration.Reload();
        Assert.Equal(10, bulkhead.MaxConcurrency);
    }

    [Fact]
    public void Reload_reconfigures_every_key_of_a_keyed_breaker_and_the_keys_to_come()
    {
        using ServiceProvider provider = Build(new Dictionary<string, string?>(), out IConfigurationRoot configuration);
        var registry = provider.GetRequiredService<ResilienceRegistry>();
        KeyedCircuitBreaker<string> keyed = registry.GetOrAddKeyedCircuitBreaker<string>("hosts", new CircuitBreakerOptions { FailureThreshold = 100 });
        keyed.Acquire("old").RecordFailure();

        configuration["Resilience:Instances:hosts:CircuitBreaker:FailureThreshold"] = "2";
        configuration.Reload();

        keyed.Acquire("old").RecordFailure(); // second consecutive failure of the existing key
        Assert.False(keyed.TryAcquire("old", out _));
        keyed.Acquire("new").RecordFailure();
        keyed.Acquire("new").RecordFailure();
        Assert.False(keyed.TryAcquire("new", out _));
    }

    [Fact]
    public void An_invalid_reload_is_refused_and_the_instances_keep_their_settings()
    {
        using ServiceProvider provider = Build(new Dictionary<string, string?>
        {
            ["Resilience:Instances:b:Bulkhead:MaxConcurrency"] = "3",
        }, out IConfigurationRoot configuration);
        var registry = provider.GetRequiredService<ResilienceRegistry>();
        Bulkhead bulkhead = registry.GetOrAddBulkhead("b", new BulkheadOptions());

        configuration["Resilience:Instances:b:Bulkhead:MaxConcurrency"] = "0";
        Assert.ThrowsAny<Exception>(configuration.Reload);

        Assert.Equal(3, bulkhead.MaxConcurrency);
    }

    [Fact]
    public void A_disposed_registry_stops_following_configuration()
    {
        using ServiceProvider provider = Build(new Dictionary<string, string?>(), out IConfigurationRoot configuration);
        var registry = provider.GetRequiredService<ResilienceRegistry>();
        Bulkhead bulkhead = registry.GetOrAddBulkhead("b", new BulkheadOptions { MaxConcurrency = 4 });
        registry.Dispose();

        configuration["Resilience:Instances:b:Bulkhead:MaxConcurrency"] = "8";
        configuration.Reload();

        Assert.Equal(4, bulkhead.MaxConcurrency);
    }

    private static void Fail(CircuitBreaker breaker, int count)
    {
        for (int i = 0; i < count; i++)
        {
            breaker.Acquire().RecordFailure();
        }
    }

    private ServiceProvider Build(Dictionary<string, string?> values, out IConfigurationRoot configuration)
    {
        configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(_time);
        services.AddResilienceConfiguration(configuration.GetSection(ResilienceOptions.SectionName));
        return services.BuildServiceProvider();
    }
}
