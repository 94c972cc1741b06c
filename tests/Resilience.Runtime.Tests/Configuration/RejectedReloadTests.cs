using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Resilience.Runtime.Tests.Telemetry;

namespace Resilience.Runtime.Tests.Configuration;

using Bulkhead = global::Resilience.Bulkhead;

/// <summary>A reload the registry does not apply is logged (warning, path and reason) and raised as an event; the last good settings stay.</summary>
public sealed class RejectedReloadTests
{
    private readonly TestLoggerFactory _logs = new();
    private readonly List<ConfigurationRejectedEventArgs> _rejected = [];

    [Fact]
    public void An_invalid_value_on_reload_is_logged_raised_and_the_last_good_settings_are_kept()
    {
        using ServiceProvider provider = Build(new() { ["Resilience:Instances:r:Retry:MaxRetries"] = "2" }, out IConfigurationRoot configuration, out ResilienceRegistry registry);
        RetryStrategy retry = registry.GetOrAddRetry("r", new RetryOptions { MaxRetries = 5 });
        Assert.Equal(2, retry.MaxRetries);

        configuration["Resilience:Instances:r:Retry:MaxRetries"] = "-1";
        _ = Record.Exception(configuration.Reload); // IOptionsMonitor itself still throws on the reloading thread (dotnet/runtime#44381)

        ConfigurationRejectedEventArgs rejected = Assert.Single(_rejected);
        Assert.True(rejected.WholeChangeRejected);
        Assert.Equal("Resilience:Instances:r:Retry:MaxRetries: MaxRetries must be 0 or more; got -1.", Assert.Single(rejected.Failures));
        LogEntry log = Assert.Single(_logs.Entries, e => e.EventName == "ConfigurationRejected");
        Assert.Equal(LogLevel.Warning, log.Level);
        Assert.Contains("Resilience:Instances:r:Retry:MaxRetries: MaxRetries must be 0 or more; got -1.", log.Message, StringComparison.Ordinal);
        Assert.Contains("every instance keeps its settings", log.Message, StringComparison.Ordinal);
        Assert.Equal(2, retry.MaxRetries);

        // A valid reload afterwards is applied, and nothing more is reported.
        configuration["Resilience:Instances:r:Retry:MaxRetries"] = "4";
        configuration.Reload();
        Assert.Equal(4, retry.MaxRetries);
        Assert.Single(_rejected);
    }

    [Fact]
    public void An_unparsable_value_on_reload_is_reported_with_its_path_and_value()
    {
        using ServiceProvider provider = Build([], out IConfigurationRoot configuration, out ResilienceRegistry registry);
        Bulkhead bulkhead = registry.GetOrAddBulkhead("b", new BulkheadOptions { MaxConcurrency = 3 });

        configuration["Resilience:Instances:b:Bulkhead:MaxConcurrency"] = "lots";
        _ = Record.Exception(configuration.Reload);

        string failure = Assert.Single(Assert.Single(_rejected).Failures);
        Assert.StartsWith("Resilience:Instances:b:Bulkhead:MaxConcurrency: 'lots' is not a whole number", failure, StringComparison.Ordinal);
        Assert.Contains(_logs.Entries, e => e.EventName == "ConfigurationRejected" && e.Message.Contains("'lots'", StringComparison.Ordinal));
        Assert.Equal(3, bulkhead.MaxConcurrency);
    }

    [Fact]
    public void Overrides_that_do_not_fit_the_declared_settings_are_reported_and_only_that_instance_keeps_its_settings()
    {
        using ServiceProvider provider = Build([], out IConfigurationRoot configuration, out ResilienceRegistry registry);
        RetryStrategy api = registry.GetOrAddRetry("api", new RetryOptions { MaxRetries = 1, Delay = TimeSpan.FromSeconds(5) });
        RetryStrategy other = registry.GetOrAddRetry("other", new RetryOptions { MaxRetries = 1 });

        configuration["Resilience:Instances:api:Retry:MaxDelay"] = "00:00:01";
        configuration["Resilience:Instances:api:Retry:MaxRetries"] = "7";
        configuration["Resilience:Instances:other:Retry:MaxRetries"] = "6";
        configuration.Reload();

        ConfigurationRejectedEventArgs rejected = Assert.Single(_rejected);
        Assert.False(rejected.WholeChangeRejected);
        string failure = Assert.Single(rejected.Failures);
        Assert.StartsWith("Resilience:Instances:api:Retry:MaxDelay: ", failure, StringComparison.Ordinal);
        Assert.Contains("keeps its current settings", failure, StringComparison.Ordinal);
        Assert.Contains(_logs.Entries, e => e.EventName == "ConfigurationRejected" && e.Level == LogLevel.Warning && e.Message.Contains("Resilience:Instances:api:Retry:MaxDelay", StringComparison.Ordinal));
        Assert.Equal(1, api.MaxRetries);
        Assert.Equal(6, other.MaxRetries);
    }

    [Fact]
    public void Several_refused_instances_are_reported_by_kind_then_name_whatever_the_order_they_were_created_in()
    {
        using ServiceProvider provider = Build([], out IConfigurationRoot configuration, out ResilienceRegistry registry);
        RetryStrategy zeta = registry.GetOrAddRetry("zeta", new RetryOptions { MaxRetries = 1, Delay = TimeSpan.FromSeconds(5) });
        RetryStrategy alpha = registry.GetOrAddRetry("alpha", new RetryOptions { MaxRetries = 1, Delay = TimeSpan.FromSeconds(5) });
        Bulkhead bulkhead = registry.GetOrAddBulkhead("zeta", new BulkheadOptions { MaxConcurrency = 2, MaxQueue = 1 });

        configuration["Resilience:Instances:zeta:Retry:MaxDelay"] = "00:00:01";
        configuration["Resilience:Instances:zeta:Retry:MaxRetries"] = "3";
        configuration["Resilience:Instances:alpha:Retry:MaxDelay"] = "00:00:02";
        configuration["Resilience:Instances:alpha:Retry:MaxRetries"] = "3";
        configuration["Resilience:Instances:zeta:Bulkhead:MaxQueue"] = "4";
        configuration.Reload();

        ConfigurationRejectedEventArgs rejected = Assert.Single(_rejected);
        Assert.Collection(
            rejected.Failures,
            f => Assert.StartsWith("Resilience:Instances:alpha:Retry:MaxDelay: ", f, StringComparison.Ordinal),
            f => Assert.StartsWith("Resilience:Instances:zeta:Retry:MaxDelay: ", f, StringComparison.Ordinal));
        Assert.Equal(1, alpha.MaxRetries);
        Assert.Equal(1, zeta.MaxRetries);
        Assert.Equal(4, bulkhead.MaxQueue); // the bulkhead of the same name is another instance, and its change fits
    }

    private ServiceProvider Build(Dictionary<string, string?> values, out IConfigurationRoot configuration, out ResilienceRegistry registry)
    {
        configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(new FakeTimeProvider());
        services.AddSingleton<ILoggerFactory>(_logs);
        services.AddResilienceConfiguration(configuration.GetSection(ResilienceOptions.SectionName));
        ServiceProvider provider = services.BuildServiceProvider();
        registry = provider.GetRequiredService<ResilienceRegistry>();
        registry.OnConfigurationRejected += (_, e) => _rejected.Add(e);
        return provider;
    }
}
