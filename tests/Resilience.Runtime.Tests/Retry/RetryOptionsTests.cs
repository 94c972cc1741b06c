namespace Resilience.Runtime.Tests.Retry;

public sealed class RetryOptionsTests
{
    [Fact]
    public void Defaults_match_the_design_and_are_valid()
    {
        var options = new RetryOptions();

        Assert.Equal(3, options.MaxRetries);
        Assert.Equal(TimeSpan.FromMilliseconds(200), options.Delay);
        Assert.Equal(BackoffType.Exponential, options.Backoff);
        Assert.Equal(2.0, options.Multiplier);
        Assert.Equal(TimeSpan.FromSeconds(30), options.MaxDelay);
        Assert.Equal(0.2, options.Jitter);
        Assert.Null(options.RetryOn);
        Assert.Null(options.Policy);
        Assert.Equal(TimeSpan.Zero, options.AttemptTimeout);
        options.Validate();
    }

    [Theory]
    [InlineData("MaxRetries=-1", "MaxRetries", "MaxRetries must be 0 or more; got -1.")]
    [InlineData("Delay=-5ms", "Delay", "Delay must be 0 ms or more; got -5 ms.")]
    [InlineData("Multiplier=0.5", "Multiplier", "Multiplier must be a finite number of at least 1; got 0.5.")]
    [InlineData("Multiplier=NaN", "Multiplier", "Multiplier must be a finite number of at least 1; got NaN.")]
    [InlineData("Multiplier=Infinity", "Multiplier", "Multiplier must be a finite number of at least 1; got Infinity.")]
    [InlineData("MaxDelay=0", "MaxDelay", "MaxDelay must be in (0, 2147483647] ms; got 0 ms.")]
    [InlineData("MaxDelay=30days", "MaxDelay", "MaxDelay must be in (0, 2147483647] ms; got 2592000000 ms.")]
    [InlineData("MaxDelay<Delay", "MaxDelay", "MaxDelay must be at least Delay (200 ms); got 100 ms.")]
    [InlineData("Jitter=-0.1", "Jitter", "Jitter must be in [0, 1]; got -0.1.")]
    [InlineData("Jitter=1.5", "Jitter", "Jitter must be in [0, 1]; got 1.5.")]
    [InlineData("Jitter=NaN", "Jitter", "Jitter must be in [0, 1]; got NaN.")]
    [InlineData("Backoff=7", "Backoff", "Backoff must be Constant, Linear or Exponential; got 7.")]
    [InlineData("AttemptTimeout=-1ms", "AttemptTimeout", "AttemptTimeout must be in [0, 2147483647] ms (0 = none); got -1 ms.")]
    [InlineData("RetryOn=string", "RetryOn", "RetryOn[1] must be an exception type (System.Exception or a subtype); got System.String.")]
    [InlineData("RetryOn=null", "RetryOn", "RetryOn[0] must be an exception type (System.Exception or a subtype); got null.")]
    public void Validate_names_the_setting_and_the_bad_value(string change, string setting, string message)
    {
        var options = new RetryOptions();
        Apply(options, change);

        var ex = Assert.ThrowsAny<ArgumentException>(options.Validate);
        Assert.Equal(setting, ex.ParamName);
        Assert.StartsWith(message, ex.Message, StringComparison.Ordinal);

        // Every constructor that takes options validates them.
        Assert.ThrowsAny<ArgumentException>(() => new RetryStrategy("r", options, new Microsoft.Extensions.Time.Testing.FakeTimeProvider()));
        Assert.ThrowsAny<ArgumentException>(() => new ExponentialBackoff(options));
    }

    [Fact]
    public void Validate_accepts_the_edges_of_every_range()
    {
        new RetryOptions { MaxRetries = 0, Delay = TimeSpan.Zero, Multiplier = 1, Jitter = 0, MaxDelay = TimeSpan.FromTicks(1) }.Validate();
        new RetryOptions { Jitter = 1, Delay = TimeSpan.FromSeconds(30), MaxDelay = TimeSpan.FromMilliseconds(int.MaxValue), AttemptTimeout = TimeSpan.FromMilliseconds(int.MaxValue) }.Validate();
        new RetryOptions { RetryOn = new[] { typeof(Exception), typeof(PermanentException) } }.Validate();
    }

    [Fact]
    public void A_custom_policy_does_not_bypass_validation()
    {
        var options = new RetryOptions { Policy = new AlwaysRetryPolicy(), MaxRetries = -2 };

        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => new RetryStrategy("r", options));
        Assert.Equal("MaxRetries", ex.ParamName);
    }

    [Fact]
    public void Equal_settings_are_equal_with_equal_hash_codes()
    {
        RetryOptions a = Full(), b = Full();
        b.Random = new Random(1); // ignored
        b.Policy = new AlwaysRetryPolicy(); // another instance of the same type

        Assert.True(a.Equals(b));
        Assert.True(a.Equals((object)b));
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.Equal(new RetryOptions(), new RetryOptions());
        Assert.Equal(new RetryOptions().GetHashCode(), new RetryOptions().GetHashCode());
        Assert.False(a.Equals(null));
        Assert.False(a.Equals("not options"));
    }

    [Theory]
    [InlineData("MaxRetries")]
    [InlineData("Delay")]
    [InlineData("Backoff")]
    [InlineData("Multiplier")]
    [InlineData("MaxDelay")]
    [InlineData("Jitter")]
    [InlineData("AttemptTimeout")]
    [InlineData("Policy=null")]
    [InlineData("Policy=other type")]
    [InlineData("RetryOn=null")]
    [InlineData("RetryOn=empty")]
    [InlineData("RetryOn=other order")]
    [InlineData("RetryOn=shorter")]
    public void Any_different_setting_makes_options_unequal(string change)
    {
        RetryOptions a = Full(), b = Full();
        switch (change)
        {
            case "MaxRetries": b.MaxRetries++; break;
            case "Delay": b.Delay += TimeSpan.FromTicks(1); break;
            case "Backoff": b.Backoff = BackoffType.Linear; break;
            case "Multiplier": b.Multiplier = 2.5; break;
            case "MaxDelay": b.MaxDelay = TimeSpan.FromSeconds(31); break;
            case "Jitter": b.Jitter = 0.3; break;
            case "AttemptTimeout": b.AttemptTimeout = TimeSpan.FromSeconds(2); break;
            case "Policy=null": b.Policy = null; break;
            case "Policy=other type": b.Policy = new OtherPolicy(); break;
            case "RetryOn=null": b.RetryOn = null; break;
            case "RetryOn=empty": b.RetryOn = Array.Empty<Type>(); break;
            case "RetryOn=other order": b.RetryOn = new[] { typeof(TimeoutException), typeof(IOException) }; break;
            case "RetryOn=shorter": b.RetryOn = new[] { typeof(IOException) }; break;
            default: throw new ArgumentOutOfRangeException(nameof(change));
        }

        Assert.False(a.Equals(b));
        Assert.False(b.Equals(a));
    }

    private static RetryOptions Full() => new()
    {
        MaxRetries = 5,
        Delay = TimeSpan.FromMilliseconds(50),
        Backoff = BackoffType.Exponential,
        Multiplier = 3,
        MaxDelay = TimeSpan.FromSeconds(10),
        Jitter = 0.1,
        AttemptTimeout = TimeSpan.FromSeconds(1),
        Policy = new AlwaysRetryPolicy(),
        RetryOn = new List<Type> { typeof(IOException), typeof(TimeoutException) },
    };

    private static void Apply(RetryOptions options, string change)
    {
        switch (change)
        {
            case "MaxRetries=-1": options.MaxRetries = -1; break;
            case "Delay=-5ms": options.Delay = TimeSpan.FromMilliseconds(-5); break;
            case "Multiplier=0.5": options.Multiplier = 0.5; break;
            case "Multiplier=NaN": options.Multiplier = double.NaN; break;
            case "Multiplier=Infinity": options.Multiplier = double.PositiveInfinity; break;
            case "MaxDelay=0": options.MaxDelay = TimeSpan.Zero; break;
            case "MaxDelay=30days": options.MaxDelay = TimeSpan.FromDays(30); break;
            case "MaxDelay<Delay": options.MaxDelay = TimeSpan.FromMilliseconds(100); break;
            case "Jitter=-0.1": options.Jitter = -0.1; break;
            case "Jitter=1.5": options.Jitter = 1.5; break;
            case "Jitter=NaN": options.Jitter = double.NaN; break;
            case "Backoff=7": options.Backoff = (BackoffType)7; break;
            case "AttemptTimeout=-1ms": options.AttemptTimeout = TimeSpan.FromMilliseconds(-1); break;
            case "RetryOn=string": options.RetryOn = new[] { typeof(IOException), typeof(string) }; break;
            case "RetryOn=null": options.RetryOn = new Type[] { null! }; break;
            default: throw new ArgumentOutOfRangeException(nameof(change));
        }
    }
}
