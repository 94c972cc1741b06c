using System.Net;
using System.Text.Json.Serialization;
using Refit;

namespace Resilience.Http.Tests;

/// <summary>A typed client behind an interface: transient responses are retried at once (no delay).</summary>
public interface IStatusClient
{
    [Retry(MaxRetries = 2, DelayMs = 0, Jitter = 0, HandleResult = nameof(IsTransient))]
    [CircuitBreaker(FailureThreshold = 1, BreakDurationMs = 60_000, HandleResult = nameof(IsTransient))]
    Task<HttpResponseMessage> GetAsync(string path, CancellationToken cancellationToken);

    static bool IsTransient(HttpResponseMessage response) => HttpOutcomes.IsTransient(response);
}

public sealed class StatusClient(HttpClient http) : IStatusClient
{
    public Task<HttpResponseMessage> GetAsync(string path, CancellationToken cancellationToken) => http.GetAsync(path, cancellationToken);
}

/// <summary>Honours Retry-After through <see cref="HttpRetryPolicy"/>, capped at 5 s.</summary>
public interface IThrottledClient
{
    [Retry(MaxRetries = 1, Policy = typeof(FiveSecondsHttpRetry), HandleResult = nameof(IsTransient))]
    Task<HttpResponseMessage> GetAsync(string path, CancellationToken cancellationToken);

    static bool IsTransient(HttpResponseMessage response) => HttpOutcomes.IsTransient(response);
}

public sealed class FiveSecondsHttpRetry() : HttpRetryPolicy(new RetryOptions { Delay = TimeSpan.FromMilliseconds(100), MaxDelay = TimeSpan.FromSeconds(5), Jitter = 0 });

public sealed class ThrottledClient(HttpClient http) : IThrottledClient
{
    public Task<HttpResponseMessage> GetAsync(string path, CancellationToken cancellationToken) => http.GetAsync(path, cancellationToken);
}

/// <summary>A Refit client carrying the resilience attributes.</summary>
public interface IRefitStatusApi
{
    [Get("/refit/answer")]
    [Retry(MaxRetries = 2, DelayMs = 0, Jitter = 0, HandleResult = nameof(IsTransient))]
    Task<IApiResponse<string>> GetAsync(CancellationToken cancellationToken);

    [Get("/refit/throwing")]
    [Retry(MaxRetries = 2, DelayMs = 0, Jitter = 0)]
    Task<string> GetOrThrowAsync(CancellationToken cancellationToken);

    static bool IsTransient(IApiResponse<string> response) => HttpOutcomes.IsTransient(response.StatusCode, response.Error);
}

/// <summary>A client without an interface, for the handler.</summary>
public sealed class PlainClient(HttpClient http)
{
    public HttpClient Http { get; } = http;

    public async Task<HttpStatusCode> StatusAsync(string path)
    {
        using HttpResponseMessage response = await Http.GetAsync(path);
        return response.StatusCode;
    }
}

[JsonSerializable(typeof(string))]
public sealed partial class RefitJson : JsonSerializerContext;
