using System.Threading.RateLimiting;
using Polly;
using Polly.CircuitBreaker;
using Polly.Fallback;
using Polly.Retry;
using Resilience.Benchmarks.Services;

namespace Resilience.Benchmarks.Runtime;

/// <summary>
/// Polly v8 pipelines with the same strategies, in the same order (outermost first), with settings equivalent to the
/// attributes on the benchmark interfaces (<see cref="Settings"/>).
/// </summary>
public static class PollyPipelines
{
    /// <summary>Circuit breaker → retry.</summary>
    public static ResiliencePipeline<int> RetryBreaker() => new ResiliencePipelineBuilder<int>()
        .AddCircuitBreaker(Breaker())
        .AddRetry(Retry())
        .Build();

    /// <summary>Hedging → circuit breaker → retry (Polly runs each hedged attempt through the strategies after it).</summary>
    public static ResiliencePipeline<int> HedgeRetryBreaker() => new ResiliencePipelineBuilder<int>()
        .AddHedging(new Polly.Hedging.HedgingStrategyOptions<int> { MaxHedgedAttempts = 1, Delay = TimeSpan.FromMilliseconds(Settings.HedgeDelayMs) })
        .AddCircuitBreaker(Breaker())
        .AddRetry(Retry())
        .Build();

    /// <summary>Timeout → circuit breaker → retry.</summary>
    public static ResiliencePipeline<int> TimeoutBreakerRetry() => new ResiliencePipelineBuilder<int>()
        .AddTimeout(TimeSpan.FromMilliseconds(Settings.TimeoutMs))
        .AddCircuitBreaker(Breaker())
        .AddRetry(Retry())
        .Build();

    /// <summary>Rate limiter → concurrency limiter (bulkhead) → timeout → circuit breaker → retry.</summary>
    public static ResiliencePipeline<int> FullStack() => new ResiliencePipelineBuilder<int>()
        .AddRateLimiter(TokenBucket())
        .AddConcurrencyLimiter(Settings.MaxConcurrency, queueLimit: 0)
        .AddTimeout(TimeSpan.FromMilliseconds(Settings.TimeoutMs))
        .AddCircuitBreaker(Breaker())
        .AddRetry(Retry())
        .Build();

    /// <summary>Concurrency limiter (bulkhead) → circuit breaker, for the contention scenario.</summary>
    public static ResiliencePipeline<int> Contended() => new ResiliencePipelineBuilder<int>()
        .AddConcurrencyLimiter(Settings.MaxConcurrency, queueLimit: 0)
        .AddCircuitBreaker(Breaker())
        .Build();

    /// <summary>Fallback that answers from <see cref="IFallbackService.GetFallbackAsync"/> on the given service.</summary>
    public static ResiliencePipeline<int> Fallback(IFallbackService inner)
    {
        ArgumentNullException.ThrowIfNull(inner);

        // Default ShouldHandle: every exception except OperationCanceledException, like the generated catch filter.
        // The lambda is created once here; no allocation per call.
        return new ResiliencePipelineBuilder<int>()
            .AddFallback(new FallbackStrategyOptions<int>
            {
                FallbackAction = args => ToOutcome(inner.GetFallbackAsync(args.Outcome.Exception!)),
            })
            .Build();
    }

    /// <summary>Retry with zero delay, for the "succeeds on the second attempt" scenario.</summary>
    public static ResiliencePipeline<int> ImmediateRetry() => new ResiliencePipelineBuilder<int>()
        .AddRetry(new RetryStrategyOptions<int>
        {
            MaxRetryAttempts = Settings.MaxRetries,
            Delay = TimeSpan.Zero,
            BackoffType = DelayBackoffType.Constant,
            UseJitter = false,
        })
        .Build();

    private static CircuitBreakerStrategyOptions<int> Breaker() => new()
    {
        FailureRatio = Settings.FailureRatio,
        MinimumThroughput = Settings.MinimumThroughput,
        SamplingDuration = TimeSpan.FromMilliseconds(Settings.SamplingDurationMs),
        BreakDuration = TimeSpan.FromMilliseconds(Settings.BreakDurationMs),
    };

    private static RetryStrategyOptions<int> Retry() => new()
    {
        MaxRetryAttempts = Settings.MaxRetries,
        Delay = TimeSpan.FromMilliseconds(Settings.RetryDelayMs),
        BackoffType = DelayBackoffType.Exponential,
        UseJitter = true,
    };

    // Same capacity and refill rate as [RateLimit(PermitLimit, WindowMs)] with the token bucket algorithm.
    private static TokenBucketRateLimiter TokenBucket() => new(new TokenBucketRateLimiterOptions
    {
        TokenLimit = Settings.PermitLimit,
        TokensPerPeriod = Settings.PermitLimit,
        ReplenishmentPeriod = TimeSpan.FromMilliseconds(Settings.WindowMs),
        QueueLimit = 0,
        AutoReplenishment = true,
    });

    private static ValueTask<Outcome<int>> ToOutcome(ValueTask<int> pending)
        => pending.IsCompletedSuccessfully ? Outcome.FromResultAsValueTask(pending.Result) : AwaitOutcome(pending);

    private static async ValueTask<Outcome<int>> AwaitOutcome(ValueTask<int> pending) => Outcome.FromResult(await pending.ConfigureAwait(false));
}
