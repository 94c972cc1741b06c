using System.Threading.RateLimiting;

namespace Resilience;

/// <summary>
/// One rate limit on <c>System.Threading.RateLimiting</c>, replenished on a <see cref="TimeProvider"/>. Acquiring a
/// permit that is available completes synchronously and allocates nothing.
/// </summary>
public sealed class RateLimitStrategy : IDisposable
{
    /// <summary>Creates the limit.</summary>
    /// <param name="name">The limit's name, used in <see cref="RateLimitRejectedException"/>.</param>
    /// <param name="options">Settings; validated here.</param>
    /// <param name="timeProvider">The clock; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    public RateLimitStrategy(string name, RateLimitOptions options, TimeProvider? timeProvider = null) => throw new NotImplementedException();

    /// <summary>The limit's name.</summary>
    public string Name => throw new NotImplementedException();

    /// <summary>The underlying limiter.</summary>
    public RateLimiter Limiter => throw new NotImplementedException();

    /// <summary>Takes a permit if one is available now; never waits.</summary>
    public bool TryAcquire() => throw new NotImplementedException();

    /// <summary>Takes a permit, waiting in the queue if there is room; throws <see cref="RateLimitRejectedException"/> otherwise.</summary>
    /// <param name="cancellationToken">Ends the wait.</param>
    public ValueTask AcquireAsync(CancellationToken cancellationToken) => throw new NotImplementedException();

    /// <summary>Takes a permit, blocking in the queue if there is room; for synchronous methods.</summary>
    /// <param name="cancellationToken">Ends the wait.</param>
    public void Acquire(CancellationToken cancellationToken) => throw new NotImplementedException();

    /// <inheritdoc />
    public void Dispose() => throw new NotImplementedException();
}
