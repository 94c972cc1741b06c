using BenchmarkDotNet.Attributes;
using Polly;
using Resilience.Benchmarks.Services;

namespace Resilience.Benchmarks.Runtime;

/// <summary>
/// Retry (zero delay) of a call that fails once and succeeds on the second attempt. The baseline is a hand-written
/// retry loop; all three pay one exception throw and two inner calls per operation.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(RuntimeBenchmarkConfig))]
public class RetrySecondAttemptBenchmarks
{
    private const int Id = 42;
    private readonly CancellationTokenSource _caller = new();
    // Typed as the interface: every variant makes the same interface call to the inner service.
    private readonly IFlakyService _inner = new FlakyService();
    private readonly ResilienceRegistry _registry = new();
    private CancellationToken _token;
    private IFlakyService _proxy = null!;
    private ResiliencePipeline<int> _polly = ResiliencePipeline<int>.Empty;

    /// <summary>Creates the generated proxy and the Polly pipeline.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _proxy = new FlakyServiceResilient(_inner, _registry);
        _token = _caller.Token;
        _polly = PollyPipelines.ImmediateRetry();
    }

    /// <summary>Disposes the registry and the caller token.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        _registry.Dispose();
        _caller.Dispose();
    }

    /// <summary>Hand-written retry loop around the inner call.</summary>
    [Benchmark(Baseline = true)]
    public async ValueTask<int> Direct()
    {
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                return await _inner.GetAsync(Id, _token).ConfigureAwait(false);
            }
            catch (InvalidOperationException) when (attempt <= Settings.MaxRetries)
            {
            }
        }
    }

    /// <summary>The generated decorator around the inner service.</summary>
    [Benchmark]
    public ValueTask<int> Generated() => _proxy.GetAsync(Id, _token);

    /// <summary>The same retry as a Polly v8 pipeline.</summary>
    [Benchmark]
    public ValueTask<int> PollyV8() => _polly.ExecuteAsync(static (inner, ct) => inner.GetAsync(Id, ct), _inner, _token);
}
