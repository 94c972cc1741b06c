using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Resilience.Runtime.Tests.Configuration;

/// <summary>The <c>Hedge</c> section of an instance and the <c>RetryBudgets</c> section, at start and on reload.</summary>
public sealed class HedgeAndBudgetConfigurationTests
{
    [Fact]
    public void A_hedge_takes_its_configured_settings_and_follows_a_reload()
    {
        using ServiceProvider provider = Build(
            new() { ["Resilience:Instances:reads:Hedge:Delay"] = "00:00:00.500", ["Resilience:Instances:reads:Hedge:MaxHedges"] = "2" },
            out IConfigurationRoot configuration,
            out ResilienceRegistry registry);

        HedgeStrategy hedge = registry.GetOrAddHedge("reads", new HedgeOptions());
        Assert.Equal(TimeSpan.FromMilliseconds(500), hedge.Options.Delay);
        Assert.Equal(2, hedge.Options.MaxHedges);
        Assert.True(hedge.Options.OnFailure);

        configuration["Resilience:Instances:reads:Hedge:OnFailure"] = "false";
        configuration["Resilience:Instances:reads:Hedge:MaxHedges"] = "3";
        configuration.Reload();

        Assert.False(hedge.Options.OnFailure);
        Assert.Equal(3, hedge.Options.MaxHedges);
    }

    [Fact]
    public void A_retry_budget_takes_its_configured_settings_and_follows_a_reload()
    {
        using ServiceProvider provider = Build(
            new() { ["Resilience:RetryBudgets:payments-api:Ratio"] = "0.1", ["Resilience:RetryBudgets:payments-api:Window"] = "00:00:30" },
            out IConfigurationRoot configuration,
            out ResilienceRegistry registry);

        RetryStrategy retry = registry.GetOrAddRetry("pay", new RetryOptions { Budget = "payments-api" });
        RetryBudget budget = Assert.IsType<RetryBudget>(retry.Budget);
        Assert.Same(budget, registry.GetOrAddRetry("refund", new RetryOptions { Budget = "payments-api" }).Budget);
        Assert.Equal(0.1, budget.Options.Ratio);
        Assert.Equal(TimeSpan.FromSeconds(30), budget.Options.Window);
        Assert.Equal(10, budget.Options.MinRetriesPerSecond);

        configuration["Resilience:RetryBudgets:payments-api:MinRetriesPerSecond"] = "0";
        configuration.Reload();

        Assert.Equal(0, budget.Options.MinRetriesPerSecond);
        Assert.Equal(0.1, budget.Options.Ratio);
    }

    [Theory]
    [InlineData("Resilience:RetryBudgets:b:Ratio", "1.5", "Resilience:RetryBudgets:b:Ratio: Ratio must be in [0, 1]; got 1.5.")]
    [InlineData("Resilience:Instances:h:Hedge:MaxHedges", "11", "Resilience:Instances:h:Hedge:MaxHedges: MaxHedges must be in [1, 10]; got 11.")]
    public void Invalid_values_are_refused_at_start_with_their_path(string key, string value, string expected)
    {
        using ServiceProvider provider = Build(new() { [key] = value }, out _, out _, resolve: false);

        var exception = Assert.ThrowsAny<Microsoft.Extensions.Options.OptionsValidationException>(
            () => provider.GetRequiredService<Microsoft.Extensions.Options.IOptionsMonitor<ResilienceOptions>>().CurrentValue);
        Assert.Contains(expected, exception.Failures);
    }

    private static ServiceProvider Build(
        Dictionary<string, string?> values, out IConfigurationRoot configuration, out ResilienceRegistry registry, bool resolve = true)
    {
        configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(new FakeTimeProvider());
        services.AddResilienceConfiguration(configuration.GetSection(ResilienceOptions.SectionName));
        ServiceProvider provider = services.BuildServiceProvider();
        registry = resolve ? provider.GetRequiredService<ResilienceRegistry>() : null!;
        return provider;
    }
}
