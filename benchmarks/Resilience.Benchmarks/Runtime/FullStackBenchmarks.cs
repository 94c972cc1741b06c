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
    private RateLimitStrategy _rateLimit = null!;
    private Bulkhead _bulkhead = null!;
    private TimeoutStrategy _timeout = null!;

    /// <summary>Creates the generated proxy and the Polly pipeline.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _proxy = new FullStackServiceResilient(_inner, _registry);
        _token = _caller.Token; // a caller token that can be cancelled, as in a web request
        _polly = PollyPipelines.FullStack();

        // The parts alone: instances of their own, with the generated method's settings.
        _rateLimit = _registry.GetOrAddRateLimit(
            "alone",
            new RateLimitOptions { PermitLimit = Settings.PermitLimit, Window = TimeSpan.FromMilliseconds(Settings.WindowMs) });
        _bulkhead = _registry.GetOrAddBulkhead("alone", new BulkheadOptions { MaxConcurrency = Settings.MaxConcurrency });
        _timeout = _registry.GetOrAddTimeout("alone", TimeSpan.FromMilliseconds(Settings.TimeoutMs));
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

    /// <summary>
    /// An async <see cref="ValueTask{TResult}"/> method around the same inner call, with no strategy: subtract it from
    /// the rows below to get each part's own cost.
    /// </summary>
    [Benchmark]
    public async ValueTask<int> AsyncShell() => await _inner.GetAsync(Id, _token).ConfigureAwait(false);

    /// <summary>The generated method's rate limit alone (a token bucket that never runs out): admit, then the same inner call.</summary>
    [Benchmark]
    public async ValueTask<int> RateLimitAlone()
    {
        Exception? rejection = await _rateLimit.AdmitAsync(_token).ConfigureAwait(false);
        return rejection is null ? await _inner.GetAsync(Id, _token).ConfigureAwait(false) : -1;
    }

    /// <summary>The generated method's bulkhead alone, uncontended: admit, the same inner call, release.</summary>
    [Benchmark]
    public async ValueTask<int> BulkheadAlone()
    {
        if (await _bulkhead.AdmitAsync(_token).ConfigureAwait(false) is not null)
        {
            return -1;
        }

        try
        {
            return await _inner.GetAsync(Id, _token).ConfigureAwait(false);
        }
        finally
        {
            _bulkhead.Release();
        }
    }

    /// <summary>The generated method's timeout alone: start (clock read, timer, link to the caller's token), the same inner call on its token, dispose.</summary>
    [Benchmark]
    public async ValueTask<int> TimeoutAlone()
    {
        TimeoutScope scope = _timeout.Start(_token);
        try
        {
            return await _inner.GetAsync(Id, scope.Token).ConfigureAwait(false);
        }
        finally
        {
            scope.Dispose();
        }
    }
}
