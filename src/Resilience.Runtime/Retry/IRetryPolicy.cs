namespace Resilience;

/// <summary>Decides whether a failed attempt is retried and how long to wait first.</summary>
/// <remarks>
/// Implementations must be thread-safe. <c>attempt</c> is the number of the retry being considered: 1 for the first
/// retry. <see cref="RetryStrategy"/> bounds it by <see cref="RetryOptions.MaxRetries"/> before asking, and never asks
/// about a <see cref="PermanentException"/> or the caller's own cancellation.
/// </remarks>
public interface IRetryPolicy
{
    /// <summary>Returns <see langword="true"/> to retry after <paramref name="exception"/>.</summary>
    /// <param name="exception">The exception the last attempt ended with.</param>
    /// <param name="attempt">The retry being considered, from 1.</param>
    bool ShouldRetry(Exception exception, int attempt);

    /// <summary>The delay before retry <paramref name="attempt"/>; never negative.</summary>
    /// <param name="attempt">The retry about to be made, from 1.</param>
    TimeSpan GetDelay(int attempt);
}
