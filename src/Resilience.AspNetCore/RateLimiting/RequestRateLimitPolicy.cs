using System.Collections.Concurrent;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Resilience.AspNetCore;

/// <summary>One declared request rate limit, bound to its keyed limiter in the registry.</summary>
internal sealed class RequestRateLimitPolicy
{
    internal const string RejectedDetail = "The request was not served: too many requests for this client. Try again later.";

    private readonly Func<HttpContext, string?> _keySelector;
    private readonly int _statusCode;

    public RequestRateLimitPolicy(string name, RequestRateLimitOptions options, ResilienceRegistry registry)
    {
        if (options.Limit is null)
        {
            throw new InvalidOperationException($"Request rate limit '{name}': Limit is null; set it to a RateLimitOptions (or leave the default).");
        }

        if (options.RejectionStatusCode is < 400 or > 599)
        {
            throw new ArgumentOutOfRangeException(
                nameof(options.RejectionStatusCode), options.RejectionStatusCode,
                $"Request rate limit '{name}': RejectionStatusCode must be an error status code (400–599); got {options.RejectionStatusCode}.");
        }

        Name = name;
        Limiter = registry.GetOrAddKeyedRateLimit<string>(name, options.Limit);
        _statusCode = options.RejectionStatusCode;
        _keySelector = options.KeySelector ?? (options.KeyHeader is { Length: > 0 } header ? context => HeaderOrAddress(context, header) : AddressOnly);
    }

    public string Name { get; }

    public KeyedRateLimitStrategy<string> Limiter { get; }

    /// <summary>The key of <paramref name="context"/>'s request.</summary>
    public string? KeyOf(HttpContext context) => _keySelector(context);

    /// <summary>
    /// Takes a permit for the request's key (waiting in the key's queue, if the limit has one); on rejection answers with
    /// the status code, <c>Retry-After</c> and problem details and returns <see langword="false"/>.
    /// </summary>
    public ValueTask<bool> TryAcquireAsync(HttpContext context)
    {
        ValueTask acquire = Limiter.AcquireAsync(KeyOf(context), context.RequestAborted);
        if (acquire.IsCompletedSuccessfully)
        {
            acquire.GetAwaiter().GetResult();
            return new ValueTask<bool>(true);
        }

        return AwaitAsync(acquire, context);
    }

    private async ValueTask<bool> AwaitAsync(ValueTask acquire, HttpContext context)
    {
        try
        {
            await acquire.ConfigureAwait(false);
            return true;
        }
        catch (RateLimitRejectedException rejected)
        {
            await ResilienceProblemWriter.WriteAsync(
                context, _statusCode, "rate_limit", RejectedDetail, rejected.RetryAfter, instanceName: null, exception: null).ConfigureAwait(false);
            return false;
        }
    }

    private static string? HeaderOrAddress(HttpContext context, string header)
    {
        foreach (string? value in context.Request.Headers[header])
        {
            if (!string.IsNullOrEmpty(value))
            {
                return "user:" + value;
            }
        }

        return AddressOnly(context);
    }

    private static string? AddressOnly(HttpContext context)
        => context.Connection.RemoteIpAddress is { } address ? "ip:" + address : null;
}

/// <summary>The declared request rate limits, bound on first use (one per name).</summary>
internal sealed class RequestRateLimitPolicies(
    IServiceProvider services, IOptionsMonitor<RequestRateLimitOptions> options, IEnumerable<RequestRateLimitRegistration> registrations)
{
    private readonly ConcurrentDictionary<string, RequestRateLimitPolicy> _policies = new(StringComparer.Ordinal);
    private readonly HashSet<string> _declared = new(registrations.Select(r => r.Name), StringComparer.Ordinal);

    public RequestRateLimitPolicy Get(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (_policies.TryGetValue(name, out RequestRateLimitPolicy? policy))
        {
            return policy;
        }

        if (!_declared.Contains(name))
        {
            string known = _declared.Count == 0 ? "none is declared" : "declared: " + string.Join(", ", _declared.Order(StringComparer.Ordinal).Select(n => $"'{n}'"));
            throw new InvalidOperationException(
                $"No request rate limit named '{name}' ({known}). Declare it with services.AddResilienceRequestRateLimit(\"{name}\", options => ...).");
        }

        lock (_policies)
        {
            return _policies.GetOrAdd(name, new RequestRateLimitPolicy(name, options.Get(name), services.GetRequiredService<ResilienceRegistry>()));
        }
    }
}

/// <summary>Marks a name declared with <see cref="RequestRateLimitServiceCollectionExtensions.AddResilienceRequestRateLimit"/>.</summary>
internal sealed record RequestRateLimitRegistration(string Name);
