using BenchmarkDotNet.Attributes;

namespace Resilience.Benchmarks.Runtime;

/// <summary>
/// The primitives behind the seed-parity settings, called directly: a closed breaker's acquire + success with and
/// without an <see cref="CircuitBreakerOptions.Interval"/>, and an immediate rate-limit reservation beside
/// <see cref="RateLimitStrategy.TryAcquire"/> (a fixed window with a limit nothing reaches).
/// </summary>
[MemoryDiagnoser]
public class PrimitiveBenchmarks
{
    private readonly CircuitBreaker _breaker = new("plain", new CircuitBreakerOptions());
    private readonly CircuitBreaker _ratioBreaker = new("ratio", new CircuitBreakerOptions { FailureRatio = 0.5 });
    private readonly CircuitBreaker _intervalBreaker = new("interval", new CircuitBreakerOptions { Interval = TimeSpan.FromMinutes(1) });
    private readonly RateLimitStrategy _limit = new(
        "limit",
        new RateLimitOptions { Algorithm = RateLimitAlgorithm.FixedWindow, PermitLimit = int.MaxValue, Window = TimeSpan.FromHours(1) });

    /// <summary>Disposes the limit.</summary>
    [GlobalCleanup]
    public void Cleanup() => _limit.Dispose();

    /// <summary>Closed breaker, no interval: acquire, then record a success.</summary>
    [Benchmark(Baseline = true)]
    public bool ClosedBreakerSuccess()
    {
        bool acquired = _breaker.TryAcquire(out CircuitBreakerLease lease);
        lease.RecordSuccess();
        return acquired;
    }

    /// <summary>Closed breaker in failure-ratio mode: acquire, then record a success.</summary>
    [Benchmark]
    public bool ClosedRatioBreakerSuccess()
    {
        bool acquired = _ratioBreaker.TryAcquire(out CircuitBreakerLease lease);
        lease.RecordSuccess();
        return acquired;
    }

    /// <summary>Closed breaker with an interval that has not ended: acquire, then record a success.</summary>
    [Benchmark]
    public bool ClosedBreakerWithIntervalSuccess()
    {
        bool acquired = _intervalBreaker.TryAcquire(out CircuitBreakerLease lease);
        lease.RecordSuccess();
        return acquired;
    }

    /// <summary>An available permit, taken with <see cref="RateLimitStrategy.TryAcquire"/>.</summary>
    [Benchmark]
    public bool RateLimitTryAcquire() => _limit.TryAcquire();

    /// <summary>An available permit, taken as an immediate reservation.</summary>
    [Benchmark]
    public bool RateLimitReserveImmediate() => _limit.Reserve().IsAcquired;
}
