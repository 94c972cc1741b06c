namespace Resilience.Runtime.Tests.Configuration;

/// <summary>Chaos settings are validated with the other overrides, each failure naming its path and the fix.</summary>
public sealed class ChaosValidationTests
{
    [Theory]
    [InlineData(1.5, null, "TimeoutException", null, "Resilience:Instances:x:Chaos:InjectionRate: InjectionRate must be in [0, 1]; got 1.5.")]
    [InlineData(-0.1, null, "TimeoutException", null, "Resilience:Instances:x:Chaos:InjectionRate: InjectionRate must be in [0, 1]; got -0.1.")]
    [InlineData(null, null, "TimeoutException", null, "Resilience:Instances:x:Chaos:InjectionRate: InjectionRate must be set when Enabled is true")]
    [InlineData(0.5, -1.0, null, null, "Resilience:Instances:x:Chaos:Latency: Latency must be in [0, 2147483647] ms; got -1000 ms.")]
    [InlineData(0.5, null, "TimeoutException", "default", "Resilience:Instances:x:Chaos:Result: Fault and Result cannot both be set")]
    [InlineData(0.5, null, null, null, "Resilience:Instances:x:Chaos:Enabled: Enabled is true but nothing is injected; set Fault, Latency or Result.")]
    public void Invalid_chaos_settings_are_refused_with_the_path(double? rate, double? latencySeconds, string? fault, string? result, string expected)
    {
        var options = new ResilienceOptions();
        options.Instances["x"] = new ResilienceInstanceOptions
        {
            Chaos = new ChaosOverrides
            {
                Enabled = true,
                InjectionRate = rate,
                Latency = latencySeconds is { } seconds ? TimeSpan.FromSeconds(seconds) : null,
                Fault = fault,
                Result = result,
            },
        };

        var validation = new ResilienceOptionsValidator().Validate(null, options);

        Assert.True(validation.Failed);
        Assert.Contains(validation.Failures!, f => f.StartsWith(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void A_disabled_section_may_be_incomplete()
    {
        var options = new ResilienceOptions();
        options.Instances["x"] = new ResilienceInstanceOptions { Chaos = new ChaosOverrides { Enabled = false, Fault = "TimeoutException" } };

        Assert.True(new ResilienceOptionsValidator().Validate(null, options).Succeeded);
    }
}
