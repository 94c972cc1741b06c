using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Resilience;

/// <summary>
/// Fills <see cref="ResilienceOptions"/> from a configuration section with the configuration binder's source generator
/// (the <c>Bind</c> calls below are replaced at compile time by generated code: no reflection, trimming- and AOT-safe).
/// Each strategy section is bound on its own, so one value that does not parse does not hide the others: the binder's message
/// (which names the path and the value) goes to <see cref="ResilienceOptions.ReadErrors"/> for
/// <see cref="ResilienceOptionsValidator"/> to report.
/// </summary>
internal sealed class ResilienceConfigurationReader : IConfigureOptions<ResilienceOptions>
{
    private static readonly Regex FailedConversion = new(
        "^Failed to convert configuration value '(?<value>.*)' at '(?<path>[^']*)' to type '(?<type>[^']*)'",
        RegexOptions.CultureInvariant | RegexOptions.Singleline);

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

            if ((section = instance.GetSection(nameof(ResilienceInstanceOptions.Chaos))).Exists())
            {
                Bind(section, target.Chaos ??= new ChaosOverrides(), options);
            }
        }
    }

    // One method per type: the generator intercepts each Bind call with code for the static type of its argument.
    private static void Bind(IConfigurationSection section, ResilienceLoggingOptions target, ResilienceOptions options)
    {
        try { section.Bind(target); } catch (InvalidOperationException exception) { options.ReadErrors.Add(Explain(exception)); }
    }

    private static void Bind(IConfigurationSection section, CircuitBreakerOverrides target, ResilienceOptions options)
    {
        try { section.Bind(target); } catch (InvalidOperationException exception) { options.ReadErrors.Add(Explain(exception)); }
    }

    private static void Bind(IConfigurationSection section, BulkheadOverrides target, ResilienceOptions options)
    {
        try { section.Bind(target); } catch (InvalidOperationException exception) { options.ReadErrors.Add(Explain(exception)); }
    }

    private static void Bind(IConfigurationSection section, RetryOverrides target, ResilienceOptions options)
    {
        try { section.Bind(target); } catch (InvalidOperationException exception) { options.ReadErrors.Add(Explain(exception)); }
    }

    private static void Bind(IConfigurationSection section, TimeoutOverrides target, ResilienceOptions options)
    {
        try { section.Bind(target); } catch (InvalidOperationException exception) { options.ReadErrors.Add(Explain(exception)); }
    }

    private static void Bind(IConfigurationSection section, RateLimitOverrides target, ResilienceOptions options)
    {
        try { section.Bind(target); } catch (InvalidOperationException exception) { options.ReadErrors.Add(Explain(exception)); }
    }

    private static void Bind(IConfigurationSection section, CacheFallbackOverrides target, ResilienceOptions options)
    {
        try { section.Bind(target); } catch (InvalidOperationException exception) { options.ReadErrors.Add(Explain(exception)); }
    }

    private static void Bind(IConfigurationSection section, ResilienceChaosOptions target, ResilienceOptions options)
    {
        try { section.Bind(target); } catch (InvalidOperationException exception) { options.ReadErrors.Add(Explain(exception)); }
    }

    private static void Bind(IConfigurationSection section, ChaosOverrides target, ResilienceOptions options)
    {
        try { section.Bind(target); } catch (InvalidOperationException exception) { options.ReadErrors.Add(Explain(exception)); }
    }

    /// <summary>
    /// "path: 'value' is not a time span; write it as ..." from the binder's "Failed to convert configuration value
    /// 'value' at 'path' to type 'T'."; the binder's message itself when it has another form.
    /// </summary>
    internal static string Explain(InvalidOperationException exception)
    {
        Match match = FailedConversion.Match(exception.Message);
        if (!match.Success)
        {
            return exception.Message;
        }

        string value = match.Groups["value"].Value;
        string path = match.Groups["path"].Value;
        string what = match.Groups["type"].Value switch
        {
            "System.TimeSpan" => "is not a time span; write it as [d.]hh:mm:ss[.fff], e.g. '00:00:30'.",
            "System.Int32" => "is not a whole number.",
            "System.Double" => "is not a number (use '.' as the decimal point).",
            "Resilience.BackoffType" => "is not a backoff type; write Constant, Linear or Exponential.",
            "System.Boolean" => "is not true or false.",
            "Resilience.RateLimitAlgorithm" => "is not a rate limit algorithm; write TokenBucket, SlidingWindow or FixedWindow.",
            string type => $"is not a valid {type}.",
        };
        return $"{path}: '{value}' {what}";
    }
}
