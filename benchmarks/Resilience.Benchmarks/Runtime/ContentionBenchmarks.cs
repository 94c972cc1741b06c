using BenchmarkDotNet.Attributes;
using Polly;
using Resilience.Benchmarks.Services;

namespace Resilience.Benchmarks.Runtime;

/// <summary>
/// Contention: one bulkhead + circuit breaker instance called from <see cref="Workers"/> thread-pool tasks at once, each
/// making <see cref="CallsPerWorker"/> calls. Times are per call (<c>OperationsPerInvoke</c>).
/// </summary>
[MemoryDiagnoser]
[Config(typeof(RuntimeBenchmarkConfig))]
public class ContentionBenchmarks
{
    /// <summary>Concurrent callers.</summary>
    public const int Workers = 4;

    /// <summary>Calls made by each caller per benchmark invocation.</summary>
    public const int CallsPerWorker = 25_000;

    /// <summary>Calls per benchmark invocation.</summary>
    public const int Operations = Workers * CallsPerWorker;

    private readonly CancellationTokenSource _caller = new();
    // Typed as the interface: every variant makes the same interface call to the inner service.
    private readonly IContendedService _inner = new ImmediateService();
    private readonly ResilienceRegistry _registry = new();
    private CancellationToken _token;
    private IContendedService _proxy = null!;
    private ResiliencePipeline<int> _polly = ResiliencePipeline<int>.Empty;
    private Bulkhead _bulkhead = null!;
    private CircuitBreaker _breaker = null!;
    private long _sum;

    // Shared by the 4 tasks, alone on its cache line: the floor of any admission that counts callers in one place.
    private PaddedCounter _counter;

    /// <summary>The sum of every value returned so far (keeps the calls observable).</summary>
    public long Sum => Interlocked.Read(ref _sum);

    /// <summary>Creates the generated proxy and the Polly pipeline.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _proxy = new ContendedServiceResilient(_inner, _registry);
        _token = _caller.Token;
        _polly = PollyPipelines.Contended();
        _bulkhead = new Bulkhead("contended-alone", new BulkheadOptions { MaxConcurrency = Settings.MaxConcurrency });
        _breaker = new CircuitBreaker("contended-alone", new CircuitBreakerOptions
        {
            FailureRatio = Settings.FailureRatio,
            MinimumThroughput = Settings.MinimumThroughput,
            SamplingDuration = TimeSpan.FromMilliseconds(Settings.SamplingDurationMs),
            BreakDuration = TimeSpan.FromMilliseconds(Settings.BreakDurationMs),
        });
    }

    /// <summary>Disposes the registry and the caller token.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        _registry.Dispose();
        _caller.Dispose();
    }

    /// <summary>The inner service, called directly.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = Operations)]
    public Task Direct() => RunWorkers(static b => b.DirectLoopAsync());

    /// <summary>The generated decorator (one bulkhead, one breaker) shared by every worker.</summary>
    [Benchmark(OperationsPerInvoke = Operations)]
    public Task Generated() => RunWorkers(static b => b.GeneratedLoopAsync());

    /// <summary>The same strategies as one shared Polly v8 pipeline.</summary>
    [Benchmark(OperationsPerInvoke = Operations)]
    public Task PollyV8() => RunWorkers(static b => b.PollyLoopAsync());

    /// <summary>
    /// The bulkhead alone, shared by every worker: <see cref="Bulkhead.AdmitAsync"/> and <see cref="Bulkhead.Release"/>,
    /// as the generated decorator calls them, around the same inner call.
    /// </summary>
    [Benchmark(OperationsPerInvoke = Operations)]
    public Task BulkheadAlone() => RunWorkers(static b => b.BulkheadLoopAsync());

    /// <summary>
    /// The shared breaker alone (<c>TryAcquire</c> and the success recorded) around the same inner call, from the same 4
    /// tasks: the breaker's share of <see cref="Generated"/>.
    /// </summary>
    [Benchmark(OperationsPerInvoke = Operations)]
    public Task BreakerAlone() => RunWorkers(static b => b.BreakerLoopAsync());

    /// <summary>
    /// The floor of a shared admission: one <see cref="Interlocked.Increment(ref long)"/> before and one
    /// <see cref="Interlocked.Decrement(ref long)"/> after the same inner call, on one counter alone on its cache line,
    /// from the same 4 tasks; no limit is checked. Any bulkhead that counts its callers in one place pays at least this.
    /// </summary>
    [Benchmark(OperationsPerInvoke = Operations)]
    public Task SharedCounterAlone() => RunWorkers(static b => b.CounterLoopAsync());

    private Task RunWorkers(Func<ContentionBenchmarks, Task> loop)
    {
        var workers = new Task[Workers];
        for (int i = 0; i < workers.Length; i++)
        {
            workers[i] = Task.Run(() => loop(this));
        }

        return Task.WhenAll(workers);
    }

    private async Task DirectLoopAsync()
    {
        long sum = 0;
        for (int i = 0; i < CallsPerWorker; i++)
        {
            sum += await _inner.GetAsync(i, _token).ConfigureAwait(false);
        }

        Interlocked.Add(ref _sum, sum);
    }

    private async Task GeneratedLoopAsync()
    {
        long sum = 0;
        for (int i = 0; i < CallsPerWorker; i++)
        {
            sum += await _proxy.GetAsync(i, _token).ConfigureAwait(false);
        }

        Interlocked.Add(ref _sum, sum);
    }

    private async Task BulkheadLoopAsync()
    {
        long sum = 0;
        for (int i = 0; i < CallsPerWorker; i++)
        {
            if (await _bulkhead.AdmitAsync(_token).ConfigureAwait(false) is null)
            {
                try
                {
                    sum += await _inner.GetAsync(i, _token).ConfigureAwait(false);
                }
                finally
                {
                    _bulkhead.Release();
                }
            }
        }

        Interlocked.Add(ref _sum, sum);
    }

    private async Task BreakerLoopAsync()
    {
        long sum = 0;
        for (int i = 0; i < CallsPerWorker; i++)
        {
            if (_breaker.TryAcquire(out CircuitBreakerLease lease))
            {
                sum += await _inner.GetAsync(i, _token).ConfigureAwait(false);
                lease.RecordSuccess();
            }
        }

        Interlocked.Add(ref _sum, sum);
    }

    private async Task CounterLoopAsync()
    {
        long sum = 0;
        for (int i = 0; i < CallsPerWorker; i++)
        {
            Interlocked.Increment(ref _counter.Value);
            try
            {
                sum += await _inner.GetAsync(i, _token).ConfigureAwait(false);
            }
            finally
            {
                Interlocked.Decrement(ref _counter.Value);
            }
        }

        Interlocked.Add(ref _sum, sum);
    }

    private async Task PollyLoopAsync()
    {
        long sum = 0;
        for (int i = 0; i < CallsPerWorker; i++)
        {
            sum += await _polly.ExecuteAsync(static (state, ct) => state.Inner.GetAsync(state.Id, ct), (Inner: _inner, Id: i), _token).ConfigureAwait(false);
        }

        Interlocked.Add(ref _sum, sum);
    }
}

/// <summary>A counter with 128 bytes on each side, so that nothing else shares its cache line.</summary>
[System.Runtime.InteropServices.StructLayout(System.Runtime.InteropServices.LayoutKind.Explicit, Size = 256)]
internal struct PaddedCounter
{
    /// <summary>The count.</summary>
    [System.Runtime.InteropServices.FieldOffset(128)]
    public long Value;
}
