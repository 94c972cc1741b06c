namespace Resilience.Runtime.Tests.Retry;

public sealed class BackoffTests
{
    private static RetryOptions Options(BackoffType backoff, double delayMs = 100, double multiplier = 2.0, double maxDelayMs = 3_600_000, double jitter = 0.0, Random? random = null) => new()
    {
        Backoff = backoff,
        Delay = TimeSpan.FromMilliseconds(delayMs),
        Multiplier = multiplier,
        MaxDelay = TimeSpan.FromMilliseconds(maxDelayMs),
        Jitter = jitter,
        Random = random,
    };

    [Theory]
    [InlineData(2.0, 1, 100)]
    [InlineData(2.0, 2, 200)]
    [InlineData(2.0, 3, 400)]
    [InlineData(2.0, 4, 800)]
    [InlineData(2.0, 10, 51_200)]
    [InlineData(1.5, 1, 100)]
    [InlineData(1.5, 2, 150)]
    [InlineData(1.5, 3, 225)]
    [InlineData(1.0, 7, 100)]
    [InlineData(3.0, 5, 8_100)]
    public void Exponential_without_jitter_waits_delay_times_multiplier_to_the_attempt_minus_one(double multiplier, int attempt, double expectedMs)
    {
        var policy = new ExponentialBackoff(Options(BackoffType.Exponential, multiplier: multiplier));

        Assert.Equal(TimeSpan.FromMilliseconds(expectedMs), policy.GetDelay(attempt));
    }

    [Theory]
    [InlineData(1, 100)]
    [InlineData(2, 200)]
    [InlineData(3, 300)]
    [InlineData(10, 1_000)]
    public void Linear_without_jitter_waits_delay_times_attempt(int attempt, double expectedMs)
    {
        var policy = new LinearBackoff(Options(BackoffType.Linear));

        Assert.Equal(TimeSpan.FromMilliseconds(expectedMs), policy.GetDelay(attempt));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(50)]
    [InlineData(int.MaxValue)]
    public void Constant_without_jitter_always_waits_delay(int attempt)
    {
        var policy = new ConstantBackoff(Options(BackoffType.Constant, delayMs: 250));

        Assert.Equal(TimeSpan.FromMilliseconds(250), policy.GetDelay(attempt));
    }

    [Theory]
    [InlineData(BackoffType.Exponential, 4, 800)]
    [InlineData(BackoffType.Exponential, 5, 1_000)]
    [InlineData(BackoffType.Exponential, 30, 1_000)]
    [InlineData(BackoffType.Linear, 9, 900)]
    [InlineData(BackoffType.Linear, 11, 1_000)]
    [InlineData(BackoffType.Constant, 1, 1_000)]
    public void Delay_is_capped_at_MaxDelay(BackoffType backoff, int attempt, double expectedMs)
    {
        double delayMs = backoff == BackoffType.Constant ? 1_000 : 100;
        var policy = RetryPolicy.Create(Options(backoff, delayMs: delayMs, maxDelayMs: 1_000));

        Assert.Equal(TimeSpan.FromMilliseconds(expectedMs), policy.GetDelay(attempt));
    }

    [Theory]
    [InlineData(BackoffType.Exponential, 2.0)]
    [InlineData(BackoffType.Exponential, 1.0)]
    [InlineData(BackoffType.Linear, 2.0)]
    [InlineData(BackoffType.Constant, 2.0)]
    public void Huge_attempt_numbers_do_not_overflow(BackoffType backoff, double multiplier)
    {
        // Delay = MaxDelay = the largest accepted value, so every product overflows long ticks long before int.MaxValue.
        var max = TimeSpan.FromMilliseconds(int.MaxValue);
        var policy = RetryPolicy.Create(new RetryOptions { Backoff = backoff, Delay = max, MaxDelay = max, Multiplier = multiplier, Jitter = 0 });

        foreach (int attempt in new[] { 1, 64, 1_000, 1_000_000, int.MaxValue })
        {
            Assert.Equal(max, policy.GetDelay(attempt));
        }
    }

    [Fact]
    public void Zero_delay_stays_zero_for_every_attempt_and_backoff()
    {
        foreach (BackoffType backoff in new[] { BackoffType.Exponential, BackoffType.Linear, BackoffType.Constant })
        {
            var policy = RetryPolicy.Create(Options(backoff, delayMs: 0, jitter: 1.0));
            Assert.Equal(TimeSpan.Zero, policy.GetDelay(1));
            Assert.Equal(TimeSpan.Zero, policy.GetDelay(int.MaxValue));
        }
    }

    public static TheoryData<BackoffType, double, bool> JitterCases => new()
    {
        { BackoffType.Exponential, 0.2, true },
        { BackoffType.Exponential, 0.2, false },
        { BackoffType.Linear, 0.5, true },
        { BackoffType.Linear, 0.5, false },
        { BackoffType.Constant, 1.0, true },
        { BackoffType.Constant, 1.0, false },
    };

    [Theory]
    [MemberData(nameof(JitterCases))]
    public void Jittered_delays_stay_in_the_band_never_exceed_MaxDelay_and_are_never_negative(BackoffType backoff, double jitter, bool seeded)
    {
        var maxDelay = TimeSpan.FromMilliseconds(1_000);
        var policy = RetryPolicy.Create(Options(backoff, delayMs: 100, maxDelayMs: 1_000, jitter: jitter, random: seeded ? new Random(12345) : null));
        var exact = RetryPolicy.Create(Options(backoff, delayMs: 100, maxDelayMs: 1_000, jitter: 0));

        for (int attempt = 1; attempt <= 6; attempt++)
        {
            double baseTicks = exact.GetDelay(attempt).Ticks;
            double low = baseTicks * (1 - jitter);
            double high = Math.Min(baseTicks * (1 + jitter), maxDelay.Ticks);
            long min = long.MaxValue, max = long.MinValue;
            for (int i = 0; i < 5_000; i++)
            {
                long ticks = policy.GetDelay(attempt).Ticks;
                Assert.InRange(ticks, 0, maxDelay.Ticks);
                Assert.InRange(ticks, (long)low - 1, (long)high);
                min = Math.Min(min, ticks);
                max = Math.Max(max, ticks);
            }

            // The jitter really spreads the delays over most of the band (catches "jitter ignored").
            double band = high - low;
            Assert.True(min < low + (band * 0.1), $"attempt {attempt}: smallest delay {min} is not near the bottom of [{low}, {high}]");
            if (high < maxDelay.Ticks)
            {
                Assert.True(max > high - (band * 0.1), $"attempt {attempt}: largest delay {max} is not near the top of [{low}, {high}]");
            }
        }
    }

    [Fact]
    public void Seeded_random_makes_jittered_delays_repeatable()
    {
        var first = RetryPolicy.Create(Options(BackoffType.Exponential, jitter: 0.3, random: new Random(7)));
        var second = RetryPolicy.Create(Options(BackoffType.Exponential, jitter: 0.3, random: new Random(7)));
        var distinct = new HashSet<TimeSpan>();

        for (int attempt = 1; attempt <= 50; attempt++)
        {
            TimeSpan delay = first.GetDelay((attempt % 5) + 1);
            Assert.Equal(delay, second.GetDelay((attempt % 5) + 1));
            distinct.Add(delay);
        }

        Assert.True(distinct.Count > 10);
    }

    [Fact]
    public void A_shared_seeded_random_stays_usable_from_many_threads()
    {
        // System.Random is not thread-safe; unsynchronised use from several threads can leave it returning 0 forever.
        var policy = RetryPolicy.Create(Options(BackoffType.Constant, delayMs: 1_000, maxDelayMs: 2_000, jitter: 1.0, random: new Random(99)));

        Parallel.For(0, 4, _ =>
        {
            for (int i = 0; i < 50_000; i++)
            {
                policy.GetDelay(1);
            }
        });

        var distinct = new HashSet<TimeSpan>();
        for (int i = 0; i < 100; i++)
        {
            distinct.Add(policy.GetDelay(1));
        }

        Assert.True(distinct.Count > 50, $"only {distinct.Count} distinct delays after concurrent use");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(int.MinValue)]
    public void GetDelay_rejects_attempt_numbers_below_one(int attempt)
    {
        var policy = RetryPolicy.Create(new RetryOptions());

        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => policy.GetDelay(attempt));
        Assert.Equal("attempt", ex.ParamName);
    }

    [Theory]
    [InlineData(BackoffType.Exponential, typeof(ExponentialBackoff))]
    [InlineData(BackoffType.Linear, typeof(LinearBackoff))]
    [InlineData(BackoffType.Constant, typeof(ConstantBackoff))]
    public void Create_returns_the_policy_of_the_backoff_type(BackoffType backoff, Type expected)
    {
        Assert.IsType(expected, RetryPolicy.Create(new RetryOptions { Backoff = backoff }));
    }

    [Fact]
    public void Policy_ignores_later_changes_to_its_options()
    {
        var options = Options(BackoffType.Constant, delayMs: 100);
        var policy = RetryPolicy.Create(options);

        options.Delay = TimeSpan.FromMilliseconds(500);
        options.RetryOn = new[] { typeof(IOException) };

        Assert.Equal(TimeSpan.FromMilliseconds(100), policy.GetDelay(1));
        Assert.True(policy.ShouldRetry(new InvalidOperationException(), 1));
    }
}
