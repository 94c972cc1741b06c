using System.Net;
using System.Net.Http.Headers;

namespace Resilience.Http;

/// <summary>
/// The built-in classification of transient HTTP outcomes, and the reading of <c>Retry-After</c>. Use it from the
/// attributes (a one-line <c>HandleResult</c> predicate on the interface), from a retry policy, or let
/// <see cref="HttpRetryPolicy"/> and <c>AddResilientHandler</c> (<see cref="Microsoft.Extensions.DependencyInjection.ResilientHttpClientBuilderExtensions"/>) use it for you.
/// </summary>
/// <remarks>
/// Transient: a status of 500 or more, 408 (Request Timeout) or 429 (Too Many Requests); an
/// <see cref="HttpRequestException"/> (a connection refused or reset, a DNS failure, or
/// <c>EnsureSuccessStatusCode</c> of a transient status); a <see cref="TimeoutException"/> (including
/// <see cref="ResilienceTimeoutException"/> from a per-attempt timeout); an <see cref="OperationCanceledException"/>
/// caused by a <see cref="TimeoutException"/> (what <see cref="HttpClient.Timeout"/> throws). Not transient: anything
/// else, in particular a plain <see cref="OperationCanceledException"/> (a caller's cancellation), a
/// <see cref="PermanentException"/> and a <see cref="ResilienceRejectedException"/>. This is the set
/// Microsoft.Extensions.Http.Resilience retries by default. All members are thread-safe and allocate nothing.
/// </remarks>
public static class HttpOutcomes
{
    /// <summary><see langword="true"/> for a transient status: 500 or more, 408 or 429.</summary>
    /// <param name="statusCode">The response status.</param>
    public static bool IsTransient(HttpStatusCode statusCode)
    {
        int code = (int)statusCode;
        return code >= 500 || code == 408 || code == 429;
    }

    /// <summary>
    /// <see langword="true"/> for a response with a transient status (see <see cref="IsTransient(HttpStatusCode)"/>).
    /// A predicate for <c>HandleResult</c> and <see cref="ResilientCallBuilder{T}.WithHandleResult"/>.
    /// </summary>
    /// <param name="response">The response; <see langword="null"/> is not transient.</param>
    public static bool IsTransient(HttpResponseMessage? response) => response is not null && IsTransient(response.StatusCode);

    /// <summary>
    /// <see langword="true"/> for a transient exception, as the class remarks list them. An exception of another type
    /// is transient when its <see cref="Exception.InnerException"/> is (followed at most 8 levels): a library's wrapper
    /// of a connection failure, such as Refit's <c>ApiRequestException</c> around an <see cref="HttpRequestException"/>,
    /// counts as what it wraps. A <see cref="PermanentException"/> or <see cref="ResilienceRejectedException"/> never does.
    /// </summary>
    /// <param name="exception">The exception a call ended with.</param>
    public static bool IsTransient(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        Exception? current = exception;
        for (int depth = 0; current is not null && depth <= 8; depth++)
        {
            switch (current)
            {
                case PermanentException or ResilienceRejectedException:
                    return false;
                case HttpRequestException { StatusCode: { } status }:
                    return IsTransient(status);
                case HttpRequestException or TimeoutException:
                    return true;
                case OperationCanceledException:
                    return current.InnerException is TimeoutException;
            }

            current = current.InnerException;
        }

        return false;
    }

    /// <summary>
    /// <see langword="true"/> for a transient status, or, when there is no status (no response was received), a
    /// transient <paramref name="error"/>. For response objects that carry both, such as Refit's
    /// <c>IApiResponse</c>: <c>static bool IsTransient(IApiResponse&lt;User&gt; r) =&gt; HttpOutcomes.IsTransient(r.StatusCode, r.Error);</c>
    /// </summary>
    /// <param name="statusCode">The response status, or <see langword="null"/> when no response was received.</param>
    /// <param name="error">The failure recorded when no response was received.</param>
    public static bool IsTransient(HttpStatusCode? statusCode, Exception? error) =>
        statusCode is { } status ? IsTransient(status) : error is not null && IsTransient(error);

    /// <summary>
    /// Reads the <c>Retry-After</c> header of <paramref name="response"/> as a delay from now: delta-seconds as they
    /// are; an HTTP-date minus the response's <c>Date</c> header (the server's own clock, so no clock skew), or minus
    /// <paramref name="timeProvider"/>'s now when the response has no <c>Date</c>. A date in the past is a zero delay.
    /// </summary>
    /// <param name="response">The response.</param>
    /// <param name="timeProvider">The clock for an HTTP-date without a <c>Date</c> header; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    /// <param name="delay">The delay the server asks for; <see cref="TimeSpan.Zero"/> when there is none.</param>
    /// <returns><see langword="true"/> when the response has a usable <c>Retry-After</c>.</returns>
    public static bool TryGetRetryAfter(HttpResponseMessage response, TimeProvider? timeProvider, out TimeSpan delay)
    {
        ArgumentNullException.ThrowIfNull(response);
        return TryGetRetryAfter(response.Headers, timeProvider, out delay);
    }

    /// <summary>
    /// Reads <c>Retry-After</c> from response headers, as <see cref="TryGetRetryAfter(HttpResponseMessage, TimeProvider?, out TimeSpan)"/>
    /// does: for headers that come without their message, such as Refit's <c>IApiResponse.Headers</c> or <c>ApiException.Headers</c>.
    /// </summary>
    /// <param name="headers">The response headers.</param>
    /// <param name="timeProvider">The clock for an HTTP-date without a <c>Date</c> header; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    /// <param name="delay">The delay the server asks for; <see cref="TimeSpan.Zero"/> when there is none.</param>
    /// <returns><see langword="true"/> when the headers hold a usable <c>Retry-After</c>.</returns>
    public static bool TryGetRetryAfter(HttpResponseHeaders headers, TimeProvider? timeProvider, out TimeSpan delay)
    {
        ArgumentNullException.ThrowIfNull(headers);
        RetryConditionHeaderValue? retryAfter = headers.RetryAfter;
        if (retryAfter?.Delta is { } delta)
        {
            delay = delta > TimeSpan.Zero ? delta : TimeSpan.Zero;
            return true;
        }

        if (retryAfter?.Date is { } date)
        {
            DateTimeOffset now = headers.Date ?? (timeProvider ?? TimeProvider.System).GetUtcNow();
            TimeSpan wait = date - now;
            delay = wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
            return true;
        }

        delay = TimeSpan.Zero;
        return false;
    }
}
