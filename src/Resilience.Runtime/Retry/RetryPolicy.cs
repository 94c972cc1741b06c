namespace Resilience;

/// <summary>
/// The built-in retry policies: retry every exception (or those in <see cref="RetryOptions.RetryOn"/>) except a
/// <see cref="PermanentException"/> or a <see cref="ResilienceRejectedException"/>, waiting a backoff delay capped at
/// <see cref="RetryOptions.MaxDelay"/> and spread by <see cref="RetryOptions.Jitter"/>.
/// </summary>
public abstract class RetryPolicy : IRetryPolicy
{
    /// <summary>Creates the policy from validated options.</summary>
    /// <param name="options">The settings.</param>
    protected RetryPolicy(RetryOptions options) => throw new NotImplementedException();

    /// <summary>Creates the policy <paramref name="options"/> describe: <see cref="ExponentialBackoff"/>, <see cref="LinearBackoff"/> or <see cref="ConstantBackoff"/>.</summary>
    /// <param name="options">The settings; validated here.</param>
    public static RetryPolicy Create(RetryOptions options) => throw new NotImplementedException();

    /// <inheritdoc />
    public virtual bool ShouldRetry(Exception exception, int attempt) => throw new NotImplementedException();

    /// <inheritdoc />
    public TimeSpan GetDelay(int attempt) => throw new NotImplementedException();

    /// <summary>The delay before retry <paramref name="attempt"/> before the cap and jitter are applied.</summary>
    /// <param name="attempt">The retry about to be made, from 1.</param>
    protected abstract TimeSpan GetBaseDelay(int attempt);
}
