using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Resilience;

/// <summary>
/// Fills <see cref="ResilienceOptions"/> from a configuration section with the configuration binder's source generator
/// (the <c>Bind</c> calls below are replaced at compile time by generated code: no reflection, trimming- and AOT-safe).
/// Each strategy section is checked (<see cref="ConfigurationSettings"/>) and bound on its own, so one value that does
/// not parse does not hide the others: its path, its value and what to write instead go to
/// <see cref="ResilienceOptions.ReadErrors"/> for <see cref="ResilienceOptionsValidator"/> to report, and the section's
/// other values are bound (and validated) without it. Should the binder still reject a value the tables passed, its own
/// message is reported as it is.
/// </summary>
internal sealed class ResilienceConfigurationReader : IConfigureOptions<ResilienceOptions>
{
    private readonly IConfiguration _configuration;

    public ResilienceConfigurationReader(IConfiguration configuration) => _configuration = configuration;

    public void Configure(ResilienceOptions options)
    {
        IConfigurationSection logging = _configuration.GetSection(nameof(ResilienceOptions.Logging));
        if (logging.Exists())
        {
            Bind(logging, options.Logging, options);
        }

        IConfigurationSection chaos = _configuration.GetSection(nameof(ResilienceOptions.Chaos));
        if (chaos.Exists())
        {
            Bind(chaos, options.Chaos, options);
        }

        foreach (IConfigurationSection instance in _configuration.GetSection("Instances").GetChildren())
        {
            if (!options.Instances.TryGetValue(instance.Key, out ResilienceInstanceOptions? target))
            {
                target = new ResilienceInstanceOptions();
                options.Instances[instance.Key] = target;
            }

            // One section at a time, into the existing objects: a value that does not parse stops only its section.
            IConfigurationSection section = instance.GetSection(nameof(ResilienceInstanceOptions.CircuitBreaker));
            if (section.Exists())
            {
                Bind(section, target.CircuitBreaker ??= new CircuitBreakerOverrides(), options);
            }

            if ((section = instance.GetSection(nameof(ResilienceInstanceOptions.Bulkhead))).Exists())
            {
                Bind(section, target.Bulkhead ??= new BulkheadOverrides(), options);
            }

            if ((section = instance.GetSection(nameof(ResilienceInstanceOptions.Retry))).Exists())
            {
                Bind(section, target.Retry ??= new RetryOverrides(), options);
            }

            if ((section = instance.GetSection(nameof(ResilienceInstanceOptions.Timeout))).Exists())
            {
                Bind(section, target.Timeout ??= new TimeoutOverrides(), options);
            }

            if ((section = instance.GetSection(nameof(ResilienceInstanceOptions.RateLimit))).Exists())
            {
                Bind(section, target.RateLimit ??= new RateLimitOverrides(), options);
            }

            if ((section = instance.GetSection(nameof(ResilienceInstanceOptions.CacheFallback))).Exists())
            {
                Bind(section, target.CacheFallback ??= new CacheFallbackOverrides(), options);
            }

            if ((section = instance.GetSection(nameof(ResilienceInstanceOptions.Hedge))).Exists())
            {
                Bind(section, target.Hedge ??= new HedgeOverrides(), options);
            }

            if ((section = instance.GetSection(nameof(ResilienceInstanceOptions.Chaos))).Exists())
            {
                Bind(section, target.Chaos ??= new ChaosOverrides(), options);
            }
        }

        foreach (IConfigurationSection budget in _configuration.GetSection(nameof(ResilienceOptions.RetryBudgets)).GetChildren())
        {
            if (!options.RetryBudgets.TryGetValue(budget.Key, out RetryBudgetOptions? target))
            {
                target = new RetryBudgetOptions();
                options.RetryBudgets[budget.Key] = target;
            }

            Bind(budget, target, options);
        }
    }

    // One method per type: the generator intercepts each Bind call with code for the static type of its argument.
    private static void Bind(IConfigurationSection section, ResilienceLoggingOptions target, ResilienceOptions options)
    {
        IConfiguration valid = ConfigurationSettings.Logging.Check(section, options.ReadErrors);
        try { valid.Bind(target); } catch (InvalidOperationException exception) { options.ReadErrors.Add(exception.Message); }
    }

    private static void Bind(IConfigurationSection section, CircuitBreakerOverrides target, ResilienceOptions options)
    {
        IConfiguration valid = ConfigurationSettings.CircuitBreaker.Check(section, options.ReadErrors);
        try { valid.Bind(target); } catch (InvalidOperationException exception) { options.ReadErrors.Add(exception.Message); }
    }

    private static void Bind(IConfigurationSection section, BulkheadOverrides target, ResilienceOptions options)
    {
        IConfiguration valid = ConfigurationSettings.Bulkhead.Check(section, options.ReadErrors);
        try { valid.Bind(target); } catch (InvalidOperationException exception) { options.ReadErrors.Add(exception.Message); }
    }

    private static void Bind(IConfigurationSection section, RetryOverrides target, ResilienceOptions options)
    {
        IConfiguration valid = ConfigurationSettings.Retry.Check(section, options.ReadErrors);
        try { valid.Bind(target); } catch (InvalidOperationException exception) { options.ReadErrors.Add(exception.Message); }
    }

    private static void Bind(IConfigurationSection section, TimeoutOverrides target, ResilienceOptions options)
    {
        IConfiguration valid = ConfigurationSettings.Timeout.Check(section, options.ReadErrors);
        try { valid.Bind(target); } catch (InvalidOperationException exception) { options.ReadErrors.Add(exception.Message); }
    }

    private static void Bind(IConfigurationSection section, RateLimitOverrides target, ResilienceOptions options)
    {
        IConfiguration valid = ConfigurationSettings.RateLimit.Check(section, options.ReadErrors);
        try { valid.Bind(target); } catch (InvalidOperationException exception) { options.ReadErrors.Add(exception.Message); }
    }

    private static void Bind(IConfigurationSection section, CacheFallbackOverrides target, ResilienceOptions options)
    {
        IConfiguration valid = ConfigurationSettings.CacheFallback.Check(section, options.ReadErrors);
        try { valid.Bind(target); } catch (InvalidOperationException exception) { options.ReadErrors.Add(exception.Message); }
    }

    private static void Bind(IConfigurationSection section, ResilienceChaosOptions target, ResilienceOptions options)
    {
        IConfiguration valid = ConfigurationSettings.ChaosSwitch.Check(section, options.ReadErrors);
        try { valid.Bind(target); } catch (InvalidOperationException exception) { options.ReadErrors.Add(exception.Message); }
    }

    private static void Bind(IConfigurationSection section, ChaosOverrides target, ResilienceOptions options)
    {
        IConfiguration valid = ConfigurationSettings.Chaos.Check(section, options.ReadErrors);
        try { valid.Bind(target); } catch (InvalidOperationException exception) { options.ReadErrors.Add(exception.Message); }
    }

    private static void Bind(IConfigurationSection section, HedgeOverrides target, ResilienceOptions options)
    {
        IConfiguration valid = ConfigurationSettings.Hedge.Check(section, options.ReadErrors);
        try { valid.Bind(target); } catch (InvalidOperationException exception) { options.ReadErrors.Add(exception.Message); }
    }

    private static void Bind(IConfigurationSection section, RetryBudgetOptions target, ResilienceOptions options)
    {
        IConfiguration valid = ConfigurationSettings.RetryBudget.Check(section, options.ReadErrors);
        try { valid.Bind(target); } catch (InvalidOperationException exception) { options.ReadErrors.Add(exception.Message); }
    }
}
