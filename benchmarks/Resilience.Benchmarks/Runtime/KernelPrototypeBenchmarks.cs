using BenchmarkDotNet.Attributes;
using Polly;
using Resilience.Benchmarks.Runtime.Kernel;
using Resilience.Benchmarks.Services;

namespace Resilience.Benchmarks.Runtime;

/// <summary>
/// Issue 16 item 1: retry + circuit breaker through the generated inline code, through the runtime kernel prototype
/// (<see cref="KernelPipeline{TResult}"/>), through <see cref="ResilientCall{T}"/> and through Polly v8, around a call
/// that completes synchronously.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(RuntimeBenchmarkConfig))]
public class KernelRetryBreakerBenchmarks
{
    private const int Id = 42;
    private readonly CancellationTokenSource _caller = new();
    private readonly IRetryBreakerService _inner = new ImmediateService();
    private readonly ResilienceRegistry _registry = new();
    private readonly ResilienceRegistry _kernelRegistry = new();
    private readonly ResilienceRegistry _callRegistry = new();
    private CancellationToken _token;
    private IRetryBreakerService _proxy = null!;
    private IRetryBreakerService _kernel = null!;
    private ResiliencePipeline<int> _polly = ResiliencePipeline<int>.Empty;
    private ResilientCall<int> _call = null!;

    /// <summary>Creates the three decorators.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _proxy = new RetryBreakerServiceResilient(_inner, _registry);
        _kernel = new KernelRetryBreakerService(_inner, _kernelRegistry);
        _call = ResilientCall.For<int>(_callRegistry).WithCircuitBreaker(KernelSettings.Breaker()).WithRetry(KernelSettings.Retry()).Build();
        _token = _caller.Token;
        _polly = PollyPipelines.RetryBreaker();
    }

    /// <summary>Disposes the registries and the caller token.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        _registry.Dispose();
        _kernelRegistry.Dispose();
        _callRegistry.Dispose();
        _caller.Dispose();
    }

    /// <summary>The inner service, called directly.</summary>
    [Benchmark(Baseline = true)]
    public ValueTask<int> Direct() => _inner.GetAsync(Id, _token);

    /// <summary>The generated decorator (strategies inline).</summary>
    [Benchmark]
    public ValueTask<int> Generated() => _proxy.GetAsync(Id, _token);

    /// <summary>A decorator whose method is one call into the kernel.</summary>
    [Benchmark]
    public ValueTask<int> Kernel() => _kernel.GetAsync(Id, _token);

    /// <summary>The same strategies as a <see cref="ResilientCall{T}"/> (a delegate with state, no closure).</summary>
    [Benchmark]
    public ValueTask<int> ViaResilientCall() => _call.ExecuteAsync(static (inner, ct) => inner.GetAsync(Id, ct), _inner, _token);

    /// <summary>The same strategies as a Polly v8 pipeline.</summary>
    [Benchmark]
    public ValueTask<int> PollyV8() => _polly.ExecuteAsync(static (inner, ct) => inner.GetAsync(Id, ct), _inner, _token);
}

/// <summary>Issue 16 item 1: timeout + circuit breaker + retry, generated inline vs the kernel prototype vs Polly v8.</summary>
[MemoryDiagnoser]
[Config(typeof(RuntimeBenchmarkConfig))]
public class KernelTimeoutBreakerRetryBenchmarks
{
    private const int Id = 42;
    private readonly CancellationTokenSource _caller = new();
    private readonly ITimeoutBreakerRetryService _inner = new ImmediateService();
    private readonly ResilienceRegistry _registry = new();
    private readonly ResilienceRegistry _kernelRegistry = new();
    private readonly ResilienceRegistry _callRegistry = new();
    private CancellationToken _token;
    private ITimeoutBreakerRetryService _proxy = null!;
    private ITimeoutBreakerRetryService _kernel = null!;
    private ResiliencePipeline<int> _polly = ResiliencePipeline<int>.Empty;
    private ResilientCall<int> _call = null!;

    /// <summary>Creates the three decorators.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _proxy = new TimeoutBreakerRetryServiceResilient(_inner, _registry);
        _kernel = new KernelTimeoutBreakerRetryService(_inner, _kernelRegistry);
        _call = ResilientCall.For<int>(_callRegistry)
            .WithTimeout(TimeSpan.FromMilliseconds(Settings.TimeoutMs))
            .WithCircuitBreaker(KernelSettings.Breaker())
            .WithRetry(KernelSettings.Retry())
            .Build();
        _token = _caller.Token;
        _polly = PollyPipelines.TimeoutBreakerRetry();
    }

    /// <summary>Disposes the registries and the caller token.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        _registry.Dispose();
        _kernelRegistry.Dispose();
        _callRegistry.Dispose();
        _caller.Dispose();
    }

    /// <summary>The inner service, called directly.</summary>
    [Benchmark(Baseline = true)]
    public ValueTask<int> Direct() => _inner.GetAsync(Id, _token);

    /// <summary>The generated decorator (strategies inline).</summary>
    [Benchmark]
    public ValueTask<int> Generated() => _proxy.GetAsync(Id, _token);

    /// <summary>A decorator whose method is one call into the kernel.</summary>
    [Benchmark]
    public ValueTask<int> Kernel() => _kernel.GetAsync(Id, _token);

    /// <summary>The same strategies as a <see cref="ResilientCall{T}"/> (a delegate with state, no closure).</summary>
    [Benchmark]
    public ValueTask<int> ViaResilientCall() => _call.ExecuteAsync(static (inner, ct) => inner.GetAsync(Id, ct), _inner, _token);

    /// <summary>The same strategies as a Polly v8 pipeline.</summary>
    [Benchmark]
    public ValueTask<int> PollyV8() => _polly.ExecuteAsync(static (inner, ct) => inner.GetAsync(Id, ct), _inner, _token);
}
