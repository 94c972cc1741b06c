using Resilience.EndToEnd.Tests.Infrastructure;

namespace Resilience.EndToEnd.Tests;

public interface IGuardedService
{
    [Fallback(nameof(Rejected))]
    [Bulkhead(MaxConcurrency = 1, MaxQueue = 0)]
    [CircuitBreaker(FailureThreshold = 1, BreakDurationMs = 60_000)]
    Task<string> BulkheadAsync(string id, CancellationToken cancellationToken);

    [Fallback(nameof(Rejected))]
    [RateLimit(PermitLimit = 2, WindowMs = 1_000, Algorithm = RateLimitAlgorithm.FixedWindow)]
    [CircuitBreaker(FailureThreshold = 1, BreakDurationMs = 60_000)]
    Task<string> RateLimitedAsync(string id, CancellationToken cancellationToken);

    static string Rejected(string id, Exception error) => $"fallback {id}: {error.GetType().Name}";
}

public sealed class GatedGuardedService : IGuardedService
{
    public AttemptLog Log { get; } = new();

    public TaskCompletionSource<string>? Gate { get; set; }

    public Task<string> BulkheadAsync(string id, CancellationToken cancellationToken) => Respond(id, cancellationToken);

    public Task<string> RateLimitedAsync(string id, CancellationToken cancellationToken) => Respond(id, cancellationToken);

    private Task<string> Respond(string id, CancellationToken cancellationToken)
    {
        Log.Record(cancellationToken);
        return Gate?.Task ?? Task.FromResult($"inner {id}");
    }
}

/// <summary>Rejections sit outside the breaker: the fallback answers them and the breaker never hears of them.</summary>
public sealed class RejectionTests : IDisposable
{
    private const string Prefix = "Resilience.EndToEnd.Tests.IGuardedService.";

    private readonly Clock _clock = new();
    private readonly GatedGuardedService _inner = new();
    private readonly GuardedServiceResilient _proxy;

    public RejectionTests() => _proxy = new GuardedServiceResilient(_inner, _clock.Registry);

    public void Dispose() => _clock.Dispose();

    private CircuitBreaker BreakerOf(string method) =>
        _clock.Registry.TryGetCircuitBreaker(Prefix + method, out CircuitBreaker? breaker) ? breaker : throw new InvalidOperationException(method);

    [Fact]
    public async Task A_full_bulkhead_is_answered_by_the_fallback_and_the_breaker_records_no_failure()
    {
        _inner.Gate = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        Task<string> occupying = _proxy.BulkheadAsync("a", CancellationToken.None);
        await _inner.Log.WhenCount(1);

        for (int i = 0; i < 3; i++)
        {
            Assert.Equal("fallback b: BulkheadRejectedException", await Clock.Finish(_proxy.BulkheadAsync("b", CancellationToken.None)));
        }

        CircuitBreaker breaker = BreakerOf(nameof(IGuardedService.BulkheadAsync));
        Assert.Equal(0, breaker.Counts.Failures);
        Assert.Equal(CircuitState.Closed, breaker.State);
        Assert.Equal(1, _inner.Log.Count);

        _inner.Gate.SetResult("inner a");
        Assert.Equal("inner a", await Clock.Finish(occupying));
        Assert.Equal(1, breaker.Counts.Successes);
        Assert.Equal(0, breaker.Counts.Failures);
        _inner.Gate = null;
        Assert.Equal("inner c", await Clock.Finish(_proxy.BulkheadAsync("c", CancellationToken.None))); // the slot was released
    }

    [Fact]
    public async Task An_exhausted_rate_limit_is_answered_by_the_fallback_and_the_breaker_records_no_failure()
    {
        Assert.Equal("inner 1", await Clock.Finish(_proxy.RateLimitedAsync("1", CancellationToken.None)));
        Assert.Equal("inner 2", await Clock.Finish(_proxy.RateLimitedAsync("2", CancellationToken.None)));
        Assert.Equal("fallback 3: RateLimitRejectedException", await Clock.Finish(_proxy.RateLimitedAsync("3", CancellationToken.None)));
        Assert.Equal("fallback 4: RateLimitRejectedException", await Clock.Finish(_proxy.RateLimitedAsync("4", CancellationToken.None)));

        CircuitBreaker breaker = BreakerOf(nameof(IGuardedService.RateLimitedAsync));
        Assert.Equal(0, breaker.Counts.Failures);
        Assert.Equal(2, breaker.Counts.Requests);
        Assert.Equal(CircuitState.Closed, breaker.State);
        Assert.Equal(2, _inner.Log.Count);

        _clock.Advance(1_000);
        Assert.Equal("inner 5", await Clock.Finish(_proxy.RateLimitedAsync("5", CancellationToken.None)));
    }
}
