using BenchmarkDotNet.Attributes;
using Polly;
using Resilience.Benchmarks.Services;

namespace Resilience.Benchmarks.Runtime;

/// <summary>
/// Fallback on a call that always fails with a faulted task. The baseline is the hand-written
/// <c>try { await call } catch { await fallback }</c>; all three pay one exception throw per call.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(RuntimeBenchmarkConfig))]
public class FallbackBenchmarks
{
    private const int Id = 42;
    private readonly CancellationTokenSource _caller = new();
    // Typed as the interface: every variant makes the same interface call to the inner service.
    private readonly IFallbackService _inner = new FailingService();
    private readonly ResilienceRegistry _registry = new();
    private CancellationToken _token;
    private IFallbackService _proxy = null!;
    private ResiliencePipeline<int> _polly = ResiliencePipeline<int>.Empty;

    /// <summary>Creates the generated proxy and the Polly pipeline.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _proxy = new FallbackServiceResilient(_inner, _registry);
        _token = _caller.Token;
        _polly = PollyPipelines.Fallback(_inner);
    }

    /// <summary>Disposes the registry and the caller token.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        _registry.Dispose();
        _caller.Dispose();
    }

    /// <summary>Hand-written try/catch around the inner call.</summary>
    [Benchmark(Baseline = true)]
    public async ValueTask<int> Direct()
    {
        try
        {
            return await _inner.GetAsync(Id, _token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return await _inner.GetFallbackAsync(ex).ConfigureAwait(false);
        }
    }

    /// <summary>The generated decorator around the inner service.</summary>
    [Benchmark]
    public ValueTask<int> Generated() => _proxy.GetAsync(Id, _token);

    /// <summary>The same fallback as a Polly v8 pipeline.</summary>
    [Benchmark]
    public ValueTask<int> PollyV8() => _polly.ExecuteAsync(static (inner, ct) => inner.GetAsync(Id, ct), _inner, _token);
}
