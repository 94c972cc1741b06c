using BenchmarkDotNet.Attributes;
using Polly;
using Resilience.Benchmarks.ColdStart;

namespace Resilience.Benchmarks.Runtime;

/// <summary>
/// Issue 16 cold start: construct 200 retry + breaker decorators of 200 distinct generated interfaces
/// (<c>ColdStart/ColdStartServices.g.cs</c>) on a new registry and make each one's first call, against building 200 Polly v8
/// pipelines with the same strategies and settings and calling each once. One operation is all 200.
/// </summary>
/// <remarks>
/// BenchmarkDotNet reports the steady state (the code already compiled by the JIT, so what remains is creating the
/// instances, registry look-ups, telemetry and the first call). The first invocation in the process, JIT included, is
/// the <c>WorkloadJitting</c> line of its log (see docs/benchmarks.md).
/// </remarks>
[MemoryDiagnoser]
[Config(typeof(RuntimeBenchmarkConfig))]
public class ColdStartBenchmarks
{
    /// <summary>How many interfaces (and pipelines) one operation creates.</summary>
    public const int Count = 200;

    private readonly ColdStartService _inner = new();
    private readonly CancellationTokenSource _caller = new();

    /// <summary>Disposes the caller token.</summary>
    [GlobalCleanup]
    public void Cleanup() => _caller.Dispose();

    /// <summary>The 200 inner calls through their interfaces, nothing created.</summary>
    [Benchmark(Baseline = true)]
    public int Direct()
    {
        CancellationToken token = _caller.Token;
        int sum = 0;
        foreach (var call in ColdStartServices.DirectCalls)
        {
            sum += call(_inner, token).Result;
        }

        return sum;
    }

    /// <summary>A new registry, 200 generated decorators created and called once each, the registry disposed.</summary>
    [Benchmark]
    public int Generated()
    {
        CancellationToken token = _caller.Token;
        using var registry = new ResilienceRegistry();
        int sum = 0;
        foreach (var firstCall in ColdStartServices.FirstCalls)
        {
            sum += firstCall(_inner, registry, token).Result;
        }

        return sum;
    }

    /// <summary>200 Polly v8 pipelines (breaker → retry, <see cref="PollyPipelines.RetryBreaker"/>) built and called once each.</summary>
    [Benchmark]
    public int PollyV8()
    {
        CancellationToken token = _caller.Token;
        int sum = 0;
        for (int i = 0; i < Count; i++)
        {
            ResiliencePipeline<int> pipeline = PollyPipelines.RetryBreaker();
            sum += pipeline.ExecuteAsync(static (state, ct) => ((ICold000)state.Inner).GetAsync(state.Id, ct), (Inner: _inner, Id: i), token).Result;
        }

        return sum;
    }
}
