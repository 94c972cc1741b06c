using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Resilience.EndToEnd.Tests.Chaos;

/// <summary>
/// Chaos that is configured but off (the process-wide switch off, or another instance's chaos on) costs the hot path
/// one check and nothing else: a synchronously completing call through every strategy still allocates nothing.
/// </summary>
[Collection(TelemetryAndAllocationCollection.Name)]
public sealed class ChaosOffAllocationTests
{
    private const int Warmup = 1_000;
    private const int Calls = 10_000;

    [Theory]
    [InlineData("false", "Resilience.EndToEnd.Tests.IHotPath")] // configured for this interface, switch off
    [InlineData("true", "some-other-instance")]                 // switch on, chaos elsewhere
    public void A_call_allocates_nothing_when_chaos_is_off_for_it(string switchOn, string chaosName)
    {
        IConfigurationRoot configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Resilience:Chaos:Enabled"] = switchOn,
            [$"Resilience:Instances:{chaosName}:Chaos:Enabled"] = "true",
            [$"Resilience:Instances:{chaosName}:Chaos:InjectionRate"] = "1",
            [$"Resilience:Instances:{chaosName}:Chaos:Fault"] = "TimeoutException",
        }).Build();
        var services = new ServiceCollection().AddResilienceConfiguration(configuration.GetSection("Resilience"));
        using ServiceProvider provider = services.BuildServiceProvider();
        var registry = provider.GetRequiredService<ResilienceRegistry>();
        var inner = new CompletedHotPath();
        var proxy = new HotPathResilient(inner, registry);

        Run(proxy, Warmup);
        long allocated = AllocationProbe.Least(() => Run(proxy, Calls), out int windows);

        Assert.Equal(0, allocated);
        Assert.Equal(2 * (Warmup + (windows * Calls)), inner.Calls); // no call was skipped or failed
    }

    private static void Run(HotPathResilient proxy, int count)
    {
        for (int i = 0; i < count; i++)
        {
            ValueTask<int> value = proxy.GetValueAsync(i, CancellationToken.None);
            Task<int> task = proxy.GetTaskAsync(i, CancellationToken.None);
            if (!value.IsCompletedSuccessfully || !task.IsCompletedSuccessfully)
            {
                throw new InvalidOperationException("The call did not complete synchronously.");
            }
        }
    }
}
