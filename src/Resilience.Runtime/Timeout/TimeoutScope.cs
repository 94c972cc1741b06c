namespace Resilience;

/// <summary>One running timeout from <see cref="TimeoutStrategy.Start"/>. Dispose it exactly once.</summary>
public readonly struct TimeoutScope : IDisposable
{
    /// <summary>Cancelled when the time is up or the caller cancels. Pass it to the inner work.</summary>
    public CancellationToken Token => throw new NotImplementedException();

    /// <summary><see langword="true"/> when the timer fired (and the caller had not cancelled). Read it before <see cref="Dispose"/>.</summary>
    public bool IsExpired => throw new NotImplementedException();

    /// <summary>Stops the timer and returns the token source to the pool.</summary>
    public void Dispose() => throw new NotImplementedException();
}
