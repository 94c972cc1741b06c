namespace Resilience.Runtime.Tests.Retry;

/// <summary>
/// The exact jitter formula, the cap after jitter, when a random number is drawn, base delays of a derived policy that are
/// negative or too long, and an unknown backoff kind; written for the edits that survived mutation testing
/// (docs/testing.md).
/// </summary>
public sealed class RetryPolicyMutationTests
{
    [Theory]
    [InlineData(0.0, 500)]
    [InlineData(0.25, 750)]
    [InlineData(0.5, 1_000)]
    [InlineData(0.75, 1_250)]
    public void A_jittered_delay_is_the_delay_times_one_plus_jitter_times_two_r_minus_one(double r, double expectedMs)
    {
        var random = new ScriptedRandom(r);
        var policy = RetryPolicy.Create(new RetryOptions { Backoff = BackoffType.Constant, Delay = TimeSpan.FromSeconds(1), MaxDelay = TimeSpan.FromSeconds(10), Jitter = 0.5, Random = random });

        Assert.Equal(TimeSpan.FromMilliseconds(expectedMs), policy.GetDelay(1));
        Assert.Equal(1, random.Draws);
    }

    [Fact]
    public void A_jittered_delay_above_MaxDelay_is_capped_and_one_below_is_kept()
    {
        var random = new ScriptedRandom(0.75, 0.0);
        var policy = RetryPolicy.Create(new RetryOptions { Backoff = BackoffType.Constant, Delay = TimeSpan.FromSeconds(1), MaxDelay = TimeSpan.FromMilliseconds(1_100), Jitter = 0.5, Random = random });

        Assert.Equal(TimeSpan.FromMilliseconds(1_100), policy.GetDelay(1)); // 1 250 ms, capped
        Assert.Equal(TimeSpan.FromMilliseconds(500), policy.GetDelay(1));
    }

    [Fact]
    public void The_cap_applies_before_the_jitter_too()
    {
        var random = new ScriptedRandom(0.25);
        var policy = RetryPolicy.Create(new RetryOptions { Backoff = BackoffType.Exponential, Delay = TimeSpan.FromSeconds(1), Multiplier = 10, MaxDelay = TimeSpan.FromSeconds(4), Jitter = 0.5, Random = random });

        Assert.Equal(TimeSpan.FromSeconds(3), policy.GetDelay(3)); // 100 s capped to 4 s, then × 0.75
    }

    [Fact]
    public void Without_jitter_no_random_number_is_drawn()
    {
        var random = new ScriptedRandom(0.9);
        var policy = RetryPolicy.Create(new RetryOptions { Backoff = BackoffType.Linear, Delay = TimeSpan.FromMilliseconds(100), Jitter = 0, Random = random });

        Assert.Equal(TimeSpan.FromMilliseconds(300), policy.GetDelay(3));
        Assert.Equal(0, random.Draws);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(0.5)]
    public void A_negative_base_delay_of_a_derived_policy_counts_as_zero(double jitter)
    {
        var policy = new FixedBasePolicy(TimeSpan.FromMilliseconds(-5), new RetryOptions { Jitter = jitter, Random = new ScriptedRandom(0.75) });

        Assert.Equal(TimeSpan.Zero, policy.GetDelay(1));
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(0.5)]
    public void A_base_delay_of_a_derived_policy_beyond_MaxDelay_is_capped(double jitter)
    {
        var policy = new FixedBasePolicy(TimeSpan.MaxValue, new RetryOptions { MaxDelay = TimeSpan.FromSeconds(30), Jitter = jitter, Random = new ScriptedRandom(0.75) });

        Assert.Equal(TimeSpan.FromSeconds(30), policy.GetDelay(1));
    }

    [Fact]
    public void Create_refuses_an_unknown_backoff_kind_and_says_which_are_known()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => RetryPolicy.Create(new RetryOptions { Backoff = (BackoffType)7 }));

        Assert.Equal("options", error.ParamName);
        Assert.StartsWith("Backoff must be Constant, Linear or Exponential; got 7.", error.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentNullException>(() => RetryPolicy.Create(null!));
    }

    [Fact]
    public void A_RetryOn_list_of_several_types_retries_each_of_them_and_nothing_else()
    {
        var policy = RetryPolicy.Create(new RetryOptions { RetryOn = [typeof(TimeoutException), typeof(IOException)] });

        Assert.True(policy.ShouldRetry(new TimeoutException(), 1));
        Assert.True(policy.ShouldRetry(new FileNotFoundException(), 1)); // a subtype of the second entry
        Assert.False(policy.ShouldRetry(new InvalidOperationException(), 1));
    }

    [Fact]
    public void A_rejection_listed_after_other_types_is_retried_and_one_not_listed_is_not()
    {
        var policy = RetryPolicy.Create(new RetryOptions { RetryOn = [typeof(TimeoutException), typeof(BulkheadRejectedException)] });

        Assert.True(policy.ShouldRetry(new BulkheadRejectedException("b", 1, 0), 1));
        Assert.False(policy.ShouldRetry(new BrokenCircuitException("c", CircuitState.Open, TimeSpan.FromSeconds(1)), 1));
    }

    private sealed class FixedBasePolicy(TimeSpan baseDelay, RetryOptions options) : RetryPolicy(options)
    {
        protected override TimeSpan GetBaseDelay(int attempt) => baseDelay;
    }

    [Theory]
    [InlineData(BackoffType.Exponential, 2_000)]
    [InlineData(BackoffType.Exponential, int.MaxValue)]
    [InlineData(BackoffType.Linear, int.MaxValue)]
    public void A_base_delay_too_long_for_a_TimeSpan_saturates_at_MaxDelay(BackoffType backoff, int attempt)
    {
        // 2^1999 hours overflows double to +Infinity; int.MaxValue linear steps of an hour overflow TimeSpan: both are
        // the longest delay, capped at MaxDelay, never a wrapped-around negative one read as zero.
        var policy = RetryPolicy.Create(new RetryOptions { Backoff = backoff, Delay = TimeSpan.FromHours(1), MaxDelay = TimeSpan.FromDays(1), Jitter = 0 });

        Assert.Equal(TimeSpan.FromDays(1), policy.GetDelay(attempt));
    }

    [Fact]
    public void Null_options_are_an_ArgumentNullException_naming_them()
    {
        var exception = Assert.Throws<ArgumentNullException>(() => new ExponentialBackoff(null!));
        Assert.Equal("options", exception.ParamName);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void A_retry_number_below_one_says_where_retry_numbers_start(int attempt)
    {
        var policy = RetryPolicy.Create(new RetryOptions());
        var exception = Assert.Throws<ArgumentOutOfRangeException>(() => policy.GetDelay(attempt));
        Assert.Equal("attempt", exception.ParamName);
        Assert.StartsWith("The retry number (attempt) starts at 1.", exception.Message, StringComparison.Ordinal);
    }

    private sealed class ScriptedRandom(params double[] values) : Random
    {
        public int Draws { get; private set; }

        public override double NextDouble() => values[Draws++ % values.Length];
    }
}
