using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Resilience.Runtime.Tests.Configuration;

/// <summary>The configuration keys of the breaker's SuccessThreshold and Interval, and of the exact sliding window.</summary>
public sealed class SeedKnobsConfigurationTests
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public void Breaker_SuccessThreshold_and_Interval_are_read_and_applied_keeping_the_declared_HandleException()
    {
        using ServiceProvider provider = Build(new Dictionary<string, string?>
        {
            ["Resilience:Instances:api:CircuitBreaker:SuccessThreshold"] = "3",
            ["Resilience:Instances:api:CircuitBreaker:Interval"] = "00:00:10",
        });
        provider.GetRequiredService<IStartupValidator>().Validate();
        CircuitBreakerOverrides overrides = provider.GetRequiredService<IOptions<ResilienceOptions>>().Value.Instances["api"].CircuitBreaker!;
        Assert.Equal(3, overrides.SuccessThreshold);
        Assert.Equal(TimeSpan.FromSeconds(10), overrides.Interval);

        Func<Exception, bool> predicate = static e => e is not ArgumentException;
        CircuitBreakerOptions applied = overrides.ApplyTo(new CircuitBreakerOptions { HandleException = predicate });
        Assert.Equal(3, applied.SuccessThreshold);
        Assert.Equal(TimeSpan.FromSeconds(10), applied.Interval);
        Assert.Same(predicate, applied.HandleException);

        var registry = provider.GetRequiredService<ResilienceRegistry>();
        global::Resilience.CircuitBreaker breaker = registry.GetOrAddCircuitBreaker("api", new CircuitBreakerOptions { FailureThreshold = 2 });
        breaker.Acquire().RecordFailure();
        _time.Advance(TimeSpan.FromSeconds(10));
        breaker.Acquire().RecordFailure();
        Assert.Equal(CircuitState.Closed, breaker.State);
    }

    [Fact]
    public void A_bad_SuccessThreshold_or_Interval_is_rejected_naming_the_setting()
    {
        using ServiceProvider provider = Build(new Dictionary<string, string?>
        {
            ["Resilience:Instances:api:CircuitBreaker:SuccessThreshold"] = "0",
        });

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());
        Assert.Contains("SuccessThreshold", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_exact_window_is_configurable_and_more_than_1000_permits_with_it_is_rejected_naming_PermitLimit()
    {
        using ServiceProvider good = Build(new Dictionary<string, string?>
        {
            ["Resilience:Instances:api:RateLimit:Algorithm"] = "SlidingWindowExact",
            ["Resilience:Instances:api:RateLimit:PermitLimit"] = "1000",
        });
        good.GetRequiredService<IStartupValidator>().Validate();
        RateLimitStrategy limit = good.GetRequiredService<ResilienceRegistry>().GetOrAddRateLimit("api", new RateLimitOptions());
        Assert.Equal(1_000, TakeAll(limit));

        using ServiceProvider bad = Build(new Dictionary<string, string?>
        {
            ["Resilience:Instances:api:RateLimit:Algorithm"] = "SlidingWindowExact",
            ["Resilience:Instances:api:RateLimit:PermitLimit"] = "1001",
        });
        var error = Assert.Throws<OptionsValidationException>(() => bad.GetRequiredService<IStartupValidator>().Validate());
        Assert.Contains("PermitLimit must be at most 1000 with Algorithm SlidingWindowExact", error.Message, StringComparison.Ordinal);
    }

    private static int TakeAll(RateLimitStrategy limit)
    {
        int taken = 0;
        while (limit.TryAcquire())
        {
            taken++;
        }

        return taken;
    }

    private ServiceProvider Build(Dictionary<string, string?> values)
    {
        IConfigurationRoot configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(_time);
        services.AddResilienceConfiguration(configuration.GetSection(ResilienceOptions.SectionName));
        return services.BuildServiceProvider();
    }
}
