using System.Globalization;
using System.Reflection;
using Microsoft.Extensions.Configuration;

namespace Resilience.Runtime.Tests.Configuration;

/// <summary>
/// The configuration checks: every table matches the properties of the type it describes, each check parses exactly as
/// the configuration binder does, and a bad value is reported by path whatever the runtime's culture.
/// </summary>
public sealed class ConfigurationSettingsTests
{
    public static TheoryData<string, Type> Tables => new()
    {
        { nameof(ConfigurationSettings.Logging), typeof(ResilienceLoggingOptions) },
        { nameof(ConfigurationSettings.CircuitBreaker), typeof(CircuitBreakerOverrides) },
        { nameof(ConfigurationSettings.Bulkhead), typeof(BulkheadOverrides) },
        { nameof(ConfigurationSettings.Retry), typeof(RetryOverrides) },
        { nameof(ConfigurationSettings.Timeout), typeof(TimeoutOverrides) },
        { nameof(ConfigurationSettings.RateLimit), typeof(RateLimitOverrides) },
        { nameof(ConfigurationSettings.CacheFallback), typeof(CacheFallbackOverrides) },
        { nameof(ConfigurationSettings.Hedge), typeof(HedgeOverrides) },
        { nameof(ConfigurationSettings.RetryBudget), typeof(RetryBudgetOptions) },
        { nameof(ConfigurationSettings.ChaosSwitch), typeof(ResilienceChaosOptions) },
        { nameof(ConfigurationSettings.Chaos), typeof(ChaosOverrides) },
    };

    [Theory]
    [MemberData(nameof(Tables))]
    public void Each_table_lists_every_settable_property_of_its_type_with_the_kind_of_its_type(string table, Type type)
    {
        var settings = (ConfigurationSettings)typeof(ConfigurationSettings).GetProperty(table, BindingFlags.NonPublic | BindingFlags.Static)!.GetValue(null)!;
        var expected = type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.SetMethod is { IsPublic: true })
            .Select(p => (p.Name, KindOf(Nullable.GetUnderlyingType(p.PropertyType) ?? p.PropertyType)))
            .OrderBy(p => p.Name, StringComparer.Ordinal);
        Assert.Equal(expected, settings.Keys.OrderBy(k => k.Key, StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("00:00:30", true)]
    [InlineData("1.02:03:04.5", true)]
    [InlineData("30", true)] // the binder reads a bare number as days, as TimeSpan.Parse does
    [InlineData("soon", false)]
    [InlineData("00:00:60", false)]
    public void A_time_span_parses_as_the_binder_parses_it(string value, bool parses)
    {
        Assert.Equal(parses, ConfigurationSettings.Parses(SettingKind.TimeSpan, value));
        Assert.Equal(parses, BinderAccepts<TimeSpanHolder>(value));
    }

    [Theory]
    [InlineData("12", true)]
    [InlineData("-3", true)]
    [InlineData("1.5", false)]
    [InlineData("lots", false)]
    [InlineData("99999999999", false)]
    public void A_whole_number_parses_as_the_binder_parses_it(string value, bool parses)
    {
        Assert.Equal(parses, ConfigurationSettings.Parses(SettingKind.Integer, value));
        Assert.Equal(parses, BinderAccepts<IntHolder>(value));
    }

    [Theory]
    [InlineData("0.5", true)]
    [InlineData("1e-3", true)]
    [InlineData("0,5", false)] // a comma is not a decimal point, whatever the culture
    [InlineData("half", false)]
    public void A_number_parses_as_the_binder_parses_it(string value, bool parses)
    {
        Assert.Equal(parses, ConfigurationSettings.Parses(SettingKind.Number, value));
        Assert.Equal(parses, BinderAccepts<DoubleHolder>(value));
    }

    [Theory]
    [InlineData("linear", true)]
    [InlineData("Exponential", true)]
    [InlineData("Quadratic", false)]
    public void A_backoff_parses_by_name_ignoring_case(string value, bool parses)
    {
        Assert.Equal(parses, ConfigurationSettings.Parses(SettingKind.Backoff, value));
        Assert.Equal(parses, BinderAccepts<BackoffHolder>(value));
    }

    [Fact]
    public void A_bad_value_is_reported_by_path_and_left_out_while_the_rest_of_its_section_is_bound_in_any_culture()
    {
        CultureInfo saved = CultureInfo.CurrentCulture, savedUi = CultureInfo.CurrentUICulture;
        try
        {
            // A culture whose decimal separator is ',' and whose messages would be German if the runtime had them.
            CultureInfo.CurrentCulture = CultureInfo.CurrentUICulture = CultureInfo.GetCultureInfo("de-DE");
            IConfiguration configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Instances:a:CircuitBreaker:FailureThreshold"] = "7",
                ["Instances:a:CircuitBreaker:BreakDuration"] = "soon",
                ["Instances:a:Retry:MaxRetries"] = "4",
                ["Instances:a:Retry:Jitter"] = "0.25",
            }).Build();
            var options = new ResilienceOptions();
            new ResilienceConfigurationReader(configuration).Configure(options);

            Assert.Equal(["Instances:a:CircuitBreaker:BreakDuration: 'soon' is not a time span; write it as [d.]hh:mm:ss[.fff], e.g. '00:00:30'."], options.ReadErrors);
            Assert.Null(options.Instances["a"].CircuitBreaker!.BreakDuration);
            Assert.Equal(7, options.Instances["a"].CircuitBreaker!.FailureThreshold); // the rest of the section is bound
            Assert.Equal(4, options.Instances["a"].Retry!.MaxRetries); // and the other sections
            Assert.Equal(0.25, options.Instances["a"].Retry!.Jitter);
        }
        finally
        {
            CultureInfo.CurrentCulture = saved;
            CultureInfo.CurrentUICulture = savedUi;
        }
    }

    [Fact]
    public void An_options_exception_is_described_without_the_runtimes_suffixes_in_any_culture()
    {
        CultureInfo saved = CultureInfo.CurrentCulture, savedUi = CultureInfo.CurrentUICulture;
        try
        {
            foreach (string culture in new[] { "en-US", "de-DE", "ja-JP" })
            {
                CultureInfo.CurrentCulture = CultureInfo.CurrentUICulture = CultureInfo.GetCultureInfo(culture);

                Assert.Equal("MaxQueue must be zero or more.", ResilienceOptionsValidator.Describe(new ArgumentException("MaxQueue must be zero or more.", "MaxQueue")));
                Assert.Equal("Ratio must be from 0 to 1.", ResilienceOptionsValidator.Describe(new ArgumentOutOfRangeException("Ratio", 1.5, "Ratio must be from 0 to 1.")));
                Assert.Equal("Window must be positive.", ResilienceOptionsValidator.Describe(new ArgumentOutOfRangeException("Window", "Window must be positive.")));
                Assert.Equal("Name is required.", ResilienceOptionsValidator.Describe(new ArgumentNullException("Name", "Name is required.")));
                Assert.Equal("No parameter named.", ResilienceOptionsValidator.Describe(new ArgumentException("No parameter named.")));

                // Only the suffix the runtime added goes, not text of the message that looks like it.
                Assert.Equal(
                    "Write 'x' as in (Parameter 'x') only.",
                    ResilienceOptionsValidator.Describe(new ArgumentException("Write 'x' as in (Parameter 'x') only.", "y")));
            }
        }
        finally
        {
            CultureInfo.CurrentCulture = saved;
            CultureInfo.CurrentUICulture = savedUi;
        }
    }

    private static SettingKind KindOf(Type type)
        => type == typeof(int) ? SettingKind.Integer
            : type == typeof(double) ? SettingKind.Number
            : type == typeof(bool) ? SettingKind.Boolean
            : type == typeof(TimeSpan) ? SettingKind.TimeSpan
            : type == typeof(BackoffType) ? SettingKind.Backoff
            : type == typeof(RateLimitAlgorithm) ? SettingKind.RateLimitAlgorithm
            : type == typeof(string) ? SettingKind.Text
            : throw new InvalidOperationException($"No setting kind for {type}: add one to ConfigurationSettings.");

    private static bool BinderAccepts<T>(string value)
        where T : new()
    {
        IConfiguration configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Value"] = value }).Build();
        try
        {
            configuration.Bind(new T());
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    private sealed class TimeSpanHolder
    {
        public TimeSpan? Value { get; set; }
    }

    private sealed class IntHolder
    {
        public int? Value { get; set; }
    }

    private sealed class DoubleHolder
    {
        public double? Value { get; set; }
    }

    private sealed class BackoffHolder
    {
        public BackoffType? Value { get; set; }
    }
}
