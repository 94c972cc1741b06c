using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Resilience.AspNetCore.Tests;

/// <summary>The circuit-breaker health check: open, half-open and isolated breakers named in the data, no state changed.</summary>
public sealed class HealthCheckTests
{
    private static readonly CircuitBreakerOptions OneFailureTenSeconds = new() { FailureThreshold = 1, BreakDuration = TimeSpan.FromSeconds(10) };

    private static Task<LoopbackApp> StartAsync(Action<CircuitBreakerHealthCheckOptions>? configure = null) => LoopbackApp.StartAsync(
        builder => builder.Services.AddHealthChecks().AddResilienceCircuitBreakers(configure: configure),
        app => app.MapHealthChecks("/health"));

    private static async Task<(HttpStatusCode Status, string Text)> GetHealthAsync(LoopbackApp app)
    {
        using HttpResponseMessage response = await app.Client.GetAsync("/health");
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    private static async Task<HealthReportEntry> CheckAsync(LoopbackApp app)
    {
        HealthReport report = await app.App.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync();
        return report.Entries[ResilienceHealthChecksBuilderExtensions.DefaultName];
    }

    [Fact]
    public async Task Closed_breakers_are_healthy()
    {
        await using LoopbackApp app = await StartAsync();
        app.Registry.GetOrAddCircuitBreaker("payments", OneFailureTenSeconds);
        app.Registry.GetOrAddKeyedCircuitBreaker<string>("hosts", OneFailureTenSeconds).Acquire("a").RecordSuccess();

        Assert.Equal((HttpStatusCode.OK, "Healthy"), await GetHealthAsync(app));
        HealthReportEntry entry = await CheckAsync(app);
        Assert.Equal("All 2 circuit breakers are closed.", entry.Description);
        Assert.Empty(entry.Data);
    }

    [Fact]
    public async Task An_open_breaker_is_degraded_with_its_state_and_time_to_retry_in_the_data()
    {
        await using LoopbackApp app = await StartAsync();
        app.Registry.GetOrAddCircuitBreaker("inventory", OneFailureTenSeconds);
        app.Registry.GetOrAddCircuitBreaker("payments", OneFailureTenSeconds).Acquire().RecordFailure();
        app.Time.Advance(TimeSpan.FromSeconds(2.5));

        Assert.Equal((HttpStatusCode.OK, "Degraded"), await GetHealthAsync(app));
        HealthReportEntry entry = await CheckAsync(app);
        Assert.Equal(HealthStatus.Degraded, entry.Status);
        Assert.Equal("1 of 2 circuit breakers are not closed: 'payments' open (retry in 7.5 s).", entry.Description);
        Assert.Equal(
            new Dictionary<string, object> { ["payments"] = "open", ["payments.retry_after_seconds"] = 7.5 },
            entry.Data);
    }

    [Fact]
    public async Task Statuses_are_configurable_per_state()
    {
        await using LoopbackApp app = await StartAsync(options => options.IsolatedStatus = HealthStatus.Unhealthy);
        app.Registry.GetOrAddCircuitBreaker("payments", OneFailureTenSeconds).Acquire().RecordFailure();
        app.Registry.GetOrAddCircuitBreaker("ledger", OneFailureTenSeconds).Isolate();

        Assert.Equal((HttpStatusCode.ServiceUnavailable, "Unhealthy"), await GetHealthAsync(app));
        HealthReportEntry entry = await CheckAsync(app);
        Assert.Equal("isolated", entry.Data["ledger"]);
        Assert.False(entry.Data.ContainsKey("ledger.retry_after_seconds"));
        Assert.Equal("open", entry.Data["payments"]);
    }

    [Fact]
    public async Task A_breaker_whose_break_passed_is_half_open_and_the_check_moves_nothing()
    {
        await using LoopbackApp app = await StartAsync(options => options.HalfOpenStatus = HealthStatus.Healthy);
        CircuitBreaker breaker = app.Registry.GetOrAddCircuitBreaker("payments", OneFailureTenSeconds);
        breaker.Acquire().RecordFailure();
        int transitions = 0;
        app.Registry.OnBreakerStateChanged += (_, _) => transitions++;
        app.Time.Advance(TimeSpan.FromSeconds(10));

        Assert.Equal((HttpStatusCode.OK, "Healthy"), await GetHealthAsync(app));
        HealthReportEntry entry = await CheckAsync(app);
        Assert.Equal("half_open", entry.Data["payments"]);
        Assert.Equal(0, transitions);

        // The next call is the probe, and makes the one transition.
        Assert.True(breaker.TryAcquire(out CircuitBreakerLease probe));
        probe.RecordSuccess();
        Assert.Equal(2, transitions);
    }

    [Fact]
    public async Task Keyed_breakers_report_their_keys_per_state()
    {
        await using LoopbackApp app = await StartAsync();
        KeyedCircuitBreaker<string> hosts = app.Registry.GetOrAddKeyedCircuitBreaker<string>("hosts", OneFailureTenSeconds);
        hosts.Acquire("a.example").RecordFailure();
        hosts.Acquire("b.example").RecordSuccess();

        HealthReportEntry entry = await CheckAsync(app);

        Assert.Equal(HealthStatus.Degraded, entry.Status);
        Assert.Equal(
            new Dictionary<string, object> { ["hosts.keys_open"] = 1L, ["hosts.keys_half_open"] = 0L, ["hosts.keys_isolated"] = 0L },
            entry.Data);
    }

    [Fact]
    public async Task A_filter_and_IncludeKeyed_choose_the_breakers()
    {
        await using LoopbackApp app = await StartAsync(options =>
        {
            options.Filter = name => name.StartsWith("shop.", StringComparison.Ordinal);
            options.IncludeKeyed = false;
        });
        app.Registry.GetOrAddCircuitBreaker("other", OneFailureTenSeconds).Isolate();
        app.Registry.GetOrAddKeyedCircuitBreaker<string>("shop.hosts", OneFailureTenSeconds).Acquire("a").RecordFailure();
        app.Registry.GetOrAddCircuitBreaker("shop.payments", OneFailureTenSeconds);

        HealthReportEntry entry = await CheckAsync(app);

        Assert.Equal(HealthStatus.Healthy, entry.Status);
        Assert.Equal("All 1 circuit breakers are closed.", entry.Description);
    }
}
