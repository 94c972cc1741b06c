namespace Resilience.Runtime.Tests.Retry;

internal class TestRejectedException : ResilienceRejectedException
{
    public TestRejectedException()
        : base("rejected", "test", null)
    {
    }
}

internal sealed class SubRejectedException : TestRejectedException
{
}

internal sealed class SubPermanentException : PermanentException
{
}

/// <summary>A custom policy that retries everything it is asked about, with a fixed delay.</summary>
internal sealed class AlwaysRetryPolicy : IRetryPolicy
{
    public TimeSpan Delay { get; init; } = TimeSpan.FromMilliseconds(10);

    public int Asked { get; private set; }

    public bool ShouldRetry(Exception exception, int attempt)
    {
        Asked++;
        return true;
    }

    public TimeSpan GetDelay(int attempt) => Delay;
}

internal sealed class OtherPolicy : IRetryPolicy
{
    public bool ShouldRetry(Exception exception, int attempt) => false;

    public TimeSpan GetDelay(int attempt) => TimeSpan.Zero;
}
