using Microsoft.Extensions.Time.Testing;

namespace Resilience.Runtime.Tests.CircuitBreaker;

using CircuitBreaker = global::Resilience.CircuitBreaker;

/// <summary>Builds breakers on a fake clock and drives them through outcomes.</summary>
internal static class BreakerTestKit
{
    public static readonly TimeSpan Break = TimeSpan.FromSeconds(30);

    public static CircuitBreaker Create(CircuitBreakerOptions options, out FakeTimeProvider time, string name = "test-breaker")
    {
        time = new FakeTimeProvider();
        return new CircuitBreaker(name, options, time);
    }

    public static CircuitBreakerOptions Consecutive(int threshold, int halfOpenMaxCalls = 1)
        => new() { FailureThreshold = threshold, BreakDuration = Break, HalfOpenMaxCalls = halfOpenMaxCalls };

    public static void Fail(CircuitBreaker breaker, int count)
    {
        for (int i = 0; i < count; i++)
        {
            Assert.True(breaker.TryAcquire(out CircuitBreakerLease lease));
            lease.RecordFailure();
        }
    }

    public static void Succeed(CircuitBreaker breaker, int count)
    {
        for (int i = 0; i < count; i++)
        {
            Assert.True(breaker.TryAcquire(out CircuitBreakerLease lease));
            lease.RecordSuccess();
        }
    }

    public static void Throw(CircuitBreaker breaker, Exception exception, int count = 1, CancellationToken callerToken = default)
    {
        for (int i = 0; i < count; i++)
        {
            Assert.True(breaker.TryAcquire(out CircuitBreakerLease lease));
            lease.RecordException(exception, callerToken);
        }
    }

    /// <summary>Trips a consecutive-failure breaker and lets its break run out, so the next acquire is a probe.</summary>
    public static void BringToHalfOpen(CircuitBreaker breaker, FakeTimeProvider time, int threshold)
    {
        Fail(breaker, threshold);
        Assert.Equal(CircuitState.Open, breaker.State);
        time.Advance(Break);
        Assert.Equal(CircuitState.HalfOpen, breaker.State);
    }

    public static CancellationToken CancelledToken()
    {
        using var source = new CancellationTokenSource();
        source.Cancel();
        return source.Token;
    }
}
