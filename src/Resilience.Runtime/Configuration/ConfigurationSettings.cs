using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace Resilience;

/// <summary>
/// What each key of a configuration section must hold, checked before the section is bound: a value that does not
/// parse is reported by its path, in words that say what to write, and left out of the binding, so that the section's
/// other values are still bound and validated (every problem is reported at once; the options fail validation anyway). The configuration binder's own exception messages are never parsed, so a localized or reworded runtime
/// cannot change what is found. The tables parse exactly as the binder does (invariant culture; enums by name, case
/// insensitive; an empty value is left to the binder, which skips it). A test compares every table with the public
/// settable properties of the type it describes.
/// </summary>
internal sealed class ConfigurationSettings
{
    private readonly Dictionary<string, Setting> _settings;

    private ConfigurationSettings(params Setting[] settings)
        => _settings = settings.ToDictionary(s => s.Key, StringComparer.OrdinalIgnoreCase);

    /// <summary>The keys and what each must hold (for the test that keeps the tables in step with the types).</summary>
    internal IEnumerable<(string Key, SettingKind Kind)> Keys => _settings.Values.Select(s => (s.Key, s.Kind));

    internal static ConfigurationSettings Logging { get; } = new(new Setting("IncludeArgumentValues", SettingKind.Boolean));

    internal static ConfigurationSettings CircuitBreaker { get; } = new(
        new("FailureThreshold", SettingKind.Integer),
        new("FailureRatio", SettingKind.Number),
        new("TimeoutRatio", SettingKind.Number),
        new("MinimumThroughput", SettingKind.Integer),
        new("SamplingDuration", SettingKind.TimeSpan),
        new("BreakDuration", SettingKind.TimeSpan),
        new("HalfOpenMaxCalls", SettingKind.Integer),
        new("MaxKeys", SettingKind.Integer),
        new("KeyIdleTimeout", SettingKind.TimeSpan),
        new("SuccessThreshold", SettingKind.Integer),
        new("Interval", SettingKind.TimeSpan));

    internal static ConfigurationSettings Bulkhead { get; } = new(
        new("MaxConcurrency", SettingKind.Integer),
        new("MaxQueue", SettingKind.Integer),
        new("MaxWait", SettingKind.TimeSpan));

    internal static ConfigurationSettings Retry { get; } = new(
        new("MaxRetries", SettingKind.Integer),
        new("Delay", SettingKind.TimeSpan),
        new("MaxDelay", SettingKind.TimeSpan),
        new("Backoff", SettingKind.Backoff),
        new("Multiplier", SettingKind.Number),
        new("Jitter", SettingKind.Number),
        new("AttemptTimeout", SettingKind.TimeSpan));

    internal static ConfigurationSettings Timeout { get; } = new(new Setting("Timeout", SettingKind.TimeSpan));

    internal static ConfigurationSettings RateLimit { get; } = new(
        new("PermitLimit", SettingKind.Integer),
        new("Window", SettingKind.TimeSpan),
        new("Algorithm", SettingKind.RateLimitAlgorithm),
        new("SegmentsPerWindow", SettingKind.Integer),
        new("QueueLimit", SettingKind.Integer),
        new("MaxKeys", SettingKind.Integer),
        new("KeyIdleTimeout", SettingKind.TimeSpan));

    internal static ConfigurationSettings CacheFallback { get; } = new(
        new("Ttl", SettingKind.TimeSpan),
        new("StaleTtl", SettingKind.TimeSpan));

    internal static ConfigurationSettings Hedge { get; } = new(
        new("Delay", SettingKind.TimeSpan),
        new("MaxHedges", SettingKind.Integer),
        new("OnFailure", SettingKind.Boolean));

    internal static ConfigurationSettings RetryBudget { get; } = new(
        new("Ratio", SettingKind.Number),
        new("MinRetriesPerSecond", SettingKind.Integer),
        new("Window", SettingKind.TimeSpan));

    internal static ConfigurationSettings ChaosSwitch { get; } = new(new Setting("Enabled", SettingKind.Boolean));

    internal static ConfigurationSettings Chaos { get; } = new(
        new("Enabled", SettingKind.Boolean),
        new("InjectionRate", SettingKind.Number),
        new("Fault", SettingKind.Text),
        new("FaultMessage", SettingKind.Text),
        new("Latency", SettingKind.TimeSpan),
        new("Result", SettingKind.Text));

    /// <summary>
    /// Adds one error per value of <paramref name="section"/> that does not parse as its key requires, and returns the
    /// section to bind: <paramref name="section"/> itself when every value parses, else a copy without the values that
    /// do not. Keys the table does not know are left to the binder, which ignores them.
    /// </summary>
    internal IConfiguration Check(IConfigurationSection section, List<string> errors)
    {
        List<IConfigurationSection>? bad = null;
        foreach (IConfigurationSection child in section.GetChildren())
        {
            if (child.Value is not { Length: > 0 } value || !_settings.TryGetValue(child.Key, out Setting? setting) || Parses(setting.Kind, value))
            {
                continue;
            }

            errors.Add($"{child.Path}: '{value}' {Expected(setting.Kind)}");
            (bad ??= []).Add(child);
        }

        if (bad is null)
        {
            return section;
        }

        var good = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (KeyValuePair<string, string?> pair in section.AsEnumerable(makePathsRelative: true))
        {
            if (pair.Value is not null && !bad.Exists(b => pair.Key.Equals(b.Key, StringComparison.OrdinalIgnoreCase)))
            {
                good[pair.Key] = pair.Value;
            }
        }

        return new ConfigurationBuilder().AddInMemoryCollection(good).Build();
    }

    /// <summary>Whether <paramref name="value"/> parses the way the configuration binder parses a <paramref name="kind"/>.</summary>
    internal static bool Parses(SettingKind kind, string value) => kind switch
    {
        SettingKind.Integer => int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out _),
        SettingKind.Number => double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out _),
        SettingKind.Boolean => bool.TryParse(value, out _),
        SettingKind.TimeSpan => TimeSpan.TryParse(value, CultureInfo.InvariantCulture, out _),
        SettingKind.Backoff => Enum.TryParse<BackoffType>(value, ignoreCase: true, out _),
        SettingKind.RateLimitAlgorithm => Enum.TryParse<RateLimitAlgorithm>(value, ignoreCase: true, out _),
        _ => true,
    };

    /// <summary>What to write instead, in words.</summary>
    internal static string Expected(SettingKind kind) => kind switch
    {
        SettingKind.Integer => "is not a whole number.",
        SettingKind.Number => "is not a number (use '.' as the decimal point).",
        SettingKind.Boolean => "is not true or false.",
        SettingKind.TimeSpan => "is not a time span; write it as [d.]hh:mm:ss[.fff], e.g. '00:00:30'.",
        SettingKind.Backoff => $"is not a backoff type; write {OneOf(Enum.GetNames<BackoffType>())}.",
        SettingKind.RateLimitAlgorithm => $"is not a rate limit algorithm; write {OneOf(Enum.GetNames<RateLimitAlgorithm>())}.",
        _ => "is not valid.",
    };

    private static string OneOf(string[] names)
        => names.Length == 1 ? names[0] : string.Join(", ", names[..^1]) + " or " + names[^1];

    private sealed record Setting(string Key, SettingKind Kind);
}

/// <summary>What a configuration value must parse as.</summary>
internal enum SettingKind
{
    /// <summary>An <see cref="int"/>.</summary>
    Integer,

    /// <summary>A <see cref="double"/>.</summary>
    Number,

    /// <summary>A <see cref="bool"/>.</summary>
    Boolean,

    /// <summary>A <see cref="System.TimeSpan"/>.</summary>
    TimeSpan,

    /// <summary>A <see cref="BackoffType"/> name.</summary>
    Backoff,

    /// <summary>A <see cref="Resilience.RateLimitAlgorithm"/> name.</summary>
    RateLimitAlgorithm,

    /// <summary>Any text (checked, if at all, by validation).</summary>
    Text,
}
