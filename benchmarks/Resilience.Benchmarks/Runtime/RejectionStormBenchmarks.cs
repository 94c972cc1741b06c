using System.Threading.RateLimiting;
using BenchmarkDotNet.Attributes;
using Polly;
using Polly.Fallback;
using Resilience.Benchmarks.Services;

namespace Resilience.Benchmarks.Runtime;

/// <summary>
/// A failure storm at admission: every call is rejected, by a rate limit whose permit is spent or by a full bulkhead
/// (<see cref="Scenario"/>), and a fallback answers. The generated decorator carries the rejection as a value (no
/// throw); Polly v8 runs the same limiter with a fallback; <c>Throwing</c> is a hand-written call of the same runtime
/// strategy through its throwing API and a <c>catch</c>, what a rejection cost the decorator before; the baseline is the
/// fallback's answer alone.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(RuntimeBenchmarkConfig))]
public class RejectionStormBenchmarks
{
    private const int Id = 42;
    private static readonly Exception Rejection = new RateLimitRejectedException("storm", null);
    private readonly CancellationTokenSource _caller = new();
    private readonly IRejectingService _inner = new RejectingService();
    private readonly ResilienceRegistry _registry = new();
    private readonly TaskCompletionSource<int> _never = new();
    private CancellationToken _token;
    private IRejectingService _proxy = null!;
    private ResiliencePipeline<int> _polly = ResiliencePipeline<int>.Empty;
    private RateLimitStrategy _rateLimit = null!;
    private Bulkhead _bulkhead = null!;

    /// <summary>What rejects every call.</summary>
    [Params("RateLimit", "Bulkhead")]
    public string Scenario { get; set; } = "RateLimit";

    private bool IsRateLimit => Scenario == "RateLimit";

    /// <summary>Creates the proxy and the Polly pipeline, and spends the permit or holds the slot in each.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _token = _caller.Token;
        _proxy = new RejectingServiceResilient(_inner, _registry);
        _rateLimit = new RateLimitStrategy("storm-direct", new RateLimitOptions { PermitLimit = 1, Window = TimeSpan.FromHours(1) });
        _bulkhead = new Bulkhead("storm-direct", new BulkheadOptions { MaxConcurrency = 1, MaxQueue = 0 });
        var builder = new ResiliencePipelineBuilder<int>().AddFallback(new FallbackStrategyOptions<int>
        {
            FallbackAction = args => ToOutcome(_inner.GetFallbackAsync(args.Outcome.Exception!)),
        });
        _polly = (IsRateLimit
                ? builder.AddRateLimiter(new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
                {
                    TokenLimit = 1,
                    TokensPerPeriod = 1,
                    ReplenishmentPeriod = TimeSpan.FromHours(1),
                    QueueLimit = 0,
                    AutoReplenishment = true,
                }))
                : builder.AddConcurrencyLimiter(1, queueLimit: 0))
            .Build();

        if (IsRateLimit)
        {
            _ = _proxy.RateLimitedAsync(Id, _token);
            _ = _polly.ExecuteAsync(static (_, _) => new ValueTask<int>(Id), 0, _token);
            _rateLimit.Acquire(_token);
        }
        else
        {
            _ = _proxy.BulkheadAsync(Id, _token);
            _ = _polly.ExecuteAsync(static (never, _) => new ValueTask<int>(never.Task), _never, _token);
            _bulkhead.Enter(_token);
        }
    }

    /// <summary>Disposes the registry, the strategies and the caller token.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        _registry.Dispose();
        _rateLimit.Dispose();
        _caller.Dispose();
    }

    /// <summary>The fallback's answer alone: the floor.</summary>
    [Benchmark(Baseline = true)]
    public ValueTask<int> Direct() => _inner.GetFallbackAsync(Rejection);

    /// <summary>The generated decorator: the rejection is a value handed to the fallback.</summary>
    [Benchmark]
    public ValueTask<int> Generated() => IsRateLimit ? _proxy.RateLimitedAsync(Id, _token) : _proxy.BulkheadAsync(Id, _token);

    /// <summary>The same limiter and fallback as a Polly v8 pipeline.</summary>
    [Benchmark]
    public ValueTask<int> PollyV8() => IsRateLimit
        ? _polly.ExecuteAsync(static (_, _) => new ValueTask<int>(Id), 0, _token)
        : _polly.ExecuteAsync(static (never, _) => new ValueTask<int>(never.Task), _never, _token);

    /// <summary>Hand-written: the runtime strategy's throwing API and a <c>catch</c> that calls the fallback.</summary>
    [Benchmark]
    public async ValueTask<int> Throwing()
    {
        try
        {
            if (IsRateLimit)
            {
                await _rateLimit.AcquireAsync(_token).ConfigureAwait(false);
                return await _inner.RateLimitedAsync(Id, _token).ConfigureAwait(false);
            }

            await _bulkhead.EnterAsync(_token).ConfigureAwait(false);
            try
            {
                return await _inner.BulkheadAsync(Id, _token).ConfigureAwait(false);
            }
            finally
            {
                _bulkhead.Release();
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return await _inner.GetFallbackAsync(ex).ConfigureAwait(false);
        }
    }

    private static ValueTask<Outcome<int>> ToOutcome(ValueTask<int> pending)
        => pending.IsCompletedSuccessfully ? Outcome.FromResultAsValueTask(pending.Result) : AwaitOutcome(pending);

    private static async ValueTask<Outcome<int>> AwaitOutcome(ValueTask<int> pending) => Outcome.FromResult(await pending.ConfigureAwait(false));
}
