namespace Resilience.Benchmarks.Services;

/// <summary>
/// The settings shared by the attributes on the benchmark interfaces and the equivalent Polly pipelines, so both sides
/// are configured from one place. Limits are large enough that nothing is ever rejected during a run.
/// </summary>
public static class Settings
{
    /// <summary>Retries after the first call.</summary>
    public const int MaxRetries = 3;

    /// <summary>Base retry delay in milliseconds (exponential backoff, 20 % jitter); never waited on a successful call.</summary>
    public const int RetryDelayMs = 200;

    /// <summary>Retry jitter ratio.</summary>
    public const double RetryJitter = 0.2;

    /// <summary>Failure ratio that opens the breaker (Polly v8's breaker is ratio-based, so ours is configured the same way).</summary>
    public const double FailureRatio = 0.5;

    /// <summary>Calls in the sampling window before the ratio is considered.</summary>
    public const int MinimumThroughput = 100;

    /// <summary>Breaker sampling window in milliseconds.</summary>
    public const int SamplingDurationMs = 30_000;

    /// <summary>How long the breaker stays open, in milliseconds.</summary>
    public const int BreakDurationMs = 30_000;

    /// <summary>Total timeout in milliseconds; never reached (the inner call completes at once).</summary>
    public const int TimeoutMs = 10_000;

    /// <summary>Rate limit permits per window: one billion per second, never exhausted by a benchmark.</summary>
    public const int PermitLimit = 1_000_000_000;

    /// <summary>Rate limit window in milliseconds.</summary>
    public const int WindowMs = 1_000;

    /// <summary>Bulkhead concurrency; far above the number of concurrent callers.</summary>
    public const int MaxConcurrency = 1_000;

    /// <summary>The value every fallback returns.</summary>
    public const int FallbackValue = -1;

    /// <summary>The hedging delay of <see cref="IHedgedService"/>: Polly's default, never reached by an inner call that completes at once.</summary>
    public const int HedgeDelayMs = 2_000;

    /// <summary>Failures in a row that open the consecutive-failures breaker of <see cref="IConsecutiveBreakerService"/>.</summary>
    public const int FailureThreshold = 5;
}
