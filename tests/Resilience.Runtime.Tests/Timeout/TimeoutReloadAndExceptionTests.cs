using Microsoft.Extensions.Time.Testing;

namespace Resilience.Runtime.Tests.Timeout;

/// <summary>An invalid reload changes nothing (the next scope still expires at the old limit); the exception's text and inner exception.</summary>
public sealed class TimeoutReloadAndExceptionTests
{
    private readonly FakeTimeProvider _clock = new();

    [Theory]
    [InlineData(0.0)]
    [InlineData(-1.0)]
    [InlineData(2_147_483_648.0)] // int.MaxValue ms + 1 ms
    public void An_invalid_reload_is_refused_and_the_next_scope_keeps_the_old_limit(double milliseconds)
    {
        var timeout = new TimeoutStrategy("t", TimeSpan.FromMilliseconds(100), _clock);

        var refused = Assert.Throws<ArgumentOutOfRangeException>(() => timeout.Reconfigure(TimeSpan.FromMilliseconds(milliseconds)));

        Assert.Equal("Timeout", refused.ParamName);
        Assert.Equal(TimeSpan.FromMilliseconds(100), timeout.Timeout);
        using TimeoutScope scope = timeout.Start(CancellationToken.None);
        _clock.Advance(TimeSpan.FromMilliseconds(100) - TimeSpan.FromTicks(1));
        Assert.False(scope.Token.IsCancellationRequested);
        _clock.Advance(TimeSpan.FromTicks(1));
        Assert.True(scope.IsExpired);
    }

    [Fact]
    public void The_longest_limit_is_accepted_on_reload_and_one_tick_more_is_not()
    {
        var timeout = new TimeoutStrategy("t", TimeSpan.FromMilliseconds(100), _clock);

        timeout.Reconfigure(TimeSpan.FromMilliseconds(int.MaxValue));
        Assert.Equal(TimeSpan.FromMilliseconds(int.MaxValue), timeout.Timeout);
        Assert.Throws<ArgumentOutOfRangeException>(() => timeout.Reconfigure(TimeSpan.FromMilliseconds(int.MaxValue) + TimeSpan.FromTicks(1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new TimeoutStrategy("t", TimeSpan.FromMilliseconds(int.MaxValue) + TimeSpan.FromTicks(1), _clock));
    }

    [Fact]
    public void The_exception_names_the_timeout_and_its_limit_and_keeps_the_inner_cancellation()
    {
        var timeout = new TimeoutStrategy("orders.get", TimeSpan.FromMilliseconds(250), _clock);
        var inner = new OperationCanceledException();

        ResilienceTimeoutException exception = timeout.CreateException(inner);

        Assert.Equal("'orders.get' did not complete within 250 ms.", exception.Message);
        Assert.Same(inner, exception.InnerException);
        Assert.Null(timeout.CreateException().InnerException);
        Assert.IsAssignableFrom<TimeoutException>(exception);
    }
}
