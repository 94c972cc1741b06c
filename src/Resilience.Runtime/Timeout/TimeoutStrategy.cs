namespace Resilience;

/// <summary>
/// Bounds the time of everything inside it with a pooled <see cref="CancellationTokenSource"/> linked to the caller's
/// token. <see cref="Start"/> allocates nothing when a pooled source is free.
/// </summary>
public sealed class TimeoutStrategy
{
    /// <summary>Creates the strategy.</summary>
    /// <param name="name">The strategy's name, used in <see cref="ResilienceTimeoutException"/>.</param>
    /// <param name="timeout">The limit; must be positive.</param>
    /// <param name="timeProvider">The clock; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    public TimeoutStrategy(string name, TimeSpan timeout, TimeProvider? timeProvider = null) => throw new NotImplementedException();

    /// <summary>The strategy's name.</summary>
    public string Name => throw new NotImplementedException();

    /// <summary>The limit.</summary>
    public TimeSpan Timeout => throw new NotImplementedException();

    /// <summary>Starts the timer. Dispose the scope when the work inside it has ended.</summary>
    /// <param name="callerToken">The caller's token; cancelling it cancels <see cref="TimeoutScope.Token"/> too.</param>
    public TimeoutScope Start(CancellationToken callerToken) => throw new NotImplementedException();

    /// <summary>The exception to throw when <see cref="TimeoutScope.IsExpired"/> is true.</summary>
    /// <param name="innerException">The cancellation the inner work ended with, if any.</param>
    public ResilienceTimeoutException CreateException(Exception? innerException = null) => new(Name, Timeout, innerException);
}
