namespace Resilience;

/// <summary>
/// One running timeout from <see cref="TimeoutStrategy.Start(CancellationToken)"/>. Dispose it exactly once, when the work inside has
/// ended; do not use <see cref="Token"/> afterwards (its source goes back to a pool and serves later scopes).
/// </summary>
/// <remarks>
/// A <see langword="default"/> scope is inert: <see cref="Token"/> is <see cref="CancellationToken.None"/>,
/// <see cref="IsExpired"/> is <see langword="false"/> and <see cref="Dispose"/> does nothing. A second
/// <see cref="Dispose"/> of the same scope does nothing either.
/// </remarks>
public readonly struct TimeoutScope : IDisposable
{
    private readonly TimeoutSource? _source;
    private readonly long _armed;
    private readonly CancellationToken _callerToken;
    private readonly CancellationTokenRegistration _registration;

    internal TimeoutScope(TimeoutSource? source, long armed, CancellationToken callerToken, CancellationTokenRegistration registration)
    {
        _source = source;
        _armed = armed;
        _callerToken = callerToken;
        _registration = registration;
    }

    /// <summary>Cancelled when the time is up or the caller cancels. Pass it to the inner work.</summary>
    public CancellationToken Token => _source is null ? _callerToken : _source.Token;

    /// <summary>
    /// <see langword="true"/> when the timer fired and the caller had not cancelled (when both happened, the caller's
    /// cancellation wins). Read it before <see cref="Dispose"/>.
    /// </summary>
    public bool IsExpired => _source is not null && _source.HasExpired(_armed) && !_callerToken.IsCancellationRequested;

    /// <summary>Stops the timer, unlinks the caller's token and returns the token source to the pool (or drops it when it was cancelled).</summary>
    public void Dispose()
    {
        if (_source is null)
        {
            return;
        }

        // Unlink first: Dispose waits for a running caller callback, so nothing cancels the source once it is pooled.
        _registration.Dispose();
        _source.Owner.Return(_source, _armed);
    }
}
