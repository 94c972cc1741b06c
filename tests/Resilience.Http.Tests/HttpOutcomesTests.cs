using System.Net;
using Microsoft.Extensions.Time.Testing;

namespace Resilience.Http.Tests;

public sealed class HttpOutcomesTests
{
    [Theory]
    [InlineData(500, true)]
    [InlineData(503, true)]
    [InlineData(599, true)]
    [InlineData(408, true)]
    [InlineData(429, true)]
    [InlineData(200, false)]
    [InlineData(400, false)]
    [InlineData(404, false)]
    [InlineData(409, false)]
    public void Status_codes(int status, bool transient)
    {
        Assert.Equal(transient, HttpOutcomes.IsTransient((HttpStatusCode)status));
        using var response = new HttpResponseMessage((HttpStatusCode)status);
        Assert.Equal(transient, HttpOutcomes.IsTransient(response));
        Assert.Equal(transient, HttpOutcomes.IsTransient((HttpStatusCode?)status, null));
    }

    [Fact]
    public void Exceptions()
    {
        Assert.True(HttpOutcomes.IsTransient(new HttpRequestException("refused")));
        Assert.True(HttpOutcomes.IsTransient(new HttpRequestException("bad gateway", null, HttpStatusCode.BadGateway)));
        Assert.False(HttpOutcomes.IsTransient(new HttpRequestException("not found", null, HttpStatusCode.NotFound)));
        Assert.True(HttpOutcomes.IsTransient(new TimeoutException()));
        Assert.True(HttpOutcomes.IsTransient(new TaskCanceledException("HttpClient.Timeout", new TimeoutException())));
        Assert.False(HttpOutcomes.IsTransient(new OperationCanceledException()));
        Assert.False(HttpOutcomes.IsTransient(new InvalidOperationException("bug")));
        Assert.True(HttpOutcomes.IsTransient(new InvalidOperationException("wrapper", new HttpRequestException("refused"))));
        Assert.False(HttpOutcomes.IsTransient(new PermanentException(new HttpRequestException("refused"))));
        Assert.False(HttpOutcomes.IsTransient(new BulkheadRejectedException("b", 1, 0)));
        Assert.True(HttpOutcomes.IsTransient(null, new HttpRequestException("refused")));
        Assert.False(HttpOutcomes.IsTransient(null, null));
    }

    [Fact]
    public void Retry_After_date_without_a_Date_header_counts_from_the_time_provider()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 12, 0, 0, TimeSpan.Zero));
        using var response = new HttpResponseMessage(HttpStatusCode.ServiceUnavailable);
        response.Headers.TryAddWithoutValidation("Retry-After", "Thu, 01 Jan 2026 12:00:09 GMT");

        Assert.True(HttpOutcomes.TryGetRetryAfter(response, time, out TimeSpan delay));
        Assert.Equal(TimeSpan.FromSeconds(9), delay);

        time.Advance(TimeSpan.FromMinutes(1));
        Assert.True(HttpOutcomes.TryGetRetryAfter(response, time, out delay));
        Assert.Equal(TimeSpan.Zero, delay);

        using var none = new HttpResponseMessage(HttpStatusCode.ServiceUnavailable);
        Assert.False(HttpOutcomes.TryGetRetryAfter(none, time, out delay));
    }

    [Fact]
    public void HttpRetryPolicy_retries_transient_exceptions_only_and_keeps_existing_policies_working()
    {
        var policy = new HttpRetryPolicy(new RetryOptions { Delay = TimeSpan.FromMilliseconds(10), Jitter = 0, Backoff = BackoffType.Linear });
        Assert.True(policy.ShouldRetry(new HttpRequestException("refused"), 1));
        Assert.False(policy.ShouldRetry(new InvalidOperationException("bug"), 1));
        Assert.Equal(TimeSpan.FromMilliseconds(30), policy.GetDelay(3));
        Assert.Equal(TimeSpan.FromMilliseconds(20), policy.GetDelay(2, new RetryOutcome<object>(new HttpRequestException("refused"))));

        // A policy written before the outcome existed answers through the default interface method.
        IRetryPolicy legacy = RetryPolicy.Create(new RetryOptions { Delay = TimeSpan.FromMilliseconds(10), Jitter = 0, Backoff = BackoffType.Constant });
        using var response = new HttpResponseMessage(HttpStatusCode.TooManyRequests);
        response.Headers.TryAddWithoutValidation("Retry-After", "3");
        Assert.Equal(TimeSpan.FromMilliseconds(10), legacy.GetDelay(1, new RetryOutcome<HttpResponseMessage>(response)));
        Assert.Equal(TimeSpan.FromSeconds(3), ((IRetryPolicy)policy).GetDelay(1, new RetryOutcome<HttpResponseMessage>(response)));

        Assert.Throws<ArgumentException>(() => new HttpRetryPolicy(new RetryOptions { Policy = policy }));
    }
}
