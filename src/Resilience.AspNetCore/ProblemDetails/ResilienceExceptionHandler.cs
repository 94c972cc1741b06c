using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace Resilience.AspNetCore;

/// <summary>
/// Answers the library's rejections and timeouts that escape an endpoint with a status code, <c>Retry-After</c> and
/// problem details (see <see cref="ResilienceProblemDetailsOptions"/>); any other exception is left to the next handler.
/// </summary>
internal sealed class ResilienceExceptionHandler : IExceptionHandler
{
    internal const string CircuitDetail = "The request was not served: a dependency is failing and its circuit breaker is open. Try again later.";
    internal const string RateLimitDetail = "The request was not served: a rate limit was reached. Try again later.";
    internal const string BulkheadDetail = "The request was not served: too many calls to a dependency are in progress. Try again later.";
    internal const string TimeoutDetail = "The request was not served: a dependency did not answer in time.";
    internal const string OtherDetail = "The request was not served: a resilience strategy rejected it. Try again later.";

    private readonly ResilienceProblemDetailsOptions _options;

    public ResilienceExceptionHandler(IOptions<ResilienceProblemDetailsOptions> options)
    {
        _options = options.Value;
        _options.Validate();
    }

    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        (int status, string strategy, string detail, TimeSpan? retryAfter, string? instance) = exception switch
        {
            BrokenCircuitException broken => (_options.BrokenCircuitStatusCode, "circuit_breaker", CircuitDetail, broken.RetryAfter, broken.InstanceName),
            RateLimitRejectedException limited => (_options.RateLimitStatusCode, "rate_limit", RateLimitDetail, limited.RetryAfter, limited.InstanceName),
            BulkheadRejectedException full => (_options.BulkheadStatusCode, "bulkhead", BulkheadDetail, full.RetryAfter, full.InstanceName),
            ResilienceRejectedException other => (_options.OtherRejectionStatusCode, "rejected", OtherDetail, other.RetryAfter, other.InstanceName),
            ResilienceTimeoutException timeout => (_options.TimeoutStatusCode, "timeout", TimeoutDetail, (TimeSpan?)null, timeout.InstanceName),
            _ => (0, "", "", null, null),
        };

        if (status == 0)
        {
            return false;
        }

        await ResilienceProblemWriter.WriteAsync(
            httpContext, status, strategy, detail, retryAfter, _options.IncludeInstanceName ? instance : null, exception).ConfigureAwait(false);
        return true;
    }
}
