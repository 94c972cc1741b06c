using BenchmarkDotNet.Attributes;
using Polly;
using Resilience.Benchmarks.Services;

namespace Resilience.Benchmarks.Runtime;

/// <summary>Rate limit + bulkhead + timeout + circuit breaker + retry (limits that never reject) around a <see cref="ValueTask{TResult}"/> call that completes synchronously.</summary>
[MemoryDiagnoser]
[Config(typeof(RuntimeBenchmarkConfig))]
public class FullStackBenchmarks
{
    private const int Id = 42;
    private readonly CancellationTokenSource _caller = new();
    // Typed as the interface: every variant makes the same interface call to the inner service.
    private readonly IFullStackService _inner = new ImmediateService();
    private readonly ResilienceRegistry _registry = new();
    private CancellationToken _token;
    private IFullStackService _proxy = null!;
    private ResiliencePipeline<int> _polly = ResiliencePipeline<int>.Empty;

    /// <summary>Creates the generated proxy and the Polly pipeline.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _proxy = new FullStackServiceResilient(_inner, _registry);
        _token = _caller.Token; // a caller token that can be cancelled, as in a web request
        _polly = PollyPipelines.FullStack();
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

    /// <summary>The generated decorator around the inner service.</summary>
    [Benchmark]
    public ValueTask<int> Generated() => _proxy.GetAsync(Id, _token);

    /// <summary>The same strategies as a Polly v8 pipeline.</summary>
    [Benchmark]
    public ValueTask<int> PollyV8() => _polly.ExecuteAsync(static (inner, ct) => inner.GetAsync(Id, ct), _inner, _token);
}
