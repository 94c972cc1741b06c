using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Resilience.Runtime.Tests.Configuration;

using Bulkhead = global::Resilience.Bulkhead;

/// <summary>The <c>Bulkhead:MaxWait</c> key: applied at creation and on reload, timed on the registry's clock; <c>Kind</c> is the declaration's.</summary>
public sealed class BulkheadWaitConfigurationTests
{
    [Fact]
    public async Task MaxWait_from_configuration_is_applied_at_creation_and_on_reload()
    {
        var time = new FakeTimeProvider();
        IConfigurationRoot configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Resilience:Instances:b:Bulkhead:MaxWait"] = "00:00:00.200" })
            .Build();
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(time);
        services.AddResilienceConfiguration(configuration.GetSection(ResilienceOptions.SectionName));
        using ServiceProvider provider = services.BuildServiceProvider();
        var registry = provider.GetRequiredService<ResilienceRegistry>();

        Bulkhead bulkhead = registry.GetOrAddBulkhead("b", new BulkheadOptions { MaxConcurrency = 1, MaxQueue = 5, Kind = BulkheadKind.WorkerPool });
        Assert.Equal(TimeSpan.FromMilliseconds(200), bulkhead.MaxWait);
        Assert.Equal(BulkheadKind.WorkerPool, bulkhead.Kind);
        Assert.Same(bulkhead, registry.GetOrAddBulkhead("b", new BulkheadOptions { MaxConcurrency = 1, MaxQueue = 5, Kind = BulkheadKind.WorkerPool })); // declared settings compare

        await bulkhead.EnterAsync(CancellationToken.None);
        Task first = bulkhead.EnterAsync(CancellationToken.None).AsTask();
        time.Advance(TimeSpan.FromMilliseconds(200));
        Assert.Equal(BulkheadRejectionReason.WaitLimitExceeded, (await Assert.ThrowsAsync<BulkheadRejectedException>(() => first)).Reason);

        configuration["Resilience:Instances:b:Bulkhead:MaxWait"] = "00:00:00";
        configuration.Reload();
        Assert.Null(bulkhead.MaxWait);
        Task second = bulkhead.EnterAsync(CancellationToken.None).AsTask();
        time.Advance(TimeSpan.FromHours(1));
        Assert.False(second.IsCompleted);
        bulkhead.Release();
        await second.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public void A_negative_or_unparsable_MaxWait_is_rejected_with_its_path()
    {
        var options = new ResilienceOptions();
        options.Instances["b"] = new ResilienceInstanceOptions { Bulkhead = new BulkheadOverrides { MaxWait = TimeSpan.FromSeconds(-1) } };

        var result = new ResilienceOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains("Resilience:Instances:b:Bulkhead", result.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("MaxWait must be", result.FailureMessage, StringComparison.Ordinal);
    }
}
