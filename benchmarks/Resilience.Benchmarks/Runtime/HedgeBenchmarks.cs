using BenchmarkDotNet.Attributes;
using Polly;
using Resilience.Benchmarks.Services;

namespace Resilience.Benchmarks.Runtime;

/// <summary>
/// Hedging on the hot path (the first attempt completes synchronously), beside the same retry + breaker without
/// <c>[Hedge]</c>: the method without hedging is generated exactly as before, so <see cref="Generated"/> is the hot path
/// of <see cref="RetryBreakerBenchmarks"/>.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(RuntimeBenchmarkConfig))]
public class HedgeBenchmarks
{
    private const int Id = 42;
    private readonly CancellationTokenSource _caller = new();
    private readonly ImmediateService _service = new();
    private readonly ResilienceRegistry _registry = new();
    private CancellationToken _token;
    private IRetryBreakerService _inner = null!;
    private IRetryBreakerService _proxy = null!;
    private IHedgedService _hedged = null!;
    private ResiliencePipeline<int> _polly = ResiliencePipeline<int>.Empty;

    /// <summary>Creates the generated proxies and the Polly pipeline.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _inner = _service;
        _proxy = new RetryBreakerServiceResilient(_service, _registry);
        _hedged = new HedgedServiceResilient(_service, _registry);
        _token = _caller.Token;
        _polly = PollyPipelines.HedgeRetryBreaker();
    }

    /// <summary>Disposes the registry and the caller token.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        _registry.Dispose();
        _caller.Dispose();
    }

    /// <summary>The inner service, called directly.</summary>
    [Benchmark(Baseline = true)]
    public ValueTask<int> Direct() => _inner.GetAsync(Id, _token);

    /// <summary>Retry + breaker, no hedge: the hot path of a method without <c>[Hedge]</c>.</summary>
    [Benchmark]
    public ValueTask<int> Generated() => _proxy.GetAsync(Id, _token);

    /// <summary>The same with <c>[Hedge]</c>: the first attempt answers at once, so no race is started.</summary>
    [Benchmark]
    public ValueTask<int> GeneratedHedged() => _hedged.GetAsync(Id, _token);

    /// <summary>Polly v8: hedging → circuit breaker → retry.</summary>
    [Benchmark]
    public ValueTask<int> PollyV8() => _polly.ExecuteAsync(static (inner, ct) => inner.GetAsync(Id, ct), (IHedgedService)_service, _token);
}
