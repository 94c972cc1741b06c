namespace Resilience.Runtime.Tests.RateLimiting;

public sealed class RateLimitOptionsTests
{
    public static TheoryData<string, string, string> InvalidSettings => new()
    {
        { "PermitLimit=0", "PermitLimit", "got 0" },
        { "PermitLimit=-5", "PermitLimit", "got -5" },
        { "Window=0", "Window", "got 00:00:00" },
        { "Window=-1s", "Window", "got -00:00:01" },
        { "SegmentsPerWindow=0", "SegmentsPerWindow", "got 0" },
        { "Sliding 5ms/10", "SegmentsPerWindow", "Lower SegmentsPerWindow to at most 5" },
        { "QueueLimit=-1", "QueueLimit", "got -1" },
        { "MaxKeys=0", "MaxKeys", "got 0" },
        { "KeyIdleTimeout=0", "KeyIdleTimeout", "got 00:00:00" },
        { "Algorithm=7", "Algorithm", "got 7" },
    };

    [Theory]
    [MemberData(nameof(InvalidSettings))]
    public void Validate_names_the_setting_and_the_bad_value(string setting, string expectedParam, string expectedText)
    {
        RateLimitOptions options = Build(setting);

        var error = Assert.Throws<ArgumentOutOfRangeException>(options.Validate);

        Assert.Equal(expectedParam, error.ParamName);
        Assert.Contains(expectedParam, error.Message, StringComparison.Ordinal);
        Assert.Contains(expectedText, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(InvalidSettings))]
    public void Strategies_validate_their_options_at_construction(string setting, string expectedParam, string expectedText)
    {
        _ = expectedText;
        RateLimitOptions options = Build(setting);

        Assert.Equal(expectedParam, Assert.Throws<ArgumentOutOfRangeException>(() => new RateLimitStrategy("x", options)).ParamName);
        Assert.Equal(expectedParam, Assert.Throws<ArgumentOutOfRangeException>(() => new KeyedRateLimitStrategy<string>("x", options)).ParamName);
    }

    [Fact]
    public void Validate_accepts_defaults_and_boundary_values()
    {
        new RateLimitOptions().Validate();
        new RateLimitOptions { PermitLimit = 1, Window = TimeSpan.FromTicks(1), QueueLimit = 0, MaxKeys = 1, KeyIdleTimeout = TimeSpan.FromTicks(1) }.Validate();
        new RateLimitOptions { Algorithm = RateLimitAlgorithm.SlidingWindow, Window = TimeSpan.FromMilliseconds(10), SegmentsPerWindow = 10 }.Validate();

        // A sub-millisecond segment only matters for the sliding window.
        new RateLimitOptions { Algorithm = RateLimitAlgorithm.FixedWindow, Window = TimeSpan.FromMilliseconds(5), SegmentsPerWindow = 10 }.Validate();
    }

    [Fact]
    public void Equality_is_by_value()
    {
        var a = new RateLimitOptions { PermitLimit = 7, Window = TimeSpan.FromSeconds(3), Algorithm = RateLimitAlgorithm.SlidingWindow, SegmentsPerWindow = 3, QueueLimit = 2, MaxKeys = 50, KeyIdleTimeout = TimeSpan.FromSeconds(9) };
        var b = new RateLimitOptions { PermitLimit = 7, Window = TimeSpan.FromSeconds(3), Algorithm = RateLimitAlgorithm.SlidingWindow, SegmentsPerWindow = 3, QueueLimit = 2, MaxKeys = 50, KeyIdleTimeout = TimeSpan.FromSeconds(9) };

        Assert.True(a.Equals(b));
        Assert.True(a.Equals((object)b));
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.False(a.Equals(null));

        b.KeyIdleTimeout = TimeSpan.FromSeconds(10);
        Assert.False(a.Equals(b));
        b.KeyIdleTimeout = a.KeyIdleTimeout;
        b.QueueLimit = 3;
        Assert.False(a.Equals(b));
        b.QueueLimit = a.QueueLimit;
        b.Algorithm = RateLimitAlgorithm.FixedWindow;
        Assert.False(a.Equals(b));
    }

    private static RateLimitOptions Build(string setting) => setting switch
    {
        "PermitLimit=0" => new RateLimitOptions { PermitLimit = 0 },
        "PermitLimit=-5" => new RateLimitOptions { PermitLimit = -5 },
        "Window=0" => new RateLimitOptions { Window = TimeSpan.Zero },
        "Window=-1s" => new RateLimitOptions { Window = TimeSpan.FromSeconds(-1) },
        "SegmentsPerWindow=0" => new RateLimitOptions { SegmentsPerWindow = 0 },
        "Sliding 5ms/10" => new RateLimitOptions { Algorithm = RateLimitAlgorithm.SlidingWindow, Window = TimeSpan.FromMilliseconds(5), SegmentsPerWindow = 10 },
        "QueueLimit=-1" => new RateLimitOptions { QueueLimit = -1 },
        "MaxKeys=0" => new RateLimitOptions { MaxKeys = 0 },
        "KeyIdleTimeout=0" => new RateLimitOptions { KeyIdleTimeout = TimeSpan.Zero },
        "Algorithm=7" => new RateLimitOptions { Algorithm = (RateLimitAlgorithm)7 },
        _ => throw new ArgumentOutOfRangeException(nameof(setting)),
    };
}
