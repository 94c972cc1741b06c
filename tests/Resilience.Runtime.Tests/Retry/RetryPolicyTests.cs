namespace Resilience.Runtime.Tests.Retry;

public sealed class RetryPolicyTests
{
    private static RetryPolicy Policy(params Type[]? retryOn) => RetryPolicy.Create(new RetryOptions { RetryOn = retryOn });

    [Fact]
    public void Without_RetryOn_every_ordinary_exception_is_retried()
    {
        RetryPolicy policy = Policy(null);

        Assert.True(policy.ShouldRetry(new InvalidOperationException(), 1));
        Assert.True(policy.ShouldRetry(new IOException(), 2));
        Assert.True(policy.ShouldRetry(new TimeoutException(), 3));
        Assert.True(policy.ShouldRetry(new OperationCanceledException(), 1));
    }

    [Fact]
    public void PermanentException_and_its_subtypes_are_never_retried()
    {
        foreach (RetryPolicy policy in new[] { Policy(null), Policy(typeof(Exception)), Policy(typeof(PermanentException)) })
        {
            Assert.False(policy.ShouldRetry(new PermanentException("bad input"), 1));
            Assert.False(policy.ShouldRetry(new SubPermanentException(), 1));
        }
    }

    [Fact]
    public void RetryOn_retries_only_the_listed_types_and_their_subtypes()
    {
        RetryPolicy policy = Policy(typeof(IOException), typeof(TimeoutException));

        Assert.True(policy.ShouldRetry(new IOException(), 1));
        Assert.True(policy.ShouldRetry(new FileNotFoundException(), 1));           // subtype of IOException
        Assert.True(policy.ShouldRetry(new ResilienceTimeoutException("t", TimeSpan.FromSeconds(1)), 1)); // subtype of TimeoutException
        Assert.False(policy.ShouldRetry(new InvalidOperationException(), 1));
        Assert.False(policy.ShouldRetry(new Exception(), 1));                      // a base of a listed type is not listed
    }

    [Fact]
    public void An_empty_RetryOn_retries_nothing()
    {
        RetryPolicy policy = Policy();

        Assert.False(policy.ShouldRetry(new InvalidOperationException(), 1));
    }

    [Fact]
    public void Rejections_are_not_retried_by_default_nor_through_a_RetryOn_of_Exception()
    {
        Assert.False(Policy(null).ShouldRetry(new TestRejectedException(), 1));
        Assert.False(Policy(typeof(Exception)).ShouldRetry(new TestRejectedException(), 1));
        Assert.False(Policy(typeof(Exception)).ShouldRetry(new SubRejectedException(), 1));
        Assert.True(Policy(typeof(Exception)).ShouldRetry(new InvalidOperationException(), 1));
    }

    [Fact]
    public void Rejections_are_retried_when_RetryOn_opts_in()
    {
        Assert.True(Policy(typeof(TestRejectedException)).ShouldRetry(new TestRejectedException(), 1));
        Assert.True(Policy(typeof(TestRejectedException)).ShouldRetry(new SubRejectedException(), 1));
        Assert.True(Policy(typeof(ResilienceRejectedException)).ShouldRetry(new SubRejectedException(), 1));
        Assert.True(Policy(typeof(Exception), typeof(SubRejectedException)).ShouldRetry(new SubRejectedException(), 1));

        // Opting in to a subtype does not opt in its base, and an opt-in does not widen the filter for other types.
        Assert.False(Policy(typeof(SubRejectedException)).ShouldRetry(new TestRejectedException(), 1));
        Assert.False(Policy(typeof(TestRejectedException)).ShouldRetry(new InvalidOperationException(), 1));
    }

    [Fact]
    public void ShouldRetry_rejects_a_null_exception()
    {
        Assert.Throws<ArgumentNullException>(() => Policy(null).ShouldRetry(null!, 1));
    }
}
