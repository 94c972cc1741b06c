using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Resilience.EndToEnd.Tests.Chaos;

/// <summary>
/// Chaos injection through generated decorators, configured only: off by default, the rate followed with a fixed seed,
/// reload turning it on and off, faults that the breaker and the retry react to, latency on the registry's clock,
/// substituted results, and the telemetry that tells an injection from an outage.
/// </summary>
[Collection(TelemetryAndAllocationCollection.Name)]
public sealed class ChaosInjectionTests
{
    private const string Get = "Resilience.EndToEnd.Tests.Chaos.IChaosTarget.GetAsync";
    private const string Count = "Resilience.EndToEnd.Tests.Chaos.IChaosTarget.CountAsync";
    private const string Slow = "Resilience.EndToEnd.Tests.Chaos.IChaosTarget.SlowAsync";

    [Fact]
    public async Task Nothing_is_injected_while_the_process_wide_switch_is_off()
    {
        var settings = ChaosHarness.Settings(Get, ("Enabled", "true"), ("InjectionRate", "1"), ("Fault", "TimeoutException"));
        settings["Resilience:Chaos:Enabled"] = "false";
        using var harness = new ChaosHarness(settings);

        for (int i = 0; i < 10; i++)
        {
            Assert.Equal("item " + i, await harness.Proxy.GetAsync(i, CancellationToken.None));
        }

        Assert.Equal(10, harness.Inner.Calls);
        Assert.False(harness.Registry.Chaos.IsEnabled);
    }

    [Fact]
    public async Task Nothing_is_injected_when_the_instance_is_not_enabled()
    {
        using var harness = new ChaosHarness(ChaosHarness.Settings(Get, ("InjectionRate", "1"), ("Fault", "TimeoutException")));

        Assert.Equal("item 1", await harness.Proxy.GetAsync(1, CancellationToken.None));
        Assert.Equal(1, harness.Inner.Calls);
    }

    [Fact]
    public async Task The_injection_rate_is_followed_draw_by_draw_with_a_fixed_seed()
    {
        const int Calls = 2_000;
        const double Rate = 0.3;
        var settings = ChaosHarness.Settings(Get, ("Enabled", "true"), ("InjectionRate", "0.3"), ("Fault", "InvalidOperationException"));
        settings["Resilience:Instances:chaos-db:CircuitBreaker:FailureThreshold"] = "1000000"; // keep the breaker out of it
        using var harness = new ChaosHarness(settings, seed: 12345);

        int failed = 0;
        for (int i = 0; i < Calls; i++)
        {
            try
            {
                await harness.Proxy.GetAsync(i, CancellationToken.None);
            }
            catch (InvalidOperationException)
            {
                failed++;
            }
        }

        // The same seed drawn again predicts every injection exactly.
        var replay = new Random(12345);
        int expected = Enumerable.Range(0, Calls).Count(_ => replay.NextDouble() < Rate);
        Assert.Equal(expected, failed);
        Assert.Equal(Calls - failed, harness.Inner.Calls);

        // And the share is the rate, statistically: within four standard deviations of 600.
        double sigma = Math.Sqrt(Calls * Rate * (1 - Rate));
        Assert.InRange(failed, Calls * Rate - 4 * sigma, Calls * Rate + 4 * sigma);
    }

    [Fact]
    public async Task A_reload_turns_injection_on_and_off()
    {
        var settings = ChaosHarness.Settings(Get, ("Enabled", "false"), ("InjectionRate", "1"), ("Fault", "TimeoutException"));
        using var harness = new ChaosHarness(settings);
        Assert.Equal("item 1", await harness.Proxy.GetAsync(1, CancellationToken.None));

        harness.Set($"Instances:{Get}:Chaos:Enabled", "true");
        await Assert.ThrowsAsync<TimeoutException>(() => harness.Proxy.GetAsync(2, CancellationToken.None).AsTask());

        harness.Set("Chaos:Enabled", "false");
        Assert.Equal("item 3", await harness.Proxy.GetAsync(3, CancellationToken.None));

        harness.Set("Chaos:Enabled", "true");
        await Assert.ThrowsAsync<TimeoutException>(() => harness.Proxy.GetAsync(4, CancellationToken.None).AsTask());

        harness.Set($"Instances:{Get}:Chaos:Enabled", "false");
        Assert.Equal("item 5", await harness.Proxy.GetAsync(5, CancellationToken.None));
        Assert.Equal(3, harness.Inner.Calls);
    }

    [Fact]
    public async Task Faults_injected_under_the_breakers_name_open_the_breaker_for_every_method_that_uses_it()
    {
        using var harness = new ChaosHarness(ChaosHarness.Settings("chaos-db", ("Enabled", "true"), ("InjectionRate", "1"), ("Fault", "HttpRequestException")));

        for (int i = 0; i < 3; i++)
        {
            await Assert.ThrowsAsync<HttpRequestException>(() => harness.Proxy.GetAsync(i, CancellationToken.None).AsTask());
        }

        Assert.True(harness.Registry.TryGetCircuitBreaker("chaos-db", out CircuitBreaker? breaker));
        Assert.Equal(CircuitState.Open, breaker.State);
        await Assert.ThrowsAsync<BrokenCircuitException>(() => harness.Proxy.GetAsync(4, CancellationToken.None).AsTask());
        await Assert.ThrowsAsync<BrokenCircuitException>(() => harness.Proxy.SlowAsync(CancellationToken.None));
        Assert.Equal(0, harness.Inner.Calls);

        // The game day ends: the breaker recovers as from a real outage.
        harness.Set("Chaos:Enabled", "false");
        harness.Time.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal("item 5", await harness.Proxy.GetAsync(5, CancellationToken.None));
        Assert.Equal(CircuitState.Closed, breaker.State);
    }

    [Fact]
    public async Task The_retry_retries_an_injected_fault_and_the_next_attempt_draws_again()
    {
        // Seed 3: the first draw is below 0.5 and the second is not (asserted below), so attempt 1 fails, attempt 2 runs.
        var probe = new Random(3);
        Assert.True(probe.NextDouble() < 0.5);
        Assert.False(probe.NextDouble() < 0.5);
        using var harness = new ChaosHarness(ChaosHarness.Settings(Count, ("Enabled", "true"), ("InjectionRate", "0.5"), ("Fault", "IOException")), seed: 3);
        int retries = 0;
        harness.Registry.OnRetry += (_, e) => retries++;

        Task<int> call = harness.Proxy.CountAsync(CancellationToken.None);
        harness.Time.Advance(TimeSpan.FromMilliseconds(10)); // the retry's delay

        Assert.Equal(7, await call);
        Assert.Equal(1, retries);
        Assert.Equal(1, harness.Inner.Calls);
    }

    [Fact]
    public async Task Latency_is_waited_on_the_registrys_clock_before_the_inner_call()
    {
        using var harness = new ChaosHarness(ChaosHarness.Settings(Get, ("Enabled", "true"), ("InjectionRate", "1"), ("Latency", "00:00:02")));

        ValueTask<string?> call = harness.Proxy.GetAsync(1, CancellationToken.None);
        Assert.False(call.IsCompleted);
        harness.Time.Advance(TimeSpan.FromMilliseconds(1_999));
        Assert.False(call.IsCompleted);
        Assert.Equal(0, harness.Inner.Calls);

        harness.Time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal("item 1", await call);
        Assert.Equal(1, harness.Inner.Calls);
    }

    [Fact]
    public async Task Injected_latency_is_cut_short_by_the_timeout_around_it()
    {
        using var harness = new ChaosHarness(ChaosHarness.Settings(Slow, ("Enabled", "true"), ("InjectionRate", "1"), ("Latency", "00:00:05")));

        Task<string> call = harness.Proxy.SlowAsync(CancellationToken.None);
        harness.Time.Advance(TimeSpan.FromSeconds(1));

        await Assert.ThrowsAsync<ResilienceTimeoutException>(() => call);
        Assert.Equal(0, harness.Inner.Calls);
    }

    [Fact]
    public async Task Injected_latency_ends_when_the_caller_cancels()
    {
        using var harness = new ChaosHarness(ChaosHarness.Settings(Get, ("Enabled", "true"), ("InjectionRate", "1"), ("Latency", "00:01:00")));
        using var cancellation = new CancellationTokenSource();

        ValueTask<string?> call = harness.Proxy.GetAsync(1, cancellation.Token);
        await cancellation.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call.AsTask());
        Assert.Equal(0, harness.Inner.Calls);
    }

    [Fact]
    public async Task A_default_result_is_returned_without_calling_the_inner_method_for_every_shape()
    {
        using var harness = new ChaosHarness(ChaosHarness.Settings("chaos-db", ("Enabled", "true"), ("InjectionRate", "1"), ("Result", "default")));

        Assert.Null(await harness.Proxy.GetAsync(1, CancellationToken.None));
        Assert.Equal(0, await harness.Proxy.CountAsync(CancellationToken.None));
        Assert.Null(await harness.Proxy.SlowAsync(CancellationToken.None));
        await harness.Proxy.SaveAsync("x", CancellationToken.None);
        Assert.Equal(0, harness.Proxy.Square(3));
        Assert.Equal(0, harness.Inner.Calls);
    }

    [Fact]
    public async Task A_registered_result_is_returned_where_the_type_fits_and_fails_the_call_where_it_does_not()
    {
        using var harness = new ChaosHarness(ChaosHarness.Settings("chaos-db", ("Enabled", "true"), ("InjectionRate", "1"), ("Result", "stale-item")));
        harness.Registry.Chaos.AddResult("stale-item", () => "stale");

        Assert.Equal("stale", await harness.Proxy.GetAsync(1, CancellationToken.None));
        Assert.Equal("stale", await harness.Proxy.SlowAsync(CancellationToken.None));
        InvalidOperationException mismatch = Assert.Throws<InvalidOperationException>(() => harness.Proxy.Square(2));
        Assert.Contains("System.String", mismatch.Message, StringComparison.Ordinal);
        Assert.Contains("System.Int32", mismatch.Message, StringComparison.Ordinal);
        Assert.Equal(0, harness.Inner.Calls);
    }

    [Fact]
    public async Task A_registered_fault_is_thrown_and_an_unknown_one_is_reported_and_injects_nothing()
    {
        using var harness = new ChaosHarness(ChaosHarness.Settings(Get, ("Enabled", "true"), ("InjectionRate", "1"), ("Fault", "db-down")));
        var rejected = new List<string>();
        harness.Registry.OnConfigurationRejected += (_, e) => rejected.AddRange(e.Failures);

        Assert.Equal("item 1", await harness.Proxy.GetAsync(1, CancellationToken.None)); // not registered yet
        harness.Set("Chaos:Enabled", "true"); // a reload reports it
        Assert.Contains(rejected, f => f.StartsWith($"Resilience:Instances:{Get}:Chaos:Fault: 'db-down' is neither", StringComparison.Ordinal));

        harness.Registry.Chaos.AddFault("db-down", () => new TimeoutException("db down"));
        TimeoutException fault = await Assert.ThrowsAsync<TimeoutException>(() => harness.Proxy.GetAsync(2, CancellationToken.None).AsTask());
        Assert.Equal("db down", fault.Message);
    }

    [Fact]
    public async Task A_built_in_fault_carries_the_configured_message_or_names_the_instance()
    {
        using var harness = new ChaosHarness(ChaosHarness.Settings(Get, ("Enabled", "true"), ("InjectionRate", "1"), ("Fault", "ChaosException")));

        ChaosException fault = await Assert.ThrowsAsync<ChaosException>(() => harness.Proxy.GetAsync(1, CancellationToken.None).AsTask());
        Assert.Equal($"Chaos: fault injected into '{Get}'.", fault.Message);

        harness.Set($"Instances:{Get}:Chaos:FaultMessage", "game day");
        fault = await Assert.ThrowsAsync<ChaosException>(() => harness.Proxy.GetAsync(2, CancellationToken.None).AsTask());
        Assert.Equal("game day", fault.Message);
    }

    [Fact]
    public async Task Every_injection_is_counted_by_kind_and_instance_and_tagged_on_the_call_span()
    {
        using var harness = new ChaosHarness(ChaosHarness.Settings(
            "chaos-db", ("Enabled", "true"), ("InjectionRate", "1"), ("Latency", "00:00:00.100"), ("Fault", "TimeoutException")));
        var injections = new List<(string? Kind, string? Instance, string? Strategy)>();
        using var meters = new MeterListener();
        meters.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter, harness.Registry.Telemetry.Meter) && instrument.Name == "resilience.chaos.injections")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        meters.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            var map = tags.ToArray().ToDictionary(t => t.Key, t => t.Value as string);
            injections.Add((map["resilience.chaos.kind"], map["resilience.instance"], map["resilience.strategy"]));
        });
        meters.Start();
        var spans = new List<Activity>();
        using var activities = new ActivityListener
        {
            ShouldListenTo = source => ReferenceEquals(source, harness.Registry.Telemetry.ActivitySource),
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = spans.Add,
        };
        ActivitySource.AddActivityListener(activities);

        ValueTask<string?> call = harness.Proxy.GetAsync(1, CancellationToken.None);
        harness.Time.Advance(TimeSpan.FromMilliseconds(100));
        await Assert.ThrowsAsync<TimeoutException>(() => call.AsTask());

        Assert.Equal([("latency", "chaos-db", "chaos"), ("fault", "chaos-db", "chaos")], injections);
        Activity span = Assert.Single(spans, s => s.OperationName == "IChaosTarget.GetAsync");
        Assert.Equal(true, span.GetTagItem("resilience.chaos.injected"));
        Assert.Equal(["latency", "fault"], span.Events.Where(e => e.Name == "resilience.chaos.injection").Select(e => e.Tags.First(t => t.Key == "resilience.chaos.kind").Value));
    }

    [Fact]
    public void A_synchronous_method_gets_faults_too()
    {
        using var harness = new ChaosHarness(ChaosHarness.Settings("chaos-db", ("Enabled", "true"), ("InjectionRate", "1"), ("Fault", "IOException")));

        Assert.Throws<IOException>(() => harness.Proxy.Square(2));
        Assert.Equal(0, harness.Inner.Calls);
    }

    [Fact]
    public async Task A_ResilientCall_gets_chaos_under_its_name_or_its_instances_names()
    {
        using var harness = new ChaosHarness(ChaosHarness.Settings("search-api", ("Enabled", "true"), ("InjectionRate", "1"), ("Fault", "TimeoutException")));
        ResilientCall<string> call = ResilientCall.For<string>(harness.Registry)
            .WithCircuitBreaker(new CircuitBreakerOptions { FailureThreshold = 5 }, name: "search-api")
            .Build();
        int calls = 0;

        await Assert.ThrowsAsync<TimeoutException>(() => call.ExecuteAsync(_ => { calls++; return new ValueTask<string>("page"); }).AsTask());
        Assert.Equal(0, calls);
    }

    [Fact]
    public async Task Every_hedged_attempt_of_a_ResilientCall_draws_chaos()
    {
        using var harness = new ChaosHarness(ChaosHarness.Settings("search-api", ("Enabled", "true"), ("InjectionRate", "1"), ("Fault", "IOException")));
        ResilientCall<string> call = ResilientCall.For<string>(harness.Registry)
            .WithHedge(new HedgeOptions { Delay = TimeSpan.Zero, MaxHedges = 2 })
            .WithCircuitBreaker(new CircuitBreakerOptions { FailureThreshold = 10 }, name: "search-api")
            .Build();
        int calls = 0;

        // Three attempts at once, each faulted before the action: none reaches it, the call ends with an injected fault.
        await Assert.ThrowsAsync<IOException>(() => call.ExecuteAsync(_ => { Interlocked.Increment(ref calls); return new ValueTask<string>("page"); }).AsTask());
        Assert.Equal(0, calls);
        Assert.True(harness.Registry.TryGetCircuitBreaker("search-api", out CircuitBreaker? breaker));
        Assert.Equal(3, breaker!.Counts.Failures);
    }
}
