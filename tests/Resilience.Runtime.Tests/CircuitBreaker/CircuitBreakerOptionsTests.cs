using System.Globalization;
using Microsoft.Extensions.Time.Testing;

namespace Resilience.Runtime.Tests.CircuitBreaker;

using CircuitBreaker = global::Resilience.CircuitBreaker;

public sealed class CircuitBreakerOptionsTests
{
    [Theory]
    [InlineData("FailureThreshold", "0", "FailureThreshold must be at least 1; got 0.")]
    [InlineData("FailureThreshold", "-3", "FailureThreshold must be at least 1; got -3.")]
    [InlineData("FailureRatio", "1.5", "FailureRatio must be 0 (off) or in (0, 1]; got 1.5.")]
    [InlineData("FailureRatio", "-0.1", "FailureRatio must be 0 (off) or in (0, 1]; got -0.1.")]
    [InlineData("FailureRatio", "NaN", "FailureRatio must be 0 (off) or in (0, 1]; got NaN.")]
    [InlineData("TimeoutRatio", "2", "TimeoutRatio must be 0 (off) or in (0, 1]; got 2.")]
    [InlineData("MinimumThroughput", "0", "MinimumThroughput must be at least 1; got 0.")]
    [InlineData("SamplingDuration", "00:00:00", "SamplingDuration must be positive and finite; got 00:00:00.")]
    [InlineData("SamplingDuration", "-00:00:01", "SamplingDuration must be positive and finite; got -00:00:01.")]
    [InlineData("BreakDuration", "00:00:00", "BreakDuration must be positive and finite; got 00:00:00.")]
    [InlineData("BreakDuration", "max", "BreakDuration must be positive and finite; got 10675199.02:48:05.4775807.")]
    [InlineData("BreakDuration", "infinite", "BreakDuration must be positive and finite; got -00:00:00.0010000.")]
    [InlineData("HalfOpenMaxCalls", "0", "HalfOpenMaxCalls must be at least 1; got 0.")]
    [InlineData("MaxKeys", "0", "MaxKeys must be at least 1; got 0.")]
    [InlineData("KeyIdleTimeout", "00:00:00", "KeyIdleTimeout must be positive and finite; got 00:00:00.")]
    public void Validate_RejectsOutOfRangeSettings_NamingTheSettingAndTheValue(string setting, string value, string message)
    {
        var options = new CircuitBreakerOptions();
        Set(options, setting, value);

        ArgumentOutOfRangeException error = Assert.Throws<ArgumentOutOfRangeException>(options.Validate);

        Assert.Equal(setting, error.ParamName);
        Assert.StartsWith(message, error.Message, StringComparison.Ordinal);
        // The breaker validates its options on construction.
        Assert.Throws<ArgumentOutOfRangeException>(() => new CircuitBreaker("b", options, new FakeTimeProvider()));
    }

    public static TheoryData<Type?[], string> InvalidHandles => new()
    {
        { [], "Handle must list at least one exception type, or be null to count every exception." },
        { [typeof(IOException), null], "Handle[1] is null; list exception types only." },
        { [typeof(string)], "Handle[0] (System.String) does not derive from System.Exception; list exception types only." },
    };

    [Theory]
    [MemberData(nameof(InvalidHandles))]
    public void Validate_RejectsHandleEntriesThatAreNotExceptionTypes(Type?[] handle, string message)
    {
        var options = new CircuitBreakerOptions { Handle = handle! };

        ArgumentException error = Assert.Throws<ArgumentException>(options.Validate);

        Assert.Equal("Handle", error.ParamName);
        Assert.StartsWith(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_AcceptsDefaultsAndBoundaryValues()
    {
        new CircuitBreakerOptions().Validate();
        new CircuitBreakerOptions
        {
            FailureThreshold = 1,
            FailureRatio = 1,
            TimeoutRatio = double.Epsilon,
            MinimumThroughput = 1,
            SamplingDuration = TimeSpan.FromTicks(1),
            BreakDuration = TimeSpan.FromTicks(1),
            HalfOpenMaxCalls = 1,
            Handle = [typeof(Exception)],
        }.Validate();
    }

    [Fact]
    public void Constructor_RejectsNullNameAndOptions()
    {
        Assert.Equal("name", Assert.Throws<ArgumentNullException>(() => new CircuitBreaker(null!, new CircuitBreakerOptions())).ParamName);
        Assert.Equal("options", Assert.Throws<ArgumentNullException>(() => new CircuitBreaker("b", null!)).ParamName);
    }

    [Fact]
    public void Constructor_CopiesTheSettings_LaterChangesToTheOptionsDoNotAffectTheBreaker()
    {
        var options = new CircuitBreakerOptions { FailureThreshold = 2, Handle = [typeof(IOException)] };
        var breaker = new CircuitBreaker("b", options, new FakeTimeProvider());

        options.FailureThreshold = 100;
        options.Handle = null;

        Assert.False(breaker.ShouldHandle(new InvalidOperationException()));
        for (int i = 0; i < 2; i++)
        {
            breaker.Acquire().RecordFailure();
        }

        Assert.Equal(CircuitState.Open, breaker.State);
    }

    [Fact]
    public void CreateTripPolicy_ByDefault_IsConsecutiveFailuresOfTheThreshold()
    {
        ITripPolicy policy = new CircuitBreakerOptions { FailureThreshold = 7 }.CreateTripPolicy();

        Assert.Equal(7, Assert.IsType<ConsecutiveFailuresTripPolicy>(policy).Threshold);
    }

    [Fact]
    public void CreateTripPolicy_WithRatios_BuildsTheRatioPolicies()
    {
        var failure = Assert.IsType<FailureRatioTripPolicy>(
            new CircuitBreakerOptions { FailureRatio = 0.4, MinimumThroughput = 20 }.CreateTripPolicy());
        Assert.Equal(0.4, failure.Ratio);
        Assert.Equal(20, failure.MinimumThroughput);

        var timeout = Assert.IsType<TimeoutRatioTripPolicy>(
            new CircuitBreakerOptions { TimeoutRatio = 0.2, MinimumThroughput = 5 }.CreateTripPolicy());
        Assert.Equal(0.2, timeout.Ratio);
        Assert.Equal(5, timeout.MinimumThroughput);

        ITripPolicy both = new CircuitBreakerOptions { FailureRatio = 0.5, TimeoutRatio = 0.25, MinimumThroughput = 4 }.CreateTripPolicy();
        Assert.False(both.ShouldTrip(new CircuitCounts { Requests = 4, Successes = 3, Failures = 1 }));
        Assert.True(both.ShouldTrip(new CircuitCounts { Requests = 4, Successes = 3, Failures = 1, Timeouts = 1 }));
        Assert.True(both.ShouldTrip(new CircuitCounts { Requests = 4, Successes = 2, Failures = 2 }));
    }

    [Fact]
    public void CreateTripPolicy_ReturnsTheCustomPolicy_OverridingEverythingElse()
    {
        var custom = new NeverTrip();

        Assert.Same(custom, new CircuitBreakerOptions { TripPolicy = custom, FailureRatio = 0.5 }.CreateTripPolicy());
    }

    [Fact]
    public void Equals_ComparesAllSettingsByValue()
    {
        CircuitBreakerOptions a = Full(), b = Full();

        Assert.Equal(a, b);
        Assert.True(a.Equals((object)b));
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.Equal(new CircuitBreakerOptions(), new CircuitBreakerOptions());
        Assert.False(a.Equals(null));
    }

    [Theory]
    [InlineData("FailureThreshold")]
    [InlineData("FailureRatio")]
    [InlineData("TimeoutRatio")]
    [InlineData("MinimumThroughput")]
    [InlineData("SamplingDuration")]
    [InlineData("BreakDuration")]
    [InlineData("HalfOpenMaxCalls")]
    [InlineData("MaxKeys")]
    [InlineData("KeyIdleTimeout")]
    [InlineData("Handle.Order")]
    [InlineData("Handle.Null")]
    [InlineData("TripPolicy.Type")]
    [InlineData("TripPolicy.Null")]
    [InlineData("TripPolicy.BuiltInSettings")]
    public void Equals_IsFalse_WhenAnySettingDiffers(string setting)
    {
        CircuitBreakerOptions a = Full(), b = Full();
        switch (setting)
        {
            case "FailureThreshold": b.FailureThreshold++; break;
            case "FailureRatio": b.FailureRatio = 0.75; break;
            case "TimeoutRatio": b.TimeoutRatio = 0.75; break;
            case "MinimumThroughput": b.MinimumThroughput++; break;
            case "SamplingDuration": b.SamplingDuration += TimeSpan.FromMilliseconds(1); break;
            case "BreakDuration": b.BreakDuration += TimeSpan.FromMilliseconds(1); break;
            case "HalfOpenMaxCalls": b.HalfOpenMaxCalls++; break;
            case "MaxKeys": b.MaxKeys++; break;
            case "KeyIdleTimeout": b.KeyIdleTimeout += TimeSpan.FromMilliseconds(1); break;
            case "Handle.Order": b.Handle = [typeof(TimeoutException), typeof(IOException)]; break;
            case "Handle.Null": b.Handle = null; break;
            case "TripPolicy.Type": b.TripPolicy = new AlwaysTrip(); break;
            case "TripPolicy.Null": b.TripPolicy = null; break;
            default:
                a.TripPolicy = new ConsecutiveFailuresTripPolicy(3);
                b.TripPolicy = new ConsecutiveFailuresTripPolicy(4);
                break;
        }

        Assert.NotEqual(a, b);
        Assert.NotEqual(b, a);
    }

    [Fact]
    public void Equals_TreatsCustomPoliciesOfTheSameTypeAsEqual_AndBuiltInOnesBySettings()
    {
        Assert.Equal(
            new CircuitBreakerOptions { TripPolicy = new ConsecutiveFailuresTripPolicy(3) },
            new CircuitBreakerOptions { TripPolicy = new ConsecutiveFailuresTripPolicy(3) });
        Assert.Equal(
            new CircuitBreakerOptions { TripPolicy = new FailureRatioTripPolicy(0.5, 4) },
            new CircuitBreakerOptions { TripPolicy = new FailureRatioTripPolicy(0.5, 4) });
        Assert.NotEqual(
            new CircuitBreakerOptions { TripPolicy = new TimeoutRatioTripPolicy(0.5, 4) },
            new CircuitBreakerOptions { TripPolicy = new TimeoutRatioTripPolicy(0.5, 5) });
    }

    private static CircuitBreakerOptions Full() => new()
    {
        FailureThreshold = 3,
        FailureRatio = 0.5,
        TimeoutRatio = 0.25,
        MinimumThroughput = 20,
        SamplingDuration = TimeSpan.FromSeconds(60),
        BreakDuration = TimeSpan.FromSeconds(15),
        HalfOpenMaxCalls = 2,
        Handle = [typeof(IOException), typeof(TimeoutException)],
        TripPolicy = new NeverTrip(), // a new instance each time, as generated code creates one per proxy
    };

    private static void Set(CircuitBreakerOptions options, string setting, string value)
    {
        TimeSpan Duration() => value switch
        {
            "max" => TimeSpan.MaxValue,
            "infinite" => System.Threading.Timeout.InfiniteTimeSpan,
            _ => TimeSpan.Parse(value, CultureInfo.InvariantCulture),
        };

        switch (setting)
        {
            case "FailureThreshold": options.FailureThreshold = int.Parse(value, CultureInfo.InvariantCulture); break;
            case "FailureRatio": options.FailureRatio = double.Parse(value, CultureInfo.InvariantCulture); break;
            case "TimeoutRatio": options.TimeoutRatio = double.Parse(value, CultureInfo.InvariantCulture); break;
            case "MinimumThroughput": options.MinimumThroughput = int.Parse(value, CultureInfo.InvariantCulture); break;
            case "SamplingDuration": options.SamplingDuration = Duration(); break;
            case "BreakDuration": options.BreakDuration = Duration(); break;
            case "HalfOpenMaxCalls": options.HalfOpenMaxCalls = int.Parse(value, CultureInfo.InvariantCulture); break;
            case "MaxKeys": options.MaxKeys = int.Parse(value, CultureInfo.InvariantCulture); break;
            case "KeyIdleTimeout": options.KeyIdleTimeout = Duration(); break;
            default: throw new ArgumentOutOfRangeException(nameof(setting), setting, "Unknown setting.");
        }
    }

    private sealed class NeverTrip : ITripPolicy
    {
        public bool ShouldTrip(in CircuitCounts counts) => false;
    }

    private sealed class AlwaysTrip : ITripPolicy
    {
        public bool ShouldTrip(in CircuitCounts counts) => true;
    }
}
