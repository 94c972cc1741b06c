using Resilience;

namespace Resilience.Runtime.Tests.Composition;

using Bulkhead = global::Resilience.Bulkhead;
using CircuitBreaker = global::Resilience.CircuitBreaker;

/// <summary>The builder takes existing breakers, bulkheads, rate limits, retries and timeouts and shares them as they are.</summary>
public sealed class ResilientCallInstanceTests : IDisposable
{
    private static readonly TimeSpan Safety = TimeSpan.FromSeconds(10);
    private readonly TestClock _clock = new();
    private readonly ResilienceRegistry _registry;

    public ResilientCallInstanceTests() => _registry = new ResilienceRegistry(_clock);

    public void Dispose() => _registry.Dispose();

    private static ValueTask<int> Fail(CancellationToken _) => throw new InvalidOperationException("down");

    [Fact]
    public async Task A_breaker_instance_is_shared_with_its_other_users()
    {
        CircuitBreaker breaker = _registry.GetOrAddCircuitBreaker("payments", new CircuitBreakerOptions { FailureThreshold = 2 });
        var call = ResilientCall.For<int>(_registry).WithCircuitBreaker(breaker).Build();

        await Assert.ThrowsAsync<InvalidOperationException>(() => call.ExecuteAsync(Fail).AsTask());
        Assert.Equal(1, breaker.Counts.Failures);
        await Assert.ThrowsAsync<InvalidOperationException>(() => call.ExecuteAsync(Fail).AsTask());
        Assert.Equal(CircuitState.Open, breaker.State);

        var rejected = await Assert.ThrowsAsync<BrokenCircuitException>(() => call.ExecuteAsync(_ => new ValueTask<int>(1)).AsTask());
        Assert.Equal("payments", rejected.InstanceName);

        breaker.Reset(); // an operator closing it is seen by the call at once
        Assert.Equal(1, await call.ExecuteAsync(_ => new ValueTask<int>(1)));
    }

    [Fact]
    public async Task A_bulkhead_instance_shares_its_slots()
    {
        var bulkhead = new Bulkhead("db", new BulkheadOptions { MaxConcurrency = 1 });
        var call = ResilientCall.For<int>(_registry).WithBulkhead(bulkhead).Build();
        Assert.True(bulkhead.TryEnter()); // someone else holds the only slot

        var rejected = await Assert.ThrowsAsync<BulkheadRejectedException>(() => call.ExecuteAsync(_ => new ValueTask<int>(1)).AsTask());
        Assert.Equal(BulkheadRejectionReason.QueueFull, rejected.Reason);

        bulkhead.Release();
        Assert.Equal(1, await call.ExecuteAsync(_ => new ValueTask<int>(1)));
        Assert.Equal(0, bulkhead.RunningCount);
    }

    [Fact]
    public async Task A_worker_pool_bulkhead_instance_runs_the_call_on_its_worker()
    {
        Bulkhead pool = _registry.GetOrAddBulkhead("pool", new BulkheadOptions { Kind = BulkheadKind.WorkerPool, MaxConcurrency = 1 });
        var call = ResilientCall.For<string?>(_registry).WithBulkhead(pool).Build();

        string? thread = await call.ExecuteAsync(_ => new ValueTask<string?>(Thread.CurrentThread.Name)).AsTask().WaitAsync(Safety);

        Assert.Equal("Resilience worker 'pool' #1", thread);
        Assert.Equal(0, pool.RunningCount);
    }

    [Fact]
    public async Task A_rate_limit_instance_shares_its_permits_and_is_not_disposed_by_the_call()
    {
        using var limit = new RateLimitStrategy("api", new RateLimitOptions { PermitLimit = 2, Window = TimeSpan.FromSeconds(1), Algorithm = RateLimitAlgorithm.FixedWindow }, _clock);
        var first = ResilientCall.For<int>(_registry).WithRateLimit(limit).Build();
        var second = ResilientCall.For<int>(_registry).WithRateLimit(limit).Build();

        Assert.Equal(1, await first.ExecuteAsync(_ => new ValueTask<int>(1)));
        Assert.Equal(2, await second.ExecuteAsync(_ => new ValueTask<int>(2)));
        var rejected = await Assert.ThrowsAsync<RateLimitRejectedException>(() => first.ExecuteAsync(_ => new ValueTask<int>(3)).AsTask());
        Assert.Equal("api", rejected.InstanceName);
    }

    [Fact]
    public async Task Retry_and_timeout_instances_are_used_with_their_own_settings()
    {
        var retry = new RetryStrategy("r", new RetryOptions { MaxRetries = 2, Delay = TimeSpan.Zero, Jitter = 0 }, _clock);
        var timeout = new TimeoutStrategy("t", TimeSpan.FromSeconds(1), _clock);
        var call = ResilientCall.For<int>(_registry).WithRetry(retry).WithTimeout(timeout).Build();
        int attempts = 0;

        await Assert.ThrowsAsync<InvalidOperationException>(() => call.ExecuteAsync(_ => ++attempts > 0 ? throw new InvalidOperationException() : default).AsTask());

        Assert.Equal(3, attempts);
    }

    [Fact]
    public async Task A_timeout_on_another_clock_than_the_rate_limit_counts_from_its_own_start()
    {
        // The rate limit's clock is a year ahead: its reading, taken for the timeout's clock, would be a deadline a year away.
        var limitClock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        limitClock.Advance(TimeSpan.FromDays(365));
        using var limit = new RateLimitStrategy("ahead", new RateLimitOptions { PermitLimit = 10, Window = TimeSpan.FromSeconds(1) }, limitClock);
        var timeout = new TimeoutStrategy("t", TimeSpan.FromSeconds(1), _clock);
        var call = ResilientCall.For<int>(_registry).WithRateLimit(limit).WithTimeout(timeout).Build();

        Task<int> running = call.ExecuteAsync(static token =>
        {
            var hang = new TaskCompletionSource<int>(); // cancelled inline, on the cancelling thread
            token.UnsafeRegister(static (state, cancelled) => ((TaskCompletionSource<int>)state!).TrySetCanceled(cancelled), hang);
            return new ValueTask<int>(hang.Task);
        }).AsTask();
        _clock.Advance(TimeSpan.FromMilliseconds(999));
        Assert.False(running.IsCompleted);
        _clock.Advance(TimeSpan.FromMilliseconds(1));
        await Assert.ThrowsAsync<ResilienceTimeoutException>(() => running.WaitAsync(Safety));
    }

    [Fact]
    public async Task A_hand_made_instance_reports_its_rejections_to_the_builders_registry_once()
    {
        var breaker = new CircuitBreaker("hand-made", new CircuitBreakerOptions(), _clock);
        var rejections = new List<RejectedEventArgs>();
        _registry.OnRejected += (_, e) => rejections.Add(e);
        var call = ResilientCall.For<int>(_registry).WithCircuitBreaker(breaker).Build();
        _ = ResilientCall.For<int>(_registry).WithCircuitBreaker(breaker).Build();
        breaker.Isolate();

        await Assert.ThrowsAsync<BrokenCircuitException>(() => call.ExecuteAsync(_ => new ValueTask<int>(1)).AsTask());

        RejectedEventArgs rejection = Assert.Single(rejections);
        Assert.Equal("hand-made", rejection.InstanceName);
        Assert.Equal("circuit_breaker", rejection.Strategy);
    }

    [Fact]
    public void An_instance_and_options_of_the_same_kind_cannot_both_be_added()
    {
        var builder = ResilientCall.For<int>(_registry).WithBulkhead(new BulkheadOptions());

        Assert.Throws<InvalidOperationException>(() => builder.WithBulkhead(new Bulkhead("b", new BulkheadOptions())));
        Assert.Throws<ArgumentNullException>(() => builder.WithCircuitBreaker((CircuitBreaker)null!));
    }
}
