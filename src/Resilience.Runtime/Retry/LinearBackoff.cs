namespace Resilience;

/// <summary>Waits <c>Delay × attempt</c> before retry <c>attempt</c>, capped and jittered as <see cref="RetryPolicy"/> describes.</summary>
public sealed class LinearBackoff : RetryPolicy
{
    /// <summary>Creates the policy.</summary>
    /// <param name="options">The settings; validated here.</param>
    public LinearBackoff(RetryOptions options)
        : base(options)
    {
    }

    /// <inheritdoc />
    protected override TimeSpan GetBaseDelay(int attempt) => FromTicksSaturating(Delay.Ticks * (double)attempt);
}
