namespace Resilience;

/// <summary>Waits <c>Delay × Multiplier^(attempt − 1)</c> before retry <c>attempt</c>, capped and jittered as <see cref="RetryPolicy"/> describes.</summary>
public sealed class ExponentialBackoff : RetryPolicy
{
    /// <summary>Creates the policy.</summary>
    /// <param name="options">The settings; validated here.</param>
    public ExponentialBackoff(RetryOptions options)
        : base(options)
    {
    }

    /// <inheritdoc />
    protected override TimeSpan GetBaseDelay(int attempt)
    {
        long delayTicks = Delay.Ticks;
        if (delayTicks == 0)
        {
            return TimeSpan.Zero;
        }

        // Math.Pow saturates at +Infinity for large attempts; FromTicksSaturating turns that into TimeSpan.MaxValue.
        return FromTicksSaturating(delayTicks * Math.Pow(Multiplier, attempt - 1.0));
    }
}
