using BenchmarkDotNet.Attributes;
using Polly;
using Resilience.Benchmarks.Services;

namespace Resilience.Benchmarks.Runtime;

/// <summary>
/// Retry + circuit breaker around a <see cref="ValueTask{TResult}"/> call that completes synchronously: the breaker in
/// ratio mode (as Polly's) and in consecutive-failures mode.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(RuntimeBenchmarkConfig))]
public class RetryBreakerBenchmarks
{
    private const int Id = 42;
    private readonly CancellationTokenSource _caller = new();
    // Typed as the interface: every variant makes the same interface call to the inner service.
    private readonly IRetryBreakerService _inner = new ImmediateService();
    private readonly ResilienceRegistry _registry = new();
    private CancellationToken _token;
    private IRetryBreakerService _proxy = null!;
    private IConsecutiveBreakerService _consecutiveProxy = null!;
    private ResiliencePipeline<int> _polly = ResiliencePipeline<int>.Empty;

    /// <summary>Creates the generated proxy and the Polly pipeline.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _proxy = new RetryBreakerServiceResilient(_inner, _registry);
        _consecutiveProxy = new ConsecutiveBreakerServiceResilient(new ImmediateService(), _registry);
        _token = _caller.Token; // a caller token that can be cancelled, as in a web request
        _polly = PollyPipelines.RetryBreaker();
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

    /// <summary>The generated decorator with the breaker in consecutive-failures mode.</summary>
    [Benchmark]
    public ValueTask<int> GeneratedConsecutive() => _consecutiveProxy.GetAsync(Id, _token);

    /// <summary>The same strategies as a Polly v8 pipeline.</summary>
    [Benchmark]
    public ValueTask<int> PollyV8() => _polly.ExecuteAsync(static (inner, ct) => inner.GetAsync(Id, ct), _inner, _token);
}
