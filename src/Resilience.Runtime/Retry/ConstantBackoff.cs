namespace Resilience;

/// <summary>Waits <c>Delay</c> before retry <c>attempt</c>, capped and jittered as <see cref="RetryPolicy"/> describes.</summary>
public sealed class ConstantBackoff : RetryPolicy
{
    /// <summary>Creates the policy.</summary>
    /// <param name="options">The settings; validated here.</param>
    public ConstantBackoff(RetryOptions options)
        : base(options)
    {
    }

    /// <inheritdoc />
    protected override TimeSpan GetBaseDelay(int attempt) => Delay;
}
