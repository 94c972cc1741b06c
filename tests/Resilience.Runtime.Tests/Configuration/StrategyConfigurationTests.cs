using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Resilience.Runtime.Tests.Configuration;

/// <summary>Retry, timeout, rate limit and cache fallback overrides: binding, creation, reload and validation.</summary>
public sealed class StrategyConfigurationTests
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public void Binding_reads_every_new_setting_including_time_spans_and_enums()
    {
        using ServiceProvider provider = Build(new Dictionary<string, string?>
        {
            ["Resilience:Instances:api:Retry:MaxRetries"] = "7",
            ["Resilience:Instances:api:Retry:Delay"] = "00:00:00.250",
            ["Resilience:Instances:api:Retry:MaxDelay"] = "00:00:10",
            ["Resilience:Instances:api:Retry:Backoff"] = "linear",
            ["Resilience:Instances:api:Retry:Multiplier"] = "1.5",
            ["Resilience:Instances:api:Retry:Jitter"] = "0.1",
            ["Resilience:Instances:api:Retry:AttemptTimeout"] = "00:00:03",
            ["Resilience:Instances:api:Timeout:Timeout"] = "00:00:02",
            ["Resilience:Instances:api:RateLimit:PermitLimit"] = "20",
            ["Resilience:Instances:api:RateLimit:Window"] = "00:01:00",
            ["Resilience:Instances:api:RateLimit:Algorithm"] = "SlidingWindow",
            ["Resilience:Instances:api:RateLimit:SegmentsPerWindow"] = "6",
            ["Resilience:Instances:api:RateLimit:QueueLimit"] = "4",
            ["Resilience:Instances:api:RateLimit:MaxKeys"] = "100",
            ["Resilience:Instances:api:RateLimit:KeyIdleTimeout"] = "00:05:00",
            ["Resilience:Instances:api:CacheFallback:Ttl"] = "00:00:30",
            ["Resilience:Instances:api:CacheFallback:StaleTtl"] = "01:00:00",
        }, out _);

        provider.GetRequiredService<IStartupValidator>().Validate();
        ResilienceInstanceOptions api = provider.GetRequiredService<IOptions<ResilienceOptions>>().Value.Instances["api"];
        Assert.Equal(7, api.Retry!.MaxRetries);
        Assert.Equal(TimeSpan.FromMilliseconds(250), api.Retry.Delay);
        Assert.Equal(TimeSpan.FromSeconds(10), api.Retry.MaxDelay);
        Assert.Equal(BackoffType.Linear, api.Retry.Backoff);
        Assert.Equal(1.5, api.Retry.Multiplier);
        Assert.Equal(0.1, api.Retry.Jitter);
        Assert.Equal(TimeSpan.FromSeconds(3), api.Retry.AttemptTimeout);
        Assert.Equal(TimeSpan.FromSeconds(2), api.Timeout!.Timeout);
        Assert.Equal(20, api.RateLimit!.PermitLimit);
        Assert.Equal(TimeSpan.FromMinutes(1), api.RateLimit.Window);
        Assert.Equal(RateLimitAlgorithm.SlidingWindow, api.RateLimit.Algorithm);
        Assert.Equal(6, api.RateLimit.SegmentsPerWindow);
        Assert.Equal(4, api.RateLimit.QueueLimit);
        Assert.Equal(100, api.RateLimit.MaxKeys);
        Assert.Equal(TimeSpan.FromMinutes(5), api.RateLimit.KeyIdleTimeout);
        Assert.Equal(TimeSpan.FromSeconds(30), api.CacheFallback!.Ttl);
        Assert.Equal(TimeSpan.FromHours(1), api.CacheFallback.StaleTtl);
        Assert.Null(api.CircuitBreaker);
    }

    [Fact]
    public void Overrides_apply_when_the_registry_creates_the_instances_and_reloads_reach_them()
    {
        using ServiceProvider provider = Build(new Dictionary<string, string?>
        {
            ["Resilience:Instances:api:Retry:MaxRetries"] = "5",
            ["Resilience:Instances:api:Retry:AttemptTimeout"] = "00:00:04",
            ["Resilience:Instances:api:Timeout:Timeout"] = "00:00:02",
            ["Resilience:Instances:api:RateLimit:PermitLimit"] = "3",
            ["Resilience:Instances:api:CacheFallback:Ttl"] = "00:00:30",
        }, out IConfigurationRoot configuration);
        var registry = provider.GetRequiredService<ResilienceRegistry>();

        RetryStrategy retry = registry.GetOrAddRetry("api", new RetryOptions { MaxRetries = 1, AttemptTimeout = TimeSpan.FromSeconds(1) });
        TimeoutStrategy timeout = registry.GetOrAddTimeout("api", TimeSpan.FromSeconds(10));
        RateLimitStrategy limit = registry.GetOrAddRateLimit("api", new RateLimitOptions { PermitLimit = 1, Window = TimeSpan.FromHours(1), Algorithm = RateLimitAlgorithm.FixedWindow });
        KeyedRateLimitStrategy<string> keyed = registry.GetOrAddKeyedRateLimit<string>("keyed", new RateLimitOptions { PermitLimit = 1, Window = TimeSpan.FromHours(1), Algorithm = RateLimitAlgorithm.FixedWindow });
        CacheFallbackStrategy cache = registry.GetOrAddCacheFallback("api", new CacheFallbackOptions { Ttl = TimeSpan.Zero });

        Assert.Equal(5, retry.MaxRetries);
        Assert.Equal(TimeSpan.FromSeconds(4), retry.AttemptTimeout!.Timeout);
        Assert.Equal(TimeSpan.FromSeconds(2), timeout.Timeout);
        Assert.True(limit.TryAcquire());
        Assert.True(limit.TryAcquire());
        Assert.True(limit.TryAcquire());
        Assert.False(limit.TryAcquire());
        Assert.Equal(TimeSpan.FromSeconds(30), cache.Ttl);

        // Declarations are still compared with each other, not with the configured values.
        Assert.Same(retry, registry.GetOrAddRetry("api", new RetryOptions { MaxRetries = 1, AttemptTimeout = TimeSpan.FromSeconds(1) }));
        Assert.Same(timeout, registry.GetOrAddTimeout("api", TimeSpan.FromSeconds(10)));

        configuration["Resilience:Instances:api:Retry:MaxRetries"] = "2";
        configuration["Resilience:Instances:api:Timeout:Timeout"] = null;
        configuration["Resilience:Instances:api:RateLimit:PermitLimit"] = "4";
        configuration["Resilience:Instances:keyed:RateLimit:PermitLimit"] = "2";
        configuration["Resilience:Instances:api:CacheFallback:Ttl"] = "00:00:05";
        configuration.Reload();

        Assert.Equal(2, retry.MaxRetries);
        Assert.Equal(TimeSpan.FromSeconds(4), retry.AttemptTimeout.Timeout); // still configured
        Assert.Equal(TimeSpan.FromSeconds(10), timeout.Timeout); // override removed: back to the declared value
        Assert.True(limit.TryAcquire()); // 3 taken of the new 4
        Assert.False(limit.TryAcquire());
        Assert.True(keyed.TryAcquire("a"));
        Assert.True(keyed.TryAcquire("a"));
        Assert.False(keyed.TryAcquire("a"));
        Assert.Equal(TimeSpan.FromSeconds(5), cache.Ttl);
    }

    [Fact]
    public void An_override_that_does_not_fit_a_declared_setting_fails_creation_naming_the_path_and_is_ignored_by_a_reload()
    {
        using ServiceProvider provider = Build(new Dictionary<string, string?>
        {
            ["Resilience:Instances:api:Retry:MaxDelay"] = "00:00:01",
        }, out IConfigurationRoot configuration);
        var registry = provider.GetRequiredService<ResilienceRegistry>();

        var error = Assert.Throws<InvalidOperationException>(() => registry.GetOrAddRetry("api", new RetryOptions { Delay = TimeSpan.FromSeconds(5), MaxDelay = TimeSpan.FromSeconds(30) }));
        Assert.StartsWith("Resilience:Instances:api:Retry:MaxDelay: MaxDelay must be at least Delay (5000 ms); got 1000 ms.", error.Message, StringComparison.Ordinal);
        Assert.False(registry.TryGetRetry("api", out _));

        RetryStrategy other = registry.GetOrAddRetry("other", new RetryOptions { MaxRetries = 3, Delay = TimeSpan.FromSeconds(5), MaxDelay = TimeSpan.FromSeconds(30) });
        configuration["Resilience:Instances:other:Retry:MaxRetries"] = "9";
        configuration["Resilience:Instances:other:Retry:MaxDelay"] = "00:00:01";
        configuration.Reload();
        Assert.Equal(3, other.MaxRetries); // the whole new setting is refused; the instance keeps its settings
    }

    [Fact]
    public void Invalid_new_settings_fail_at_start_up_naming_the_path_and_the_fix()
    {
        using ServiceProvider provider = Build(new Dictionary<string, string?>
        {
            ["Resilience:Instances:api:Retry:MaxRetries"] = "-1",
            ["Resilience:Instances:api:Retry:Jitter"] = "2",
            ["Resilience:Instances:api:Retry:AttemptTimeout"] = "00:00:00",
            ["Resilience:Instances:api:Timeout:Timeout"] = "-00:00:01",
            ["Resilience:Instances:api:RateLimit:PermitLimit"] = "0",
            ["Resilience:Instances:api:CacheFallback:Ttl"] = "00:00:00",
            ["Resilience:Instances:api:CacheFallback:StaleTtl"] = "00:00:00",
            ["Resilience:Instances:web:Retry:Delay"] = "00:00:05",
            ["Resilience:Instances:web:Retry:MaxDelay"] = "00:00:01",
            ["Resilience:Instances:web:RateLimit:Algorithm"] = "SlidingWindow",
            ["Resilience:Instances:web:RateLimit:Window"] = "00:00:00.005",
            ["Resilience:Instances:web:RateLimit:SegmentsPerWindow"] = "10",
        }, out _);

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());
        string[] failures = [.. error.Failures];
        Assert.Contains("Resilience:Instances:api:Retry:MaxRetries: MaxRetries must be 0 or more; got -1.", failures);
        Assert.Contains("Resilience:Instances:api:Retry:AttemptTimeout: AttemptTimeout must be positive; configuration changes the length of the per-attempt timeout the attribute declares and can't remove it; got 0 ms.", failures);
        Assert.Contains("Resilience:Instances:api:Timeout:Timeout: Timeout must be in (0, 2147483647] ms; got -1000 ms.", failures);
        Assert.Contains("Resilience:Instances:api:RateLimit:PermitLimit: PermitLimit must be at least 1; got 0.", failures);
        Assert.Contains("Resilience:Instances:api:CacheFallback:StaleTtl: Ttl and StaleTtl are both zero, so no result would ever be used; make Ttl or StaleTtl positive.", failures);
        Assert.Contains("Resilience:Instances:web:Retry:MaxDelay: MaxDelay must be at least Delay (5000 ms); got 1000 ms.", failures);
        Assert.Contains(failures, f => f.StartsWith("Resilience:Instances:web:RateLimit:SegmentsPerWindow: Window / SegmentsPerWindow must be at least 1 ms", StringComparison.Ordinal));
        Assert.Equal(7, failures.Length); // Jitter is reported once MaxRetries is fixed: one failure per section
    }

    [Fact]
    public void Overrides_valid_alone_pass_validation_whatever_the_declared_settings()
    {
        using ServiceProvider provider = Build(new Dictionary<string, string?>
        {
            ["Resilience:Instances:api:Retry:MaxDelay"] = "00:00:00.050", // below the default Delay of 200 ms: fine alone
            ["Resilience:Instances:api:RateLimit:SegmentsPerWindow"] = "5000", // fine with a long declared window
            ["Resilience:Instances:api:CacheFallback:Ttl"] = "00:00:00", // fine with a positive declared StaleTtl
        }, out _);

        provider.GetRequiredService<IStartupValidator>().Validate();
    }

    [Theory]
    [InlineData("Retry:MaxRetries", "many", "'many' is not a whole number.")]
    [InlineData("Retry:Jitter", "0,5", "'0,5' is not a number (use '.' as the decimal point).")]
    [InlineData("Retry:Delay", "soon", "'soon' is not a time span; write it as [d.]hh:mm:ss[.fff], e.g. '00:00:30'.")]
    [InlineData("Retry:Backoff", "Quadratic", "'Quadratic' is not a backoff type; write Constant, Linear or Exponential.")]
    [InlineData("RateLimit:Algorithm", "Leaky", "'Leaky' is not a rate limit algorithm; write TokenBucket, SlidingWindow, FixedWindow or SlidingWindowExact.")]
    [InlineData("Timeout:Timeout", "2s", "'2s' is not a time span; write it as [d.]hh:mm:ss[.fff], e.g. '00:00:30'.")]
    [InlineData("CacheFallback:StaleTtl", "forever", "'forever' is not a time span; write it as [d.]hh:mm:ss[.fff], e.g. '00:00:30'.")]
    [InlineData("Hedge:OnFailure", "yes", "'yes' is not true or false.")]
    [InlineData("CircuitBreaker:FailureThreshold", "99999999999", "'99999999999' is not a whole number.")]
    public void Unparsable_values_fail_at_start_up_naming_the_path_and_the_value(string key, string value, string expected)
    {
        using ServiceProvider provider = Build(new Dictionary<string, string?>
        {
            ["Resilience:Instances:api:" + key] = value,
            ["Resilience:Instances:api:Bulkhead:MaxConcurrency"] = "0",
        }, out _);

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());
        Assert.Contains($"Resilience:Instances:api:{key}: {expected}", error.Failures);
        Assert.Contains(error.Failures, f => f.StartsWith("Resilience:Instances:api:Bulkhead:MaxConcurrency:", StringComparison.Ordinal)); // other sections still read
    }

    [Fact]
    public void Binding_with_services_Configure_works()
    {
        using ServiceProvider provider = BuildWithConfigure(new Dictionary<string, string?>
        {
            ["Resilience:Instances:api:Retry:MaxRetries"] = "6",
            ["Resilience:Instances:api:Timeout:Timeout"] = "00:00:03",
            ["Resilience:Instances:api:RateLimit:Algorithm"] = "FixedWindow",
        });
        var registry = provider.GetRequiredService<ResilienceRegistry>();
        Assert.Equal(6, registry.GetOrAddRetry("api", new RetryOptions()).MaxRetries);
        Assert.Equal(TimeSpan.FromSeconds(3), registry.GetOrAddTimeout("api", TimeSpan.FromSeconds(1)).Timeout);
        Assert.Equal(RateLimitAlgorithm.FixedWindow, provider.GetRequiredService<IOptions<ResilienceOptions>>().Value.Instances["api"].RateLimit!.Algorithm);
    }

    private ServiceProvider BuildWithConfigure(Dictionary<string, string?> values)
    {
        IConfigurationRoot configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(_time);
        services.AddResilienceRegistry();
        services.Configure<ResilienceOptions>(configuration.GetSection(ResilienceOptions.SectionName));
        return services.BuildServiceProvider();
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
