using Microsoft.Extensions.Time.Testing;

namespace Resilience.Runtime.Tests.Retry;

/// <summary>Permanent errors are found inside wrapping exceptions; a custom policy's delay is bounded.</summary>
public sealed class PermanentAndDelayTests
{
    private readonly FakeTimeProvider _clock = new();

    private RetryStrategy Strategy(IRetryPolicy? policy = null) =>
        new("test.retry", new RetryOptions { MaxRetries = 3, Delay = TimeSpan.FromMilliseconds(100), Jitter = 0, Policy = policy }, _clock);

    public static TheoryData<string> PermanentShapes() => ["itself", "subtype", "inner", "inner of inner", "aggregate", "aggregate of inner", "wrapping constructor"];

    private static Exception Shape(string shape) => shape switch
    {
        "itself" => new PermanentException("not found"),
        "subtype" => new SubPermanentException(),
        "inner" => new InvalidOperationException("outer", new PermanentException("not found")),
        "inner of inner" => new HttpRequestException("a", new InvalidOperationException("b", new PermanentException("c"))),
        "aggregate" => new AggregateException(new TimeoutException(), new PermanentException("not found")),
        "aggregate of inner" => new AggregateException(new TimeoutException(), new InvalidOperationException("x", new PermanentException("y"))),
        _ => new PermanentException(new ArgumentException("bad input")),
    };

    [Theory]
    [MemberData(nameof(PermanentShapes))]
    public void A_permanent_error_is_found_where_it_is_and_never_retried(string shape)
    {
        Exception error = Shape(shape);

        Assert.True(PermanentException.IsPermanent(error));
        Assert.False(Strategy().ShouldRetry(error, 1, CancellationToken.None));
        Assert.False(Strategy(new AlwaysRetryPolicy()).ShouldRetry(error, 1, CancellationToken.None)); // whatever the policy says
        Assert.False(RetryPolicy.Create(new RetryOptions()).ShouldRetry(error, 1));
    }

    [Fact]
    public void Failures_without_a_permanent_error_inside_are_retried()
    {
        Assert.False(PermanentException.IsPermanent(null));
        Assert.False(PermanentException.IsPermanent(new InvalidOperationException("outer", new TimeoutException())));
        Assert.False(PermanentException.IsPermanent(new AggregateException()));
        Assert.True(Strategy().ShouldRetry(new AggregateException(new TimeoutException()), 1, CancellationToken.None));
    }

    [Fact]
    public void An_absurdly_deep_chain_is_not_searched_to_the_end()
    {
        Exception error = new PermanentException("deep");
        for (int i = 0; i < 100; i++)
        {
            error = new InvalidOperationException("wrap", error);
        }

        Assert.False(PermanentException.IsPermanent(error)); // bounded: 32 levels
    }

    [Fact]
    public void The_wrapping_constructor_keeps_the_real_error_and_its_message()
    {
        var real = new ArgumentException("bad input");
        var permanent = new PermanentException(real);

        Assert.Same(real, permanent.InnerException);
        Assert.Equal("bad input", permanent.Message);
        Assert.Throws<ArgumentNullException>(() => new PermanentException((Exception)null!));
    }

    [Theory]
    [InlineData(-5.0, 0.0)]
    [InlineData(0.0, 0.0)]
    [InlineData(250.0, 250.0)]
    [InlineData(60.0 * 24 * 3600 * 1000, int.MaxValue)] // 60 days
    public void A_policy_delay_is_clamped_to_zero_and_the_longest_delay(double policyMs, double expectedMs)
    {
        RetryStrategy retry = Strategy(new AlwaysRetryPolicy { Delay = TimeSpan.FromMilliseconds(policyMs) });

        Assert.Equal(TimeSpan.FromMilliseconds(expectedMs), retry.GetDelay(1));
    }

    [Fact]
    public void Extreme_policy_delays_are_clamped_and_the_wait_never_throws_for_them()
    {
        Assert.Equal(TimeSpan.Zero, Strategy(new AlwaysRetryPolicy { Delay = TimeSpan.MinValue }).GetDelay(1));
        Assert.Equal(RetryStrategy.LongestDelay, Strategy(new AlwaysRetryPolicy { Delay = TimeSpan.MaxValue }).GetDelay(1));

        ValueTask wait = Strategy(new AlwaysRetryPolicy { Delay = TimeSpan.MaxValue }).DelayAsync(1, CancellationToken.None);
        Assert.False(wait.IsCompleted); // waiting (24.8 days), not failed with ArgumentOutOfRangeException
        Assert.True(Strategy(new AlwaysRetryPolicy { Delay = TimeSpan.MinValue }).DelayAsync(1, CancellationToken.None).IsCompletedSuccessfully);
    }
}
