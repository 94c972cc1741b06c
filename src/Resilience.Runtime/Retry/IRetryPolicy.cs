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

    /// <summary>
    /// The delay before retry <paramref name="attempt"/>, knowing what the previous attempt ended with (the exception,
    /// or the result <c>HandleResult</c> marked as a failure). The retry loop always asks this overload; by default it
    /// returns <see cref="GetDelay(int)"/>, so a policy that ignores the outcome implements only that one. Override it
    /// to honour what the failure says, e.g. an HTTP <c>Retry-After</c> header.
    /// </summary>
    /// <typeparam name="TResult">The call's result type (<see cref="object"/> for an exception).</typeparam>
    /// <param name="attempt">The retry about to be made, from 1.</param>
    /// <param name="outcome">What the previous attempt ended with.</param>
    TimeSpan GetDelay<TResult>(int attempt, in RetryOutcome<TResult> outcome) => GetDelay(attempt);
}
