using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Resilience.AspNetCore;

/// <summary>Registers the answer to rejections and timeouts: status codes, <c>Retry-After</c> and RFC 9457 problem details.</summary>
public static class ResilienceProblemDetailsServiceCollectionExtensions
{
    /// <summary>
    /// Answers a <see cref="BrokenCircuitException"/> with 503, a <see cref="RateLimitRejectedException"/> with 429, a
    /// <see cref="BulkheadRejectedException"/> with 503 and a <see cref="ResilienceTimeoutException"/> with 504 (see
    /// <see cref="ResilienceProblemDetailsOptions"/>), with <c>Retry-After</c> when the rejection knows when to retry,
    /// and an RFC 9457 problem-details body. Registers an <see cref="Microsoft.AspNetCore.Diagnostics.IExceptionHandler"/>
    /// and <c>AddProblemDetails()</c>; the exception-handler middleware must run, so the app calls
    /// <see cref="ExceptionHandlerExtensions.UseExceptionHandler(IApplicationBuilder)"/> as for any exception handler.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Changes the status codes or adds the instance name; validated when the handler is first created.</param>
    /// <remarks>
    /// Only the exception itself is matched (not its inner exceptions). Handlers registered before this call run first.
    /// The status codes must be 400–599; an invalid one throws <see cref="ArgumentOutOfRangeException"/> naming the setting.
    /// </remarks>
    public static IServiceCollection AddResilienceProblemDetails(this IServiceCollection services, Action<ResilienceProblemDetailsOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddProblemDetails();
        services.AddOptions<ResilienceProblemDetailsOptions>();
        if (configure is not null)
        {
            services.Configure(configure);
        }

        services.AddExceptionHandler<ResilienceExceptionHandler>();
        return services;
    }
}
