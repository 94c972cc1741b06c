namespace Resilience.Http;

/// <summary>
/// A retry policy for HTTP: retries transient failures only (<see cref="HttpOutcomes.IsTransient(Exception)"/>, and,
/// through <c>HandleResult</c>, transient responses), and waits what the server asks for in <c>Retry-After</c>
/// (delta-seconds or HTTP-date), capped at <see cref="RetryOptions.MaxDelay"/>; without the header, the backoff of the
/// options (exponential from 200 ms, jitter 0.2, by default).
/// </summary>
/// <remarks>
/// <para>
/// On an attribute: <c>[Retry(Policy = typeof(HttpRetryPolicy), HandleResult = nameof(IsTransient))]</c>. A policy named
/// on an attribute is created with its parameterless constructor, so it uses the default <see cref="RetryOptions"/>;
/// for other settings derive a class (this one is not sealed for that):
/// <c>public sealed class GitHubRetry() : HttpRetryPolicy(new RetryOptions { Delay = TimeSpan.FromMilliseconds(100), MaxDelay = TimeSpan.FromSeconds(5) });</c>
/// </para>
/// <para>
/// <see cref="RetryOptions.RetryOn"/>, when set, narrows the exceptions further; a <see cref="PermanentException"/> and a
/// <see cref="ResilienceRejectedException"/> are never retried. <c>Retry-After</c> is read from an
/// <see cref="HttpResponseMessage"/> result; override <see cref="TryGetRetryAfter"/> to read it from other results or
/// exceptions (Refit's <c>IApiResponse</c> or <c>ApiException</c>, say). Thread-safe; allocates nothing.
/// </para>
/// </remarks>
public class HttpRetryPolicy : IRetryPolicy
{
    private readonly RetryPolicy _backoff;
    private readonly TimeSpan _maxDelay;

    /// <summary>Creates the policy with the default <see cref="RetryOptions"/>: exponential backoff from 200 ms, at most 30 s, jitter 0.2.</summary>
    public HttpRetryPolicy()
        : this(new RetryOptions())
    {
    }

    /// <summary>Creates the policy.</summary>
    /// <param name="options">The backoff, its cap (which also caps <c>Retry-After</c>) and <see cref="RetryOptions.RetryOn"/>; validated here. <see cref="RetryOptions.MaxRetries"/> belongs to the strategy, not the policy.</param>
    /// <param name="timeProvider">The clock for a <c>Retry-After</c> date when the response has no <c>Date</c> header; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    public HttpRetryPolicy(RetryOptions options, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Policy is not null)
        {
            throw new ArgumentException(
                "HttpRetryPolicy takes its backoff from the options and cannot wrap another policy: leave RetryOptions.Policy null here.",
                nameof(options));
        }

        _backoff = RetryPolicy.Create(options); // validates
        _maxDelay = options.MaxDelay;
        TimeProvider = timeProvider ?? TimeProvider.System;
    }

    /// <summary>The clock for a <c>Retry-After</c> date when the response has no <c>Date</c> header.</summary>
    protected TimeProvider TimeProvider { get; }

    /// <inheritdoc />
    /// <remarks><see langword="true"/> when the exception is transient (<see cref="HttpOutcomes.IsTransient(Exception)"/>) and the options' <see cref="RetryOptions.RetryOn"/>, if any, lists it.</remarks>
    public virtual bool ShouldRetry(Exception exception, int attempt) =>
        HttpOutcomes.IsTransient(exception) && _backoff.ShouldRetry(exception, attempt);

    /// <inheritdoc />
    /// <remarks>The backoff delay of the options.</remarks>
    public TimeSpan GetDelay(int attempt) => _backoff.GetDelay(attempt);

    /// <inheritdoc />
    /// <remarks>The <c>Retry-After</c> delay (<see cref="TryGetRetryAfter"/>) capped at <see cref="RetryOptions.MaxDelay"/>, else the backoff delay.</remarks>
    public TimeSpan GetDelay<TResult>(int attempt, in RetryOutcome<TResult> outcome)
    {
        if (TryGetRetryAfter(outcome, out TimeSpan retryAfter))
        {
            return retryAfter > _maxDelay ? _maxDelay : retryAfter < TimeSpan.Zero ? TimeSpan.Zero : retryAfter;
        }

        return _backoff.GetDelay(attempt);
    }

    /// <summary>
    /// Finds the delay the server asked for in the previous attempt's outcome. By default: the <c>Retry-After</c> of an
    /// <see cref="HttpResponseMessage"/> result (<see cref="HttpOutcomes.TryGetRetryAfter(HttpResponseMessage, TimeProvider?, out TimeSpan)"/>).
    /// </summary>
    /// <typeparam name="TResult">The call's result type (<see cref="object"/> for an exception).</typeparam>
    /// <param name="outcome">What the previous attempt ended with.</param>
    /// <param name="delay">The delay asked for.</param>
    /// <returns><see langword="true"/> when the outcome carries one.</returns>
    protected virtual bool TryGetRetryAfter<TResult>(in RetryOutcome<TResult> outcome, out TimeSpan delay)
    {
        if (outcome.Result is HttpResponseMessage response)
        {
            return HttpOutcomes.TryGetRetryAfter(response, TimeProvider, out delay);
        }

        delay = TimeSpan.Zero;
        return false;
    }
}
