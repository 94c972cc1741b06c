using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Resilience.AspNetCore;

/// <summary>An endpoint that answers the registry's state as JSON.</summary>
public static class ResilienceStateEndpointRouteBuilderExtensions
{
    /// <summary>The default route of the state endpoint.</summary>
    public const string DefaultPattern = "/resilience";

    /// <summary>
    /// Maps <c>GET <paramref name="pattern"/></c> to the registry's <see cref="ResilienceRegistry.GetSnapshot"/> as JSON
    /// (<c>application/json</c>, <c>Cache-Control: no-store</c>; the shape is in docs/aspnetcore.md). Reading it changes
    /// no state. The JSON is written by hand (<see cref="Utf8JsonWriter"/>): no reflection, trimming- and AOT-safe.
    /// </summary>
    /// <param name="endpoints">The route builder.</param>
    /// <param name="pattern">The route. Default <see cref="DefaultPattern"/>.</param>
    /// <param name="registry">The registry to show; <see langword="null"/>: the app's registered one.</param>
    /// <returns>The endpoint's builder: the state names every instance, so protect it (<c>.RequireAuthorization(...)</c>) where clients can reach it.</returns>
    /// <exception cref="InvalidOperationException"><paramref name="registry"/> is <see langword="null"/> and none is registered.</exception>
    public static IEndpointConventionBuilder MapResilienceState(this IEndpointRouteBuilder endpoints, string pattern = DefaultPattern, ResilienceRegistry? registry = null)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentException.ThrowIfNullOrEmpty(pattern);
        ResilienceRegistry target = registry
            ?? endpoints.ServiceProvider.GetService<ResilienceRegistry>()
            ?? throw new InvalidOperationException(
                "MapResilienceState found no ResilienceRegistry: register it with services.AddResilienceRegistry() (AddResilient does), or pass the registry to show.");
        return endpoints.MapGet(pattern, context => WriteAsync(context, target.GetSnapshot()));
    }

    private static async Task WriteAsync(HttpContext context, ResilienceRegistrySnapshot snapshot)
    {
        HttpResponse response = context.Response;
        response.ContentType = "application/json; charset=utf-8";
        response.Headers.CacheControl = "no-store";
        await using (var writer = new Utf8JsonWriter(response.BodyWriter))
        {
            ResilienceStateJson.Write(writer, snapshot);
        }

        await response.BodyWriter.FlushAsync(context.RequestAborted).ConfigureAwait(false);
    }
}

/// <summary>Writes a <see cref="ResilienceRegistrySnapshot"/> as the JSON of the state endpoint.</summary>
internal static class ResilienceStateJson
{
    public static void Write(Utf8JsonWriter writer, ResilienceRegistrySnapshot snapshot)
    {
        writer.WriteStartObject();

        writer.WriteStartArray("circuitBreakers");
        foreach (CircuitBreakerSnapshot breaker in snapshot.CircuitBreakers)
        {
            writer.WriteStartObject();
            writer.WriteString("name", breaker.Name);
            writer.WriteString("state", CircuitBreakerHealthCheck.StateName(breaker.State));
            if (breaker.RetryAfter is { } retryAfter)
            {
                writer.WriteNumber("retryAfterSeconds", retryAfter.TotalSeconds);
            }
            else
            {
                writer.WriteNull("retryAfterSeconds");
            }

            CircuitCounts counts = breaker.Counts;
            writer.WriteStartObject("counts");
            writer.WriteNumber("requests", counts.Requests);
            writer.WriteNumber("successes", counts.Successes);
            writer.WriteNumber("failures", counts.Failures);
            writer.WriteNumber("timeouts", counts.Timeouts);
            writer.WriteNumber("consecutiveSuccesses", counts.ConsecutiveSuccesses);
            writer.WriteNumber("consecutiveFailures", counts.ConsecutiveFailures);
            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        writer.WriteEndArray();

        writer.WriteStartArray("keyedCircuitBreakers");
        foreach (KeyedCircuitBreakerSnapshot keyed in snapshot.KeyedCircuitBreakers)
        {
            writer.WriteStartObject();
            writer.WriteString("name", keyed.Name);
            writer.WriteNumber("keys", keyed.KeyCount);
            writer.WriteNumber("keysClosed", keyed.KeysClosed);
            writer.WriteNumber("keysOpen", keyed.KeysOpen);
            writer.WriteNumber("keysHalfOpen", keyed.KeysHalfOpen);
            writer.WriteNumber("keysIsolated", keyed.KeysIsolated);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();

        writer.WriteStartArray("bulkheads");
        foreach (BulkheadSnapshot bulkhead in snapshot.Bulkheads)
        {
            writer.WriteStartObject();
            writer.WriteString("name", bulkhead.Name);
            writer.WriteNumber("maxConcurrency", bulkhead.MaxConcurrency);
            writer.WriteNumber("maxQueue", bulkhead.MaxQueue);
            writer.WriteNumber("running", bulkhead.Running);
            writer.WriteNumber("queued", bulkhead.Queued);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();

        writer.WriteStartArray("rateLimits");
        foreach (RateLimitSnapshot rateLimit in snapshot.RateLimits)
        {
            writer.WriteStartObject();
            writer.WriteString("name", rateLimit.Name);
            writer.WriteBoolean("keyed", rateLimit.IsKeyed);
            if (rateLimit.KeyCount is { } keys)
            {
                writer.WriteNumber("keys", keys);
            }

            writer.WriteEndObject();
        }

        writer.WriteEndArray();

        writer.WriteStartArray("timeouts");
        foreach (TimeoutSnapshot timeout in snapshot.Timeouts)
        {
            writer.WriteStartObject();
            writer.WriteString("name", timeout.Name);
            writer.WriteNumber("timeoutMs", timeout.Timeout.TotalMilliseconds);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();

        WriteNames(writer, "retries", snapshot.Retries);
        WriteNames(writer, "cacheFallbacks", snapshot.CacheFallbacks);
        WriteNames(writer, "hedges", snapshot.Hedges);
        writer.WriteStartArray("retryBudgets");
        foreach (RetryBudgetSnapshot budget in snapshot.RetryBudgets)
        {
            writer.WriteStartObject();
            writer.WriteString("name", budget.Name);
            writer.WriteNumber("ratio", budget.Ratio);
            writer.WriteNumber("calls", budget.Calls);
            writer.WriteNumber("retries", budget.Retries);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    private static void WriteNames(Utf8JsonWriter writer, string property, IReadOnlyList<string> names)
    {
        writer.WriteStartArray(property);
        foreach (string name in names)
        {
            writer.WriteStringValue(name);
        }

        writer.WriteEndArray();
    }
}
