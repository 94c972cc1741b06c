namespace Resilience;

/// <summary>
/// The retry decision and the wait between attempts, for generated code and <see cref="ResilientCall"/>. The loop
/// itself is written inline by the caller:
/// <code>
/// for (int attempt = 1; ; attempt++)
/// {
///     try { return await inner(...); }
///     catch (Exception ex) when (retry.ShouldRetry(ex, attempt, token)) { await retry.DelayAsync(attempt, token); }
/// }
/// </code>
/// </summary>
public sealed class RetryStrategy
{
    /// <summary>Creates the strategy.</summary>
    /// <param name="name">The strategy's name, used in telemetry and exceptions.</param>
    /// <param name="options">Settings; validated here.</param>
    /// <param name="timeProvider">The clock delays wait on; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    public RetryStrategy(string name, RetryOptions options, TimeProvider? timeProvider = null) => throw new NotImplementedException();

    /// <summary>The strategy's name.</summary>
    public string Name => throw new NotImplementedException();

    /// <summary>Retries after the first call.</summary>
    public int MaxRetries => throw new NotImplementedException();

    /// <summary>The policy that decides which exceptions are retried and how long to wait.</summary>
    public IRetryPolicy Policy => throw new NotImplementedException();

    /// <summary>The per-attempt timeout, or <see langword="null"/> when none is set.</summary>
    public TimeoutStrategy? AttemptTimeout => throw new NotImplementedException();

    /// <summary>
    /// Whether to make retry <paramref name="attempt"/> after <paramref name="exception"/>: never beyond
    /// <see cref="MaxRetries"/>, never once <paramref name="sequenceToken"/> is cancelled (the caller cancelled or the
    /// outer timeout fired), never for a <see cref="PermanentException"/>; otherwise the policy decides.
    /// </summary>
    /// <param name="exception">The exception the last attempt ended with.</param>
    /// <param name="attempt">The retry being considered, from 1.</param>
    /// <param name="sequenceToken">The token of the whole retry sequence (not a per-attempt token).</param>
    public bool ShouldRetry(Exception exception, int attempt, CancellationToken sequenceToken) => throw new NotImplementedException();

    /// <summary>Whether to make retry <paramref name="attempt"/> after a result marked as a failure by <c>HandleResult</c>.</summary>
    /// <param name="attempt">The retry being considered, from 1.</param>
    /// <param name="sequenceToken">The token of the whole retry sequence.</param>
    public bool ShouldRetryResult(int attempt, CancellationToken sequenceToken) => throw new NotImplementedException();

    /// <summary>Waits the policy's delay before retry <paramref name="attempt"/> on the strategy's clock; ends at once with <see cref="OperationCanceledException"/> when <paramref name="cancellationToken"/> is cancelled.</summary>
    /// <param name="attempt">The retry about to be made, from 1.</param>
    /// <param name="cancellationToken">Ends the wait.</param>
    public ValueTask DelayAsync(int attempt, CancellationToken cancellationToken) => throw new NotImplementedException();

    /// <summary>Blocks for the policy's delay before retry <paramref name="attempt"/>; for synchronous methods.</summary>
    /// <param name="attempt">The retry about to be made, from 1.</param>
    /// <param name="cancellationToken">Ends the wait.</param>
    public void Delay(int attempt, CancellationToken cancellationToken) => throw new NotImplementedException();
}
