using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Resilience.AspNetCore;

/// <summary>Declares request rate limits: one keyed limit of the <see cref="ResilienceRegistry"/> per name, applied per request key.</summary>
public static class RequestRateLimitServiceCollectionExtensions
{
    /// <summary>
    /// Declares the request rate limit <paramref name="name"/>: the registry's keyed rate limit of that name (keyed by
    /// the request's key, see <see cref="RequestRateLimitOptions"/>), so it shares configuration
    /// (<c>Resilience:Instances:{name}:RateLimit</c>), telemetry (<c>resilience.rejections</c> with
    /// <c>resilience.instance</c> = <paramref name="name"/>) and its bounded key table with the rest of the library.
    /// Apply it to every request with
    /// <see cref="RequestRateLimitApplicationBuilderExtensions.UseResilienceRequestRateLimit"/>, or to endpoints with
    /// <see cref="RequestRateLimitApplicationBuilderExtensions.RequireResilienceRateLimit{TBuilder}"/>.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="name">The limit's name (the registry's rate-limit name space: it must not also be a limit without a key).</param>
    /// <param name="configure">Sets the limit and the key; may be called again for the same name to change the options.</param>
    /// <remarks>
    /// The limit is bound to the registry the first time a request uses it (the middleware binds it when the pipeline is
    /// built): settings that disagree with an existing instance of that name fail there, naming it.
    /// </remarks>
    public static IServiceCollection AddResilienceRequestRateLimit(this IServiceCollection services, string name, Action<RequestRateLimitOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddResilienceRegistry();
        services.TryAddSingleton<RequestRateLimitPolicies>();
        services.AddOptions<RequestRateLimitOptions>(name).Configure(configure);
        if (!services.Any(d => d.ServiceType == typeof(RequestRateLimitRegistration) && d.ImplementationInstance is RequestRateLimitRegistration r && r.Name == name))
        {
            services.AddSingleton(new RequestRateLimitRegistration(name));
        }

        return services;
    }
}

/// <summary>Applies a declared request rate limit to requests.</summary>
public static class RequestRateLimitApplicationBuilderExtensions
{
    /// <summary>
    /// Rate-limits every request that reaches this point of the pipeline by the limit <paramref name="name"/>; a
    /// rejected request gets the limit's status code (429 by default), <c>Retry-After</c> when known and problem
    /// details, and goes no further.
    /// </summary>
    /// <param name="app">The application.</param>
    /// <param name="name">A limit declared with <see cref="RequestRateLimitServiceCollectionExtensions.AddResilienceRequestRateLimit"/>.</param>
    /// <exception cref="InvalidOperationException">No limit of that name is declared, or its settings disagree with the registry's instance of that name.</exception>
    public static IApplicationBuilder UseResilienceRequestRateLimit(this IApplicationBuilder app, string name)
    {
        ArgumentNullException.ThrowIfNull(app);
        RequestRateLimitPolicy policy = Policies(app.ApplicationServices).Get(name);
        return app.Use(next => context =>
        {
            ValueTask<bool> acquired = policy.TryAcquireAsync(context);
            if (acquired.IsCompletedSuccessfully)
            {
                return acquired.Result ? next(context) : Task.CompletedTask;
            }

            return ContinueAsync(acquired, next, context);
        });

        static async Task ContinueAsync(ValueTask<bool> acquired, RequestDelegate next, HttpContext context)
        {
            if (await acquired.ConfigureAwait(false))
            {
                await next(context).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// Rate-limits the requests of these endpoints (minimal API endpoints or a route group) by the limit
    /// <paramref name="name"/>, as an endpoint filter: a rejected request gets the limit's status code (429 by
    /// default), <c>Retry-After</c> when known and problem details, and the handler is not called. For MVC controllers
    /// use <see cref="UseResilienceRequestRateLimit"/>.
    /// </summary>
    /// <typeparam name="TBuilder">The endpoint convention builder.</typeparam>
    /// <param name="builder">The endpoints.</param>
    /// <param name="name">A limit declared with <see cref="RequestRateLimitServiceCollectionExtensions.AddResilienceRequestRateLimit"/>.</param>
    /// <remarks>The limit is bound when the endpoint is built; an undeclared name fails there.</remarks>
    public static TBuilder RequireResilienceRateLimit<TBuilder>(this TBuilder builder, string name)
        where TBuilder : IEndpointConventionBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(name);
        return builder.AddEndpointFilterFactory((factoryContext, next) =>
        {
            RequestRateLimitPolicy policy = Policies(factoryContext.ApplicationServices).Get(name);
            return async invocationContext =>
                await policy.TryAcquireAsync(invocationContext.HttpContext).ConfigureAwait(false)
                    ? await next(invocationContext).ConfigureAwait(false)
                    : Results.Empty;
        });
    }

    private static RequestRateLimitPolicies Policies(IServiceProvider services)
        => services.GetService<RequestRateLimitPolicies>() ?? throw new InvalidOperationException(
            "No request rate limit is declared. Declare one with services.AddResilienceRequestRateLimit(\"name\", options => ...) before building the app.");
}
