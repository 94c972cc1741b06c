using Microsoft.Extensions.Options;
using Resilience.EndToEnd.Tests.Chaos;
using Resilience.Testing;

namespace Resilience.EndToEnd.Tests.Testing;

/// <summary>The testing kit: breaker states before the first call, scoped injection, the recorder, options in code.</summary>
public sealed class TestKitTests
{
    private const string Get = "Resilience.EndToEnd.Tests.Chaos.IChaosTarget.GetAsync";
    private const string Count = "Resilience.EndToEnd.Tests.Chaos.IChaosTarget.CountAsync";
    private const string Slow = "Resilience.EndToEnd.Tests.Chaos.IChaosTarget.SlowAsync";

    [Theory]
    [InlineData(CircuitState.Closed)]
    [InlineData(CircuitState.Open)]
    [InlineData(CircuitState.HalfOpen)]
    [InlineData(CircuitState.Isolated)]
    public void A_breaker_set_before_the_decorator_exists_starts_in_that_state(CircuitState state)
    {
        using var kit = new ResilienceTestKit();
        kit.SetBreakerState("chaos-db", state);

        _ = new ChaosTargetResilient(new ChaosTarget(), kit.Registry);

        Assert.True(kit.Registry.TryGetCircuitBreaker("chaos-db", out CircuitBreaker? breaker));
        Assert.Equal(state, breaker.State);
    }

    [Fact]
    public async Task A_breaker_set_after_the_decorator_exists_changes_at_once_and_each_state_acts()
    {
        using var kit = new ResilienceTestKit();
        var inner = new ChaosTarget();
        var proxy = new ChaosTargetResilient(inner, kit.Registry);

        kit.SetBreakerState("chaos-db", CircuitState.Isolated);
        await Assert.ThrowsAsync<BrokenCircuitException>(() => proxy.GetAsync(1, CancellationToken.None).AsTask());
        kit.Advance(TimeSpan.FromHours(1));
        await Assert.ThrowsAsync<BrokenCircuitException>(() => proxy.GetAsync(1, CancellationToken.None).AsTask());

        kit.SetBreakerState("chaos-db", CircuitState.HalfOpen);
        Assert.Equal("item 2", await proxy.GetAsync(2, CancellationToken.None)); // the probe succeeds and closes it

        kit.SetBreakerState("chaos-db", CircuitState.Open);
        await Assert.ThrowsAsync<BrokenCircuitException>(() => proxy.GetAsync(3, CancellationToken.None).AsTask());
        kit.Advance(TimeSpan.FromSeconds(30)); // a full break from when it was set
        Assert.Equal("item 4", await proxy.GetAsync(4, CancellationToken.None));

        Assert.Equal(2, inner.Calls);
        Assert.Equal(
            [
                new BreakerTransition(CircuitState.Closed, CircuitState.Isolated, CircuitTransitionReason.Forced),
                new BreakerTransition(CircuitState.Isolated, CircuitState.HalfOpen, CircuitTransitionReason.Forced),
                new BreakerTransition(CircuitState.HalfOpen, CircuitState.Closed, CircuitTransitionReason.ProbeSucceeded),
                new BreakerTransition(CircuitState.Closed, CircuitState.Open, CircuitTransitionReason.Forced),
                new BreakerTransition(CircuitState.Open, CircuitState.HalfOpen, CircuitTransitionReason.BreakDurationElapsed),
                new BreakerTransition(CircuitState.HalfOpen, CircuitState.Closed, CircuitTransitionReason.ProbeSucceeded),
            ],
            kit.Recorder["chaos-db"].Transitions);
        Assert.Equal(3, kit.Recorder["chaos-db"].Rejections);
    }

    [Fact]
    public async Task An_injected_fault_applies_to_one_name_until_its_scope_is_disposed()
    {
        using var kit = new ResilienceTestKit();
        var inner = new ChaosTarget();
        var proxy = new ChaosTargetResilient(inner, kit.Registry);

        using (kit.InjectFault(Get))
        {
            ChaosException fault = await Assert.ThrowsAsync<ChaosException>(() => proxy.GetAsync(1, CancellationToken.None).AsTask());
            Assert.Contains(Get, fault.Message, StringComparison.Ordinal);
            Assert.Equal("fast", await proxy.SlowAsync(CancellationToken.None)); // another method: untouched
        }

        Assert.Equal("item 2", await proxy.GetAsync(2, CancellationToken.None));
        Assert.False(kit.Registry.Chaos.IsEnabled); // the switch went back off
        Assert.Equal(1, kit.Recorder[Get].ChaosInjections);
        Assert.Equal(2, kit.Recorder[Get].Calls);
        Assert.Equal(1, kit.Recorder[Get].Failed);
    }

    [Fact]
    public async Task Nested_injections_restore_the_outer_one_and_the_seed_makes_a_rate_repeatable()
    {
        async Task<int> FailuresOutOf(int calls, int seed)
        {
            using var kit = new ResilienceTestKit(seed);
            kit.Configure(o => o.Instances["chaos-db"] = new ResilienceInstanceOptions { CircuitBreaker = new CircuitBreakerOverrides { FailureThreshold = 1_000 } });
            var proxy = new ChaosTargetResilient(new ChaosTarget(), kit.Registry);
            using var outer = kit.InjectFault("chaos-db", () => new IOException(), injectionRate: 0.25);
            using (kit.InjectFault("chaos-db", () => new TimeoutException()))
            {
                await Assert.ThrowsAsync<TimeoutException>(() => proxy.GetAsync(0, CancellationToken.None).AsTask());
            }

            int failures = 0;
            for (int i = 0; i < calls; i++)
            {
                try
                {
                    await proxy.GetAsync(i, CancellationToken.None);
                }
                catch (IOException)
                {
                    failures++;
                }
            }

            Assert.Equal(failures, kit.Recorder["chaos-db"].ChaosInjections - 1);
            return failures;
        }

        int first = await FailuresOutOf(400, seed: 99);
        Assert.Equal(first, await FailuresOutOf(400, seed: 99));
        Assert.InRange(first, 60, 140); // 100 expected
    }

    [Fact]
    public async Task Injected_latency_is_waited_on_the_kits_clock()
    {
        using var kit = new ResilienceTestKit();
        var proxy = new ChaosTargetResilient(new ChaosTarget(), kit.Registry);
        using var slow = kit.InjectLatency(Slow, TimeSpan.FromSeconds(2));

        Task<string> call = proxy.SlowAsync(CancellationToken.None);
        kit.Advance(TimeSpan.FromSeconds(1)); // the [Timeout(1_000)] fires first

        await Assert.ThrowsAsync<ResilienceTimeoutException>(() => call);
        Assert.Equal(1, kit.Recorder[Slow].Timeouts);
        Assert.Equal(1, kit.Recorder[Slow].Failed);
    }

    [Fact]
    public async Task The_recorder_counts_retries_per_retry_and_per_method()
    {
        using var kit = new ResilienceTestKit();
        var proxy = new ChaosTargetResilient(new ChaosTarget(), kit.Registry);
        using var fault = kit.InjectFault(Count, () => new IOException());

        Task<int> call = proxy.CountAsync(CancellationToken.None);
        kit.Advance(TimeSpan.FromMilliseconds(10));
        kit.Advance(TimeSpan.FromMilliseconds(20));

        await Assert.ThrowsAsync<IOException>(() => call);
        Assert.Equal(2, kit.Recorder[Count].Retries);
        Assert.Equal(3, kit.Recorder[Count].ChaosInjections);
        Assert.Equal(1, kit.Recorder["chaos-db"].Calls);
        Assert.Contains(Count, kit.Recorder.Names);

        kit.Recorder.Clear();
        Assert.Equal(0, kit.Recorder[Count].Calls);
    }

    [Fact]
    public void Invalid_options_are_refused_as_configuration_would_refuse_them()
    {
        using var kit = new ResilienceTestKit();

        var error = Assert.Throws<OptionsValidationException>(() => kit.Inject(Get, new ChaosOverrides { Enabled = true, InjectionRate = 2, Fault = "TimeoutException" }));
        Assert.Contains(error.Failures, f => f.StartsWith($"Resilience:Instances:{Get}:Chaos:InjectionRate", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Kits_running_in_parallel_record_only_their_own_calls()
    {
        await Task.WhenAll(Enumerable.Range(0, 8).Select(n => Task.Run(async () =>
        {
            using var kit = new ResilienceTestKit();
            var proxy = new ChaosTargetResilient(new ChaosTarget(), kit.Registry);
            for (int i = 0; i <= n; i++)
            {
                await proxy.GetAsync(i, CancellationToken.None);
            }

            Assert.Equal(n + 1, kit.Recorder[Get].Calls);
        })));
    }
}
