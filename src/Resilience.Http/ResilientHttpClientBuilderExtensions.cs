using Microsoft.Extensions.DependencyInjection;
using Resilience;
using Resilience.Http;

// The namespace of IHttpClientBuilder and AddHttpClient, so that the extensions show up where they are chained.
namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Puts the library's strategies around HttpClients of <see cref="IHttpClientFactory"/>: a generated decorator around a
/// typed client or a Refit client (<see cref="AddResilientDecorator{TClient}"/>), or a
/// <see cref="DelegatingHandler"/> around every request of a named or typed client (<c>AddResilientHandler</c>).
/// </summary>
public static class ResilientHttpClientBuilderExtensions
{
    /// <summary>
    /// Wraps the client that <paramref name="builder"/> registered as <typeparamref name="TClient"/> in its generated
    /// decorator: <c>services.AddHttpClient&lt;IGitHubClient, GitHubClient&gt;(c =&gt; c.BaseAddress = ...).AddResilientDecorator&lt;IGitHubClient&gt;()</c>,
    /// or <c>services.AddRefitClient&lt;IGitHubApi&gt;().ConfigureHttpClient(...).AddResilientDecorator&lt;IGitHubApi&gt;()</c>.
    /// The configured client (base address, handlers, lifetime: transient, as typed clients are) stays what the
    /// decorator calls. Also registers the <see cref="Resilience.ResilienceRegistry"/> singleton unless one is registered.
    /// </summary>
    /// <remarks>
    /// This is <see cref="ResilienceServiceCollectionExtensions.AddResilientDecorator{TService}"/> applied to the
    /// registration that <c>AddHttpClient&lt;TClient, TImplementation&gt;</c>, <c>AddTypedClient&lt;TClient&gt;</c> or
    /// <c>AddRefitClient&lt;TClient&gt;</c> made; a later registration of <typeparamref name="TClient"/> (calling
    /// <c>AddHttpClient&lt;TClient, ...&gt;</c> again, say) would hide the decorator, and fails the host's start with a
    /// message that says so.
    /// </remarks>
    /// <typeparam name="TClient">The client interface, with resilience attributes.</typeparam>
    /// <param name="builder">The builder that registered <typeparamref name="TClient"/>.</param>
    /// <returns>The same builder, to chain further configuration.</returns>
    /// <exception cref="InvalidOperationException"><typeparamref name="TClient"/> is not registered yet, or no decorator was generated for it.</exception>
    public static IHttpClientBuilder AddResilientDecorator<TClient>(this IHttpClientBuilder builder)
        where TClient : class
    {
        ArgumentNullException.ThrowIfNull(builder);
        bool registered = false;
        foreach (ServiceDescriptor descriptor in builder.Services)
        {
            registered |= descriptor.ServiceType == typeof(TClient) && !descriptor.IsKeyedService;
        }

        if (!registered)
        {
            string client = typeof(TClient).Name;
            throw new InvalidOperationException(
                $"AddResilientDecorator<{client}>() on the HttpClient '{builder.Name}' found no registration of {typeof(TClient).FullName} to wrap. "
                + $"Register the client as {client} first and chain the call on what that returns: services.AddHttpClient<{client}, Implementation>(...).AddResilientDecorator<{client}>(), "
                + $"services.AddRefitClient<{client}>().AddResilientDecorator<{client}>(), or builder.AddTypedClient<{client}>(...).AddResilientDecorator<{client}>().");
        }

        builder.Services.AddResilientDecorator<TClient>();
        return builder;
    }

    /// <summary>
    /// Adds a <see cref="DelegatingHandler"/> that runs every request of this HttpClient through the strategies
    /// <paramref name="configure"/> adds to a <see cref="ResilientCallBuilder{T}"/> of <see cref="HttpResponseMessage"/>:
    /// the <see cref="ResilientCall"/> composition (same order, same registry, names, configuration and telemetry as
    /// generated decorators), for clients without an interface.
    /// </summary>
    /// <remarks>
    /// <para>
    /// The composition is built once per client name, from the registry in the container, and shared by every handler
    /// the factory creates for it (handlers are recycled; the breaker's state is not). Unless <paramref name="configure"/>
    /// says otherwise, the call is named after the client (<see cref="IHttpClientBuilder.Name"/>) and transient responses
    /// are failures (<see cref="HttpOutcomes.IsTransient(HttpResponseMessage)"/> as <c>WithHandleResult</c>): retried,
    /// counted by the breaker, and returned as they are when the retries run out. A response that is retried is disposed.
    /// For <c>Retry-After</c>, give the retry an <see cref="HttpRetryPolicy"/>:
    /// <c>call.WithRetry(new RetryOptions { MaxRetries = 3, Policy = new HttpRetryPolicy(new RetryOptions { MaxDelay = TimeSpan.FromSeconds(5) }) })</c>.
    /// </para>
    /// <para>
    /// A retried request is sent again as it is: its content must be readable more than once (string, byte array, JSON
    /// and form contents are; a <see cref="StreamContent"/> over a stream that cannot seek is not). The handler is added
    /// where this call stands among the client's handlers: after it, handlers run once per attempt.
    /// </para>
    /// </remarks>
    /// <param name="builder">The HttpClient's builder.</param>
    /// <param name="configure">Adds the strategies.</param>
    /// <returns>The same builder.</returns>
    /// <exception cref="InvalidOperationException">A resilient handler was already added to this client.</exception>
    public static IHttpClientBuilder AddResilientHandler(this IHttpClientBuilder builder, Action<Resilience.ResilientCallBuilder<HttpResponseMessage>> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        return builder.AddResilientHandler((call, _) => configure(call));
    }

    /// <summary>
    /// Adds a <see cref="DelegatingHandler"/> that runs every request of this HttpClient through strategies, like
    /// <see cref="AddResilientHandler(IHttpClientBuilder, Action{Resilience.ResilientCallBuilder{HttpResponseMessage}})"/>,
    /// with the service provider at hand for <paramref name="configure"/>.
    /// </summary>
    /// <param name="builder">The HttpClient's builder.</param>
    /// <param name="configure">Adds the strategies; it also receives the root service provider.</param>
    /// <returns>The same builder.</returns>
    /// <exception cref="InvalidOperationException">A resilient handler was already added to this client.</exception>
    public static IHttpClientBuilder AddResilientHandler(this IHttpClientBuilder builder, Action<Resilience.ResilientCallBuilder<HttpResponseMessage>, IServiceProvider> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);

        var key = new ResilientHttpHandler.PipelineKey(builder.Name);
        foreach (ServiceDescriptor descriptor in builder.Services)
        {
            if (descriptor.IsKeyedService && Equals(descriptor.ServiceKey, key))
            {
                throw new InvalidOperationException(
                    $"AddResilientHandler was already called for the HttpClient '{builder.Name}'. Add every strategy in one call "
                    + "(each strategy at most once, in any order: they always run in the documented order).");
            }
        }

        builder.Services.AddResilienceRegistry();
        string operationName = string.IsNullOrEmpty(builder.Name) ? "HttpClient" : builder.Name;
        builder.Services.AddKeyedSingleton(key, (sp, _) =>
        {
            Resilience.ResilientCallBuilder<HttpResponseMessage> call =
                Resilience.ResilientCall.For<HttpResponseMessage>(sp.GetRequiredService<Resilience.ResilienceRegistry>());
            configure(call, sp);
            if (!call.HasName)
            {
                call.WithName(operationName);
            }

            if (!call.HasHandleResult)
            {
                call.WithHandleResult(HttpOutcomes.IsTransient);
            }

            return call.Build();
        });
        builder.AddHttpMessageHandler(sp => new ResilientHttpHandler(sp.GetRequiredKeyedService<Resilience.ResilientCall<HttpResponseMessage>>(key)));
        return builder;
    }
}
