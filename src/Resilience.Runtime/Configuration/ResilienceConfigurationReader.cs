using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Resilience;

/// <summary>
/// Fills <see cref="ResilienceOptions"/> from a configuration section without reflection (trimming- and AOT-safe).
/// Values that do not parse are collected in <see cref="ResilienceOptions.ReadErrors"/> for
/// <see cref="ResilienceOptionsValidator"/> to report with their paths.
/// </summary>
internal sealed class ResilienceConfigurationReader : IConfigureOptions<ResilienceOptions>
{
    private readonly IConfiguration _configuration;

    public ResilienceConfigurationReader(IConfiguration configuration) => _configuration = configuration;

    public void Configure(ResilienceOptions options)
    {
        foreach (IConfigurationSection instance in _configuration.GetSection("Instances").GetChildren())
        {
            if (!options.Instances.TryGetValue(instance.Key, out ResilienceInstanceOptions? target))
            {
                target = new ResilienceInstanceOptions();
                options.Instances[instance.Key] = target;
            }

            IConfigurationSection breaker = instance.GetSection("CircuitBreaker");
            if (breaker.Exists())
            {
                CircuitBreakerOverrides o = target.CircuitBreaker ??= new CircuitBreakerOverrides();
                o.FailureThreshold = Int(breaker, "FailureThreshold", options) ?? o.FailureThreshold;
                o.FailureRatio = Double(breaker, "FailureRatio", options) ?? o.FailureRatio;
                o.TimeoutRatio = Double(breaker, "TimeoutRatio", options) ?? o.TimeoutRatio;
                o.MinimumThroughput = Int(breaker, "MinimumThroughput", options) ?? o.MinimumThroughput;
                o.SamplingDuration = Duration(breaker, "SamplingDuration", options) ?? o.SamplingDuration;
                o.BreakDuration = Duration(breaker, "BreakDuration", options) ?? o.BreakDuration;
                o.HalfOpenMaxCalls = Int(breaker, "HalfOpenMaxCalls", options) ?? o.HalfOpenMaxCalls;
                o.MaxKeys = Int(breaker, "MaxKeys", options) ?? o.MaxKeys;
                o.KeyIdleTimeout = Duration(breaker, "KeyIdleTimeout", options) ?? o.KeyIdleTimeout;
            }

            IConfigurationSection bulkhead = instance.GetSection("Bulkhead");
            if (bulkhead.Exists())
            {
                BulkheadOverrides o = target.Bulkhead ??= new BulkheadOverrides();
                o.MaxConcurrency = Int(bulkhead, "MaxConcurrency", options) ?? o.MaxConcurrency;
                o.MaxQueue = Int(bulkhead, "MaxQueue", options) ?? o.MaxQueue;
            }
        }
    }

    private static int? Int(IConfigurationSection section, string key, ResilienceOptions options)
    {
        IConfigurationSection value = section.GetSection(key);
        if (string.IsNullOrEmpty(value.Value))
        {
            return null;
        }

        if (int.TryParse(value.Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out int result))
        {
            return result;
        }

        options.ReadErrors.Add($"{value.Path}: '{value.Value}' is not a whole number.");
        return null;
    }

    private static double? Double(IConfigurationSection section, string key, ResilienceOptions options)
    {
        IConfigurationSection value = section.GetSection(key);
        if (string.IsNullOrEmpty(value.Value))
        {
            return null;
        }

        if (double.TryParse(value.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out double result))
        {
            return result;
        }

        options.ReadErrors.Add($"{value.Path}: '{value.Value}' is not a number (use '.' as the decimal point).");
        return null;
    }

    private static TimeSpan? Duration(IConfigurationSection section, string key, ResilienceOptions options)
    {
        IConfigurationSection value = section.GetSection(key);
        if (string.IsNullOrEmpty(value.Value))
        {
            return null;
        }

        if (TimeSpan.TryParse(value.Value, CultureInfo.InvariantCulture, out TimeSpan result))
        {
            return result;
        }

        options.ReadErrors.Add($"{value.Path}: '{value.Value}' is not a time span; write it as [d.]hh:mm:ss[.fff], e.g. '00:00:30'.");
        return null;
    }
}
