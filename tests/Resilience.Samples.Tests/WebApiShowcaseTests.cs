using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;

namespace Resilience.Samples.Tests;

/// <summary>
/// What the Web API sample shows beyond the typed client: the strategies whose rejections and timeouts no fallback
/// answers (rate limit, bulkhead, open circuit, timeout) as 429 / 503 / 504 problem details with <c>Retry-After</c>, the
/// stale cache, the per-user limit keyed by <c>X-User-ID</c>, and the health and state endpoints. Both
/// apps run on real Kestrel over 127.0.0.1; time that must pass is a <see cref="FakeTimeProvider"/>'s.
/// </summary>
/// <remarks>
/// Settings under test (see <c>IWeatherClient</c> and <c>Program</c>): <c>/weather/{city}/limited</c> 3 per 10 s for
/// the app and <c>/me/weather/{city}</c> 3 per 10 s per user (token buckets: a token back every 10/3 s, so
/// <c>Retry-After: 4</c>); <c>/weather/{city}/report</c> a bulkhead of 1 without queue and a 2 s timeout; the shared
/// breaker opens after 3 failures for 5 s.
/// </remarks>
public sealed class WebApiShowcaseTests
{
    private const string ProblemJson = "application/problem+json";
    /// <summary>10/3 s rounded up to a whole tick: the limiter's exact instant is between two ticks.</summary>
    private static readonly TimeSpan TokenInterval = TimeSpan.FromTicks((TimeSpan.FromSeconds(10).Ticks + 2) / 3);

    [Fact]
    public async Task Per_user_limit_answers_the_4th_request_of_a_user_with_429_Retry_After_and_problem_details()
    {
        var time = new FakeTimeProvider();
        await using SampleApps apps = await SampleApps.StartAsync(time);

        for (int i = 1; i <= 3; i++)
        {
            ApiAnswer admitted = await apps.GetFromApiAsync("me/weather/paris", userId: "alice");
            Assert.Equal(HttpStatusCode.OK, admitted.StatusCode);
            Assert.Equal("Mild", admitted.Property("summary"));
        }

        ApiAnswer rejected = await apps.GetFromApiAsync("me/weather/paris", userId: "alice");

        Assert.Equal(HttpStatusCode.TooManyRequests, rejected.StatusCode);
        Assert.Equal("4", rejected.RetryAfter); // 10/3 s until alice's next token, rounded up
        Assert.Equal(ProblemJson, rejected.MediaType);
        Assert.Equal("429", rejected.Property("status"));
        Assert.Equal("rate_limit", rejected.Property("strategy"));
        Assert.Equal("4", rejected.Property("retryAfterSeconds"));
        Assert.Equal(3, await apps.GetDownstreamHitsAsync()); // the endpoint was not called

        // Another user has a budget of their own; so do requests without the header (keyed by address).
        Assert.Equal(HttpStatusCode.OK, (await apps.GetFromApiAsync("me/weather/paris", userId: "bob")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await apps.GetFromApiAsync("me/weather/paris")).StatusCode);

        // Alice's next token comes back 10/3 s after her first request (rounded up to a tick): not a tick before.
        time.Advance(TokenInterval - TimeSpan.FromTicks(1));
        Assert.Equal(HttpStatusCode.TooManyRequests, (await apps.GetFromApiAsync("me/weather/paris", userId: "alice")).StatusCode);
        time.Advance(TimeSpan.FromTicks(1));
        Assert.Equal(HttpStatusCode.OK, (await apps.GetFromApiAsync("me/weather/paris", userId: "alice")).StatusCode);
    }

    [Fact]
    public async Task Rate_limited_method_answers_the_4th_call_with_429_problem_details_whoever_calls()
    {
        var time = new FakeTimeProvider();
        await using SampleApps apps = await SampleApps.StartAsync(time);

        for (int i = 1; i <= 3; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await apps.GetFromApiAsync("weather/paris/limited", userId: "user-" + i)).StatusCode);
        }

        ApiAnswer rejected = await apps.GetFromApiAsync("weather/lyon/limited", userId: "someone-else");

        Assert.Equal(HttpStatusCode.TooManyRequests, rejected.StatusCode);
        Assert.Equal("4", rejected.RetryAfter);
        Assert.Equal(ProblemJson, rejected.MediaType);
        Assert.Equal("rate_limit", rejected.Property("strategy"));
        Assert.Equal(3, await apps.GetDownstreamHitsAsync());
    }

    [Fact]
    public async Task Bulkhead_turns_away_a_second_concurrent_report_with_503_and_the_first_times_out_with_504()
    {
        var time = new FakeTimeProvider();
        await using SampleApps apps = await SampleApps.StartAsync(time);
        await apps.SetDownstreamModeAsync("slow&delayMs=60000");

        Task<ApiAnswer> first = apps.GetFromApiAsync("weather/paris/report");
        await apps.WaitForDownstreamHitsAsync(1); // the first report holds the bulkhead's only slot; its timeout is armed

        ApiAnswer second = await apps.GetFromApiAsync("weather/paris/report");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, second.StatusCode);
        Assert.Null(second.RetryAfter); // a bulkhead cannot know when a slot frees
        Assert.Equal(ProblemJson, second.MediaType);
        Assert.Equal("bulkhead", second.Property("strategy"));
        Assert.False(first.IsCompleted);
        Assert.Equal(1, await apps.GetDownstreamHitsAsync());

        time.Advance(TimeSpan.FromSeconds(2));
        ApiAnswer timedOut = await first;

        Assert.Equal(HttpStatusCode.GatewayTimeout, timedOut.StatusCode);
        Assert.Null(timedOut.RetryAfter);
        Assert.Equal(ProblemJson, timedOut.MediaType);
        Assert.Equal("timeout", timedOut.Property("strategy"));
    }

    [Fact]
    public async Task Open_circuit_is_503_problem_details_with_the_rest_of_the_break_as_Retry_After()
    {
        var time = new FakeTimeProvider();
        await using SampleApps apps = await SampleApps.StartAsync(time);
        await apps.SetDownstreamModeAsync("dead");
        for (int call = 1; call <= 3; call++)
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, (await apps.GetFromApiAsync("status")).StatusCode); // the downstream's own 503
        }

        ApiAnswer rejected = await apps.GetFromApiAsync("weather/paris/report");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, rejected.StatusCode);
        Assert.Equal("5", rejected.RetryAfter);
        Assert.Equal(ProblemJson, rejected.MediaType);
        Assert.Equal("503", rejected.Property("status"));
        Assert.Equal("circuit_breaker", rejected.Property("strategy"));
        Assert.Equal("5", rejected.Property("retryAfterSeconds"));

        time.Advance(TimeSpan.FromMilliseconds(2_500));
        ApiAnswer later = await apps.GetFromApiAsync("weather/paris/limited");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, later.StatusCode);
        Assert.Equal("3", later.RetryAfter); // 2.5 s left, rounded up
        Assert.Equal(3, await apps.GetDownstreamHitsAsync());
    }

    [Fact]
    public async Task Cache_fallback_answers_a_failing_downstream_with_the_last_good_answer_for_that_city()
    {
        await using SampleApps apps = await SampleApps.StartAsync();
        ApiAnswer fresh = await apps.GetFromApiAsync("weather/paris/cached");
        Assert.Equal(HttpStatusCode.OK, fresh.StatusCode);

        await apps.SetDownstreamModeAsync("dead");
        ApiAnswer stale = await apps.GetFromApiAsync("weather/paris/cached");

        Assert.Equal(HttpStatusCode.OK, stale.StatusCode);
        Assert.Equal(fresh.Body, stale.Body);
        Assert.Equal("Mild", stale.Property("summary"));
        Assert.Equal(2, await apps.GetDownstreamHitsAsync()); // the call was made, failed, and the cache answered

        // Nothing is cached for another city: the downstream's 503 comes back as it is.
        ApiAnswer uncached = await apps.GetFromApiAsync("weather/lyon/cached");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, uncached.StatusCode);
    }

    [Fact]
    public async Task Health_and_state_endpoints_report_the_breaker_open_and_then_closed_again()
    {
        var time = new FakeTimeProvider();
        await using SampleApps apps = await SampleApps.StartAsync(time);
        Assert.Equal(HttpStatusCode.OK, (await apps.GetFromApiAsync("status")).StatusCode);
        Assert.Equal((HttpStatusCode.OK, "Healthy"), await GetTextAsync(apps, "health"));

        await apps.SetDownstreamModeAsync("dead");
        for (int call = 1; call <= 3; call++)
        {
            await apps.GetFromApiAsync("status");
        }

        // Degraded answers 200 with MapHealthChecks' defaults: an open breaker must not take every replica out.
        Assert.Equal((HttpStatusCode.OK, "Degraded"), await GetTextAsync(apps, "health"));

        using (JsonDocument state = await GetStateAsync(apps))
        {
            JsonElement breaker = Assert.Single(state.RootElement.GetProperty("circuitBreakers").EnumerateArray());
            Assert.Equal("weather-downstream", breaker.GetProperty("name").GetString());
            Assert.Equal("open", breaker.GetProperty("state").GetString());
            Assert.Equal(5, breaker.GetProperty("retryAfterSeconds").GetDouble());
            Assert.Equal(3, breaker.GetProperty("counts").GetProperty("consecutiveFailures").GetInt32());

            JsonElement bulkhead = Assert.Single(state.RootElement.GetProperty("bulkheads").EnumerateArray());
            Assert.Equal("weather-reports", bulkhead.GetProperty("name").GetString());
            Assert.Equal(1, bulkhead.GetProperty("maxConcurrency").GetInt32());
            Assert.Contains(
                state.RootElement.GetProperty("rateLimits").EnumerateArray(),
                limit => limit.GetProperty("name").GetString() == "weather-quota" && !limit.GetProperty("keyed").GetBoolean());
        }

        // The break ends, the downstream has recovered: one probe closes the circuit.
        await apps.SetDownstreamModeAsync("healthy");
        time.Advance(TimeSpan.FromSeconds(5));
        using (JsonDocument state = await GetStateAsync(apps))
        {
            Assert.Equal("half_open", state.RootElement.GetProperty("circuitBreakers")[0].GetProperty("state").GetString());
        }

        Assert.Equal("false", (await apps.GetFromApiAsync("status")).Fallback);
        Assert.Equal((HttpStatusCode.OK, "Healthy"), await GetTextAsync(apps, "health"));
        using (JsonDocument state = await GetStateAsync(apps))
        {
            Assert.Equal("closed", state.RootElement.GetProperty("circuitBreakers")[0].GetProperty("state").GetString());
        }
    }

    private static async Task<(HttpStatusCode, string)> GetTextAsync(SampleApps apps, string relativePath)
    {
        using HttpResponseMessage response = await apps.Api.GetAsync(new Uri(relativePath, UriKind.Relative));
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    private static async Task<JsonDocument> GetStateAsync(SampleApps apps)
    {
        using HttpResponseMessage response = await apps.Api.GetAsync(new Uri("resilience", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync());
    }
}
