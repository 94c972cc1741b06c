using Resilience.Benchmarks.Runtime;
using Resilience.Benchmarks.Services;
using Xunit.Abstractions;

namespace Resilience.Benchmarks.Tests;

/// <summary>
/// The headline claim: a successful call that completes synchronously allocates nothing through the generated proxy,
/// in every scenario whose inner call completes synchronously and succeeds.
/// </summary>
public sealed class ProxyAllocationTests(ITestOutputHelper output)
{
    private const int WarmupCalls = 1_000;
    private const int MeasuredCalls = 20_000;

    public static TheoryData<string> Scenarios() => new()
    {
        nameof(RetryBreakerBenchmarks),
        nameof(TimeoutBreakerRetryBenchmarks),
        nameof(FullStackBenchmarks),
        nameof(TaskSyncBenchmarks),
        nameof(ContentionBenchmarks),
        nameof(HedgeBenchmarks),
        nameof(RetryBreakerBenchmarks.GeneratedConsecutive),
        nameof(CacheFallbackBenchmarks),
    };

    [Theory]
    [MemberData(nameof(Scenarios))]
    public void Generated_proxy_allocates_nothing_on_a_synchronous_success(string scenario)
    {
        (Func<int> generated, Func<int> polly, Action cleanup) = Create(scenario);
        try
        {
            long proxyBytes = AllocatedOverMeasuredCalls(generated);
            long pollyBytes = AllocatedOverMeasuredCalls(polly);
            output.WriteLine($"{scenario}: over {MeasuredCalls} calls the generated proxy allocated {proxyBytes} B, Polly v8 {pollyBytes} B (Polly not asserted).");

            Assert.Equal(0, proxyBytes);
        }
        finally
        {
            cleanup();
        }
    }

    [Fact]
    public void The_measurement_sees_a_small_per_call_allocation()
    {
        // Polly's concurrency limiter allocates one lease per call: the same measurement must report it.
        (_, Func<int> polly, Action cleanup) = Create(nameof(FullStackBenchmarks));
        try
        {
            long pollyBytes = AllocatedOverMeasuredCalls(polly);
            Assert.True(pollyBytes >= MeasuredCalls * 24L, $"Expected at least 24 B per call; measured {pollyBytes} B over {MeasuredCalls} calls.");
        }
        finally
        {
            cleanup();
        }
    }

    // Bytes allocated on this thread over MeasuredCalls calls after a warm-up (pools filled, code jitted): the least of
    // up to AllocationProbe.MaxWindows windows.
    private static long AllocatedOverMeasuredCalls(Func<int> call)
    {
        for (int i = 0; i < WarmupCalls; i++)
        {
            Assert.Equal(42, call());
        }

        int failures = 0;
        long allocated = AllocationProbe.Least(() =>
        {
            for (int i = 0; i < MeasuredCalls; i++)
            {
                if (call() != 42)
                {
                    failures++;
                }
            }
        });

        Assert.Equal(0, failures); // in every window
        return allocated;
    }

    private static (Func<int> Generated, Func<int> Polly, Action Cleanup) Create(string scenario)
    {
        switch (scenario)
        {
            case nameof(RetryBreakerBenchmarks):
            {
                var b = new RetryBreakerBenchmarks();
                b.Setup();
                return (() => Completed(b.Generated()), () => Completed(b.PollyV8()), b.Cleanup);
            }

            case nameof(RetryBreakerBenchmarks.GeneratedConsecutive):
            {
                // Retry + breaker with the breaker in consecutive-failures mode (Polly's side is its ratio pipeline).
                var b = new RetryBreakerBenchmarks();
                b.Setup();
                return (() => Completed(b.GeneratedConsecutive()), () => Completed(b.PollyV8()), b.Cleanup);
            }

            case nameof(CacheFallbackBenchmarks):
            {
                // A fresh hit and a store under a key already present (no Polly counterpart: its hit is measured twice).
                var b = new CacheFallbackBenchmarks();
                b.Setup();
                return (() => b.GeneratedHit() + b.GeneratedStore() - 42, () => b.GeneratedHit(), b.Cleanup);
            }

            case nameof(HedgeBenchmarks):
            {
                // The hedged proxy: its first attempt answers at once, so no race starts (Polly's hedging is not asserted).
                var b = new HedgeBenchmarks();
                b.Setup();
                return (() => Completed(b.GeneratedHedged()), () => Completed(b.PollyV8()), b.Cleanup);
            }

            case nameof(TimeoutBreakerRetryBenchmarks):
            {
                var b = new TimeoutBreakerRetryBenchmarks();
                b.Setup();
                return (() => Completed(b.Generated()), () => Completed(b.PollyV8()), b.Cleanup);
            }

            case nameof(FullStackBenchmarks):
            {
                var b = new FullStackBenchmarks();
                b.Setup();
                return (() => Completed(b.Generated()), () => Completed(b.PollyV8()), b.Cleanup);
            }

            case nameof(TaskSyncBenchmarks):
            {
                var b = new TaskSyncBenchmarks();
                b.Setup();
                return (() => Completed(b.Generated()), () => Completed(b.PollyV8()), b.Cleanup);
            }

            case nameof(ContentionBenchmarks):
            {
                // The contention benchmark's per-call path, on one thread: the shared bulkhead + breaker proxy.
                var registry = new ResilienceRegistry();
                var cts = new CancellationTokenSource();
                var proxy = new ContendedServiceResilient(new ImmediateService(), registry);
                var pipeline = PollyPipelines.Contended();
                var inner = new ImmediateService();
                CancellationToken token = cts.Token;
                return (
                    () => Completed(proxy.GetAsync(42, token)),
                    () => Completed(pipeline.ExecuteAsync(static (s, ct) => s.GetAsync(42, ct), inner, token)),
                    () =>
                    {
                        registry.Dispose();
                        cts.Dispose();
                    });
            }

            default:
                throw new ArgumentOutOfRangeException(nameof(scenario), scenario, "Unknown scenario.");
        }
    }

    private static int Completed(ValueTask<int> call)
    {
        Assert.True(call.IsCompletedSuccessfully, "The call did not complete synchronously.");
        return call.Result;
    }

    private static int Completed(Task<int> call)
    {
        Assert.True(call.IsCompletedSuccessfully, "The call did not complete synchronously.");
        return call.Result;
    }
}
