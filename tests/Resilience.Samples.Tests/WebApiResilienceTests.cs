using System.Net;
using Microsoft.Extensions.Time.Testing;

namespace Resilience.Samples.Tests;

/// <summary>
/// The Web API sample against the scripted downstream, both on real Kestrel over 127.0.0.1: what the resilient
/// <c>IWeatherClient</c> does is observed from outside, through HTTP answers and the downstream's request count.
/// </summary>
/// <remarks>
/// Settings under test (see <c>IWeatherClient</c>): breaker FailureThreshold 3, BreakDurationMs 5 000, shared by both
/// methods, 5xx = failure; GetForecastAsync retries 3 times (so 4 requests per call); GetStatusAsync does not retry.
/// Tests that need time to pass give the Web API a <see cref="FakeTimeProvider"/>, and those only call what does not
/// wait between retries; the others run the 50/100/200 ms retry delays on the system clock, and no assertion
/// depends on how long anything took.
/// </remarks>
public sealed class WebApiResilienceTests
{
    private const int AttemptsPerForecastCall = 4; // 1 + MaxRetries 3
    private const int FailureThreshold = 3;
    private static readonly TimeSpan BreakDuration = TimeSpan.FromMilliseconds(5_000);

    [Fact]
    public async Task Retries_absorb_transient_503s()
    {
        await using SampleApps apps = await SampleApps.StartAsync();
        await apps.SetDownstreamModeAsync("transient&failures=2");

        ApiAnswer answer = await apps.GetFromApiAsync("weather/paris");

        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        Assert.Equal("false", answer.Fallback);
        Assert.Null(answer.FallbackReason);
        Assert.Equal("paris", answer.Property("city"));
        Assert.Equal("Mild", answer.Property("summary"));
        Assert.Equal(2 + 1, await apps.GetDownstreamHitsAsync());
        Assert.Equal("Closed", await apps.GetBreakerStateAsync());
    }

    [Fact]
    public async Task When_retries_run_out_the_last_503_is_returned_as_it_is()
    {
        await using SampleApps apps = await SampleApps.StartAsync();
        await apps.SetDownstreamModeAsync("transient&failures=5");

        ApiAnswer first = await apps.GetFromApiAsync("weather/paris");

        // A 5xx is a result, not an exception: retried, then handed back; the fallback does not answer it.
        Assert.Equal(HttpStatusCode.ServiceUnavailable, first.StatusCode);
        Assert.Equal("false", first.Fallback);
        Assert.Equal(AttemptsPerForecastCall, await apps.GetDownstreamHitsAsync());

        ApiAnswer second = await apps.GetFromApiAsync("weather/paris");

        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal("false", second.Fallback);
        Assert.Equal(AttemptsPerForecastCall + 2, await apps.GetDownstreamHitsAsync()); // the 5th failure, then success
    }

    [Fact]
    public async Task Breaker_opens_on_a_dead_downstream_which_then_stops_receiving_requests_and_the_fallback_answers()
    {
        await using SampleApps apps = await SampleApps.StartAsync();
        await apps.SetDownstreamModeAsync("dead");

        for (int call = 1; call <= FailureThreshold; call++)
        {
            ApiAnswer failed = await apps.GetFromApiAsync("weather/paris");

            Assert.Equal(HttpStatusCode.ServiceUnavailable, failed.StatusCode);
            Assert.Equal("false", failed.Fallback);
            Assert.Equal(call * AttemptsPerForecastCall, await apps.GetDownstreamHitsAsync());
        }

        Assert.Equal("Open", await apps.GetBreakerStateAsync());

        for (int call = 1; call <= 3; call++)
        {
            ApiAnswer rejected = await apps.GetFromApiAsync("weather/paris");

            Assert.Equal(HttpStatusCode.OK, rejected.StatusCode);
            Assert.Equal("true", rejected.Fallback);
            Assert.Equal(nameof(BrokenCircuitException), rejected.FallbackReason);
            Assert.Equal("paris", rejected.Property("city"));
            Assert.Equal("unknown", rejected.Property("summary"));
        }

        // The breaker is shared by the interface's methods: the status call is cut off too.
        ApiAnswer status = await apps.GetFromApiAsync("status");
        Assert.Equal("true", status.Fallback);
        Assert.Equal(nameof(BrokenCircuitException), status.FallbackReason);
        Assert.Equal("unavailable", status.Property("state"));

        Assert.Equal(FailureThreshold * AttemptsPerForecastCall, await apps.GetDownstreamHitsAsync());
    }

    [Fact]
    public async Task Breaker_probes_after_the_break_reopens_on_a_failed_probe_and_closes_on_a_successful_one()
    {
        var time = new FakeTimeProvider();
        await using SampleApps apps = await SampleApps.StartAsync(time);
        await apps.SetDownstreamModeAsync("dead");

        for (int call = 1; call <= FailureThreshold; call++)
        {
            ApiAnswer failed = await apps.GetFromApiAsync("status"); // no retry: one request per call
            Assert.Equal(HttpStatusCode.ServiceUnavailable, failed.StatusCode);
            Assert.Equal("false", failed.Fallback);
        }

        Assert.Equal("Open", await apps.GetBreakerStateAsync());
        Assert.Equal("true", (await apps.GetFromApiAsync("status")).Fallback);
        Assert.Equal(FailureThreshold, await apps.GetDownstreamHitsAsync());

        // Just before the break ends the circuit still rejects, even though the downstream has recovered.
        await apps.SetDownstreamModeAsync("healthy");
        time.Advance(BreakDuration - TimeSpan.FromMilliseconds(1));
        ApiAnswer stillOpen = await apps.GetFromApiAsync("status");
        Assert.Equal("true", stillOpen.Fallback);
        Assert.Equal(nameof(BrokenCircuitException), stillOpen.FallbackReason);
        Assert.Equal(FailureThreshold, await apps.GetDownstreamHitsAsync());

        // The break ends: one probe reaches the dead downstream, fails, and the circuit opens again.
        await apps.SetDownstreamModeAsync("dead");
        time.Advance(TimeSpan.FromMilliseconds(1));
        ApiAnswer failedProbe = await apps.GetFromApiAsync("status");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, failedProbe.StatusCode);
        Assert.Equal("false", failedProbe.Fallback);
        Assert.Equal(FailureThreshold + 1, await apps.GetDownstreamHitsAsync());
        Assert.Equal("Open", await apps.GetBreakerStateAsync());
        Assert.Equal("true", (await apps.GetFromApiAsync("weather/paris")).Fallback);
        Assert.Equal(FailureThreshold + 1, await apps.GetDownstreamHitsAsync());

        // The next break ends with the downstream healthy: the probe succeeds and the circuit closes.
        await apps.SetDownstreamModeAsync("healthy");
        time.Advance(BreakDuration);
        ApiAnswer probe = await apps.GetFromApiAsync("status");
        Assert.Equal(HttpStatusCode.OK, probe.StatusCode);
        Assert.Equal("false", probe.Fallback);
        Assert.Equal("up", probe.Property("state"));
        Assert.Equal("Closed", await apps.GetBreakerStateAsync());

        ApiAnswer forecast = await apps.GetFromApiAsync("weather/paris");
        Assert.Equal(HttpStatusCode.OK, forecast.StatusCode);
        Assert.Equal("false", forecast.Fallback);
        Assert.Equal(FailureThreshold + 3, await apps.GetDownstreamHitsAsync());
    }

    [Fact]
    public async Task Timeout_cancels_a_slow_downstream_call_and_the_fallback_answers()
    {
        var time = new FakeTimeProvider();
        await using SampleApps apps = await SampleApps.StartAsync(time);
        await apps.SetDownstreamModeAsync("slow&delayMs=60000");

        Task<ApiAnswer> pending = apps.GetFromApiAsync("weather/paris");
        await apps.WaitForDownstreamHitsAsync(1); // the call is in flight, so its 5 s timeout is armed
        Assert.False(pending.IsCompleted);

        time.Advance(TimeSpan.FromMilliseconds(5_000));
        ApiAnswer answer = await pending;

        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        Assert.Equal("true", answer.Fallback);
        Assert.Equal(nameof(ResilienceTimeoutException), answer.FallbackReason);
        Assert.Equal("unknown", answer.Property("summary"));
        Assert.Equal(1, await apps.GetDownstreamHitsAsync()); // the timeout ends the whole sequence: no retry
    }

    [Fact]
    public async Task Unreachable_downstream_falls_back_after_the_retries()
    {
        await using SampleApps apps = await SampleApps.StartAsync();
        await apps.StopDownstreamAsync();

        ApiAnswer answer = await apps.GetFromApiAsync("weather/paris");

        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        Assert.Equal("true", answer.Fallback);
        Assert.Equal(nameof(HttpRequestException), answer.FallbackReason);
        Assert.Equal("paris", answer.Property("city"));
        Assert.Equal("Closed", await apps.GetBreakerStateAsync()); // one failed sequence = one failure of 3
    }
}
