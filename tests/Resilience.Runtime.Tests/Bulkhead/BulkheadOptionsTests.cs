namespace Resilience.Runtime.Tests.Bulkhead;

public sealed class BulkheadOptionsTests
{
    [Theory]
    [InlineData(0, 0, "MaxConcurrency", "got 0")]
    [InlineData(-3, 0, "MaxConcurrency", "got -3")]
    [InlineData(1, -1, "MaxQueue", "got -1")]
    public void Validate_names_the_setting_and_the_bad_value(int maxConcurrency, int maxQueue, string expectedParam, string expectedText)
    {
        var options = new BulkheadOptions { MaxConcurrency = maxConcurrency, MaxQueue = maxQueue };

        var error = Assert.Throws<ArgumentOutOfRangeException>(options.Validate);
        var fromConstructor = Assert.Throws<ArgumentOutOfRangeException>(() => new Resilience.Bulkhead("db", options));

        Assert.Equal(expectedParam, error.ParamName);
        Assert.Contains(expectedParam, error.Message, StringComparison.Ordinal);
        Assert.Contains(expectedText, error.Message, StringComparison.Ordinal);
        Assert.Equal(expectedParam, fromConstructor.ParamName);
    }

    [Fact]
    public void Defaults_and_boundaries_are_valid_and_equality_is_by_value()
    {
        new BulkheadOptions().Validate();
        new BulkheadOptions { MaxConcurrency = 1, MaxQueue = 0 }.Validate();

        var a = new BulkheadOptions { MaxConcurrency = 8, MaxQueue = 16 };
        var b = new BulkheadOptions { MaxConcurrency = 8, MaxQueue = 16 };
        Assert.True(a.Equals(b));
        Assert.True(a.Equals((object)b));
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.False(a.Equals(new BulkheadOptions { MaxConcurrency = 8, MaxQueue = 17 }));
        Assert.False(a.Equals(new BulkheadOptions { MaxConcurrency = 9, MaxQueue = 16 }));
        Assert.False(a.Equals(null));
    }
}
