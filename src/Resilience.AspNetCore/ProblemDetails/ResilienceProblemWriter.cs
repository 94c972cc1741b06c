using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.DependencyInjection;

namespace Resilience.AspNetCore;

/// <summary>
/// Writes a rejection or timeout as an RFC 9457 problem: the status code, <c>Retry-After</c> when known, and a body with
/// <c>type</c>, <c>title</c>, <c>status</c>, <c>detail</c>, <c>traceId</c> and the extensions <c>strategy</c>,
/// <c>retryAfterSeconds</c> (when known) and <c>resilienceInstance</c> (when asked for).
/// </summary>
/// <remarks>
/// Through the app's <see cref="IProblemDetailsService"/> when one is registered (so <c>CustomizeProblemDetails</c> and
/// content negotiation apply: a client that accepts no JSON gets the status and headers without a body); otherwise the
/// same fields are written by hand as <c>application/problem+json</c>.
/// </remarks>
internal static class ResilienceProblemWriter
{
    public const string StrategyExtension = "strategy";
    public const string RetryAfterExtension = "retryAfterSeconds";
    public const string InstanceExtension = "resilienceInstance";

    /// <summary>The <c>Retry-After</c> value for <paramref name="retryAfter"/>: whole seconds, rounded up, at least 1.</summary>
    public static int RetryAfterSeconds(TimeSpan retryAfter)
    {
        double seconds = Math.Ceiling(retryAfter.TotalSeconds);
        return seconds < 1 ? 1 : seconds > int.MaxValue ? int.MaxValue : (int)seconds;
    }

    public static async ValueTask WriteAsync(
        HttpContext context, int statusCode, string strategy, string detail, TimeSpan? retryAfter, string? instanceName, Exception? exception)
    {
        HttpResponse response = context.Response;
        response.StatusCode = statusCode;
        int? retryAfterSeconds = retryAfter is { } after ? RetryAfterSeconds(after) : null;
        if (retryAfterSeconds is { } seconds)
        {
            response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        }

        var problem = new ProblemDetails
        {
            Status = statusCode,
            Type = TypeOf(statusCode),
            Title = ReasonPhrases.GetReasonPhrase(statusCode) is { Length: > 0 } phrase ? phrase : null,
            Detail = detail,
        };
        problem.Extensions[StrategyExtension] = strategy;
        if (retryAfterSeconds is { } value)
        {
            problem.Extensions[RetryAfterExtension] = value;
        }

        if (instanceName is not null)
        {
            problem.Extensions[InstanceExtension] = instanceName;
        }

        if (context.RequestServices?.GetService<IProblemDetailsService>() is { } service)
        {
            await service.TryWriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = problem, Exception = exception }).ConfigureAwait(false);
            return;
        }

        response.ContentType = "application/problem+json";
        await using (var writer = new Utf8JsonWriter(response.BodyWriter))
        {
            writer.WriteStartObject();
            if (problem.Type is not null)
            {
                writer.WriteString("type", problem.Type);
            }

            if (problem.Title is not null)
            {
                writer.WriteString("title", problem.Title);
            }

            writer.WriteNumber("status", statusCode);
            writer.WriteString("detail", detail);
            writer.WriteString("traceId", Activity.Current?.Id ?? context.TraceIdentifier);
            writer.WriteString(StrategyExtension, strategy);
            if (retryAfterSeconds is { } written)
            {
                writer.WriteNumber(RetryAfterExtension, written);
            }

            if (instanceName is not null)
            {
                writer.WriteString(InstanceExtension, instanceName);
            }

            writer.WriteEndObject();
        }

        await response.BodyWriter.FlushAsync(context.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>The problem type ASP.NET Core uses for these codes (RFC 6585 for 429, RFC 9110 for 503 and 504); <see langword="null"/> for others.</summary>
    private static string? TypeOf(int statusCode) => statusCode switch
    {
        429 => "https://tools.ietf.org/html/rfc6585#section-4",
        503 => "https://tools.ietf.org/html/rfc9110#section-15.6.4",
        504 => "https://tools.ietf.org/html/rfc9110#section-15.6.5",
        _ => null,
    };
}
