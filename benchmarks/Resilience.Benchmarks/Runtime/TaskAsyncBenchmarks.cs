using BenchmarkDotNet.Attributes;
using Polly;
using Resilience.Benchmarks.Services;

namespace Resilience.Benchmarks.Runtime;

/// <summary>Retry + circuit breaker around a <see cref="Task{TResult}"/> call that completes asynchronously (<see cref="Task.Yield"/> inside).</summary>
[MemoryDiagnoser]
[Config(typeof(RuntimeBenchmarkConfig))]
public class TaskAsyncBenchmarks
{
    private const int Id = 42;
    private readonly CancellationTokenSource _caller = new();
    // Typed as the interface: every variant makes the same interface call to the inner service.
    private readonly ITaskService _inner = new YieldingTaskService();
    private readonly ResilienceRegistry _registry = new();
    private CancellationToken _token;
    private ITaskService _proxy = null!;
    private ResiliencePipeline<int> _polly = ResiliencePipeline<int>.Empty;

    /// <summary>Creates the generated proxy and the Polly pipeline.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _proxy = new TaskServiceResilient(_inner, _registry);
        _token = _caller.Token;
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
    public Task<int> Direct() => _inner.GetAsync(Id, _token);

    /// <summary>The generated decorator around the inner service.</summary>
    [Benchmark]
    public Task<int> Generated() => _proxy.GetAsync(Id, _token);

    /// <summary>The same strategies as a Polly v8 pipeline (Polly callbacks return <see cref="ValueTask{TResult}"/>).</summary>
    [Benchmark]
    public ValueTask<int> PollyV8() => _polly.ExecuteAsync(static (inner, ct) => new ValueTask<int>(inner.GetAsync(Id, ct)), _inner, _token);
}
