using Resilience;

namespace Resilience.Runtime.Tests.Caching;

public sealed class CacheFallbackOptionsTests
{
    [Theory]
    [InlineData(-1, 1000, "Ttl")]
    [InlineData(1000, -1, "StaleTtl")]
    [InlineData(0, 0, "StaleTtl")]
    public void Validate_rejects_invalid_durations_naming_the_setting(int ttlMs, int staleTtlMs, string setting)
    {
        var options = new CacheFallbackOptions { Ttl = TimeSpan.FromMilliseconds(ttlMs), StaleTtl = TimeSpan.FromMilliseconds(staleTtlMs) };

        var ex = Assert.Throws<ArgumentOutOfRangeException>(options.Validate);

        Assert.Equal(setting, ex.ParamName);
        Assert.Contains(setting, ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0, 1)]
    [InlineData(1, 0)]
    [InlineData(60_000, 300_000)]
    public void Validate_accepts_zero_ttl_or_zero_stale_ttl_when_the_other_is_positive(int ttlMs, int staleTtlMs)
    {
        var options = new CacheFallbackOptions { Ttl = TimeSpan.FromMilliseconds(ttlMs), StaleTtl = TimeSpan.FromMilliseconds(staleTtlMs) };

        options.Validate();
    }

    [Fact]
    public void Equality_is_by_value()
    {
        var a = new CacheFallbackOptions { Ttl = TimeSpan.FromSeconds(1), StaleTtl = TimeSpan.FromMinutes(2) };
        var b = new CacheFallbackOptions { Ttl = TimeSpan.FromSeconds(1), StaleTtl = TimeSpan.FromMinutes(2) };
        var c = new CacheFallbackOptions { Ttl = TimeSpan.FromSeconds(1), StaleTtl = TimeSpan.FromMinutes(3) };

        Assert.True(a.Equals(b));
        Assert.True(a.Equals((object)b));
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.False(a.Equals(c));
        Assert.False(a.Equals(null));
        Assert.Equal(TimeSpan.Zero, new CacheFallbackOptions().Ttl);
        Assert.Equal(TimeSpan.FromMinutes(5), new CacheFallbackOptions().StaleTtl);
    }
}
