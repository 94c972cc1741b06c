using Resilience;

namespace Resilience.Runtime.Tests.Composition;

// The test folders CircuitBreaker/ and Bulkhead/ declare namespaces that hide these types.
using Bulkhead = global::Resilience.Bulkhead;
using CircuitBreaker = global::Resilience.CircuitBreaker;

[Collection(AllocationCollection.Name)]
public sealed class ResilientCallTests
{
    private readonly TestClock _clock = new();
    private readonly ResilienceRegistry _registry;

    public ResilientCallTests() => _registry = new ResilienceRegistry(_clock);

    private static RetryOptions NoDelayRetry(int maxRetries) => new() { MaxRetries = maxRetries, Delay = TimeSpan.Zero, Jitter = 0 };

    [Fact]
    public async Task Retries_the_configured_number_of_times_waiting_the_backoff_on_the_clock()
    {
        var call = ResilientCall.For<int>(_registry)
            .WithRetry(new RetryOptions { MaxRetries = 3, Delay = TimeSpan.FromMilliseconds(100), Backoff = BackoffType.Exponential, Multiplier = 2, Jitter = 0 })
            .Build();
        DateTimeOffset start = _clock.GetUtcNow();
        var attemptTimes = new List<TimeSpan>();

        Task<int> task = call.ExecuteAsync(_ =>
        {
            attemptTimes.Add(_clock.GetUtcNow() - start);
            throw new InvalidOperationException("attempt " + attemptTimes.Count);
        }).AsTask();

        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => _clock.DriveAsync(task));
        Assert.Equal("attempt 4", ex.Message);
        Assert.Equal([TimeSpan.Zero, TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(300), TimeSpan.FromMilliseconds(700)], attemptTimes);
    }

    [Fact]
    public async Task A_success_after_transient_failures_is_returned_and_recorded_once()
    {
        var call = ResilientCall.For<int>(_registry)
            .WithRetry(NoDelayRetry(3))
            .WithCircuitBreaker(new CircuitBreakerOptions { FailureThreshold = 2 }, "retry-then-success")
            .Build();
        int attempts = 0;

        int result = await call.ExecuteAsync(_ => ++attempts < 3 ? throw new InvalidOperationException() : new ValueTask<int>(42));

        Assert.Equal(42, result);
        Assert.Equal(3, attempts);
        Assert.True(_registry.TryGetCircuitBreaker("retry-then-success", out CircuitBreaker? breaker));
        Assert.Equal(1, breaker.Counts.Successes);
        Assert.Equal(0, breaker.Counts.Failures);
    }

    [Fact]
    public async Task The_breaker_records_one_failure_per_retry_sequence()
    {
        var call = ResilientCall.For<int>(_registry)
            .WithRetry(NoDelayRetry(3))
            .WithCircuitBreaker(new CircuitBreakerOptions { FailureThreshold = 2 }, "per-sequence")
            .Build();
        _registry.TryGetCircuitBreaker("per-sequence", out CircuitBreaker? breaker);
        int attempts = 0;
        ValueTask<int> Fail(CancellationToken _)
        {
            attempts++;
            throw new InvalidOperationException();
        }

        await Assert.ThrowsAsync<InvalidOperationException>(() => call.ExecuteAsync(Fail).AsTask());
        Assert.Equal(4, attempts);
        Assert.Equal(1, breaker!.Counts.Failures);
        Assert.Equal(CircuitState.Closed, breaker.State);

        await Assert.ThrowsAsync<InvalidOperationException>(() => call.ExecuteAsync(Fail).AsTask());
        Assert.Equal(8, attempts);
        Assert.Equal(CircuitState.Open, breaker.State);

        await Assert.ThrowsAsync<BrokenCircuitException>(() => call.ExecuteAsync(Fail).AsTask());
        Assert.Equal(8, attempts);
    }

    [Fact]
    public async Task A_breaker_opening_during_the_sequence_stops_the_retries_at_once()
    {
        var call = ResilientCall.For<int>(_registry)
            .WithRetry(NoDelayRetry(5))
            .WithCircuitBreaker(new CircuitBreakerOptions(), "opens-mid-sequence")
            .Build();
        _registry.TryGetCircuitBreaker("opens-mid-sequence", out CircuitBreaker? breaker);
        int attempts = 0;

        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => call.ExecuteAsync(_ =>
        {
            attempts++;
            breaker!.Isolate(); // another caller tripped it, or an operator isolated it
            throw new InvalidOperationException("first");
        }).AsTask());

        Assert.Equal("first", ex.Message);
        Assert.Equal(1, attempts);
    }

    [Fact]
    public async Task A_breaker_opening_while_the_sequence_waits_to_retry_ends_it_without_another_attempt()
    {
        var call = ResilientCall.For<int>(_registry)
            .WithRetry(new RetryOptions { MaxRetries = 5, Delay = TimeSpan.FromMilliseconds(100), Jitter = 0 })
            .WithCircuitBreaker(new CircuitBreakerOptions(), "opens-during-delay")
            .Build();
        _registry.TryGetCircuitBreaker("opens-during-delay", out CircuitBreaker? breaker);
        int attempts = 0;

        Task<int> task = call.ExecuteAsync(_ =>
        {
            attempts++;
            throw new InvalidOperationException("attempt " + attempts);
        }).AsTask();

        Assert.Equal(TimeSpan.FromMilliseconds(100), await _clock.NextTimerAsync()); // waiting to retry
        breaker!.Isolate();                                                            // another caller tripped it
        _clock.Advance(TimeSpan.FromMilliseconds(100));

        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => task);
        Assert.Equal("attempt 1", ex.Message);
        Assert.Equal(1, attempts);
    }

    [Fact]
    public async Task An_open_circuit_rejection_reaches_the_fallback_without_calling_or_counting()
    {
        Exception? seen = null;
        var call = ResilientCall.For<string>(_registry)
            .WithCircuitBreaker(new CircuitBreakerOptions(), "isolated")
            .WithFallback((ex, _) => { seen = ex; return new ValueTask<string>("fallback"); })
            .Build();
        _registry.TryGetCircuitBreaker("isolated", out CircuitBreaker? breaker);
        breaker!.Isolate();
        bool called = false;

        string result = await call.ExecuteAsync(_ => { called = true; return new ValueTask<string>("real"); });

        Assert.Equal("fallback", result);
        Assert.False(called);
        Assert.IsType<BrokenCircuitException>(seen);
        Assert.Equal(0, breaker.Counts.Requests);
    }

    [Fact]
    public async Task A_bulkhead_rejection_reaches_the_fallback_without_touching_the_breaker()
    {
        Exception? seen = null;
        var call = ResilientCall.For<int>(_registry)
            .WithBulkhead(new BulkheadOptions { MaxConcurrency = 1, MaxQueue = 0 })
            .WithCircuitBreaker(new CircuitBreakerOptions { FailureThreshold = 1 }, "behind-bulkhead")
            .WithFallback((ex, _) => { seen = ex; return new ValueTask<int>(-1); })
            .Build();
        _registry.TryGetCircuitBreaker("behind-bulkhead", out CircuitBreaker? breaker);
        var gate = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);

        Task<int> running = call.ExecuteAsync(_ => new ValueTask<int>(gate.Task)).AsTask();
        int rejected = await call.ExecuteAsync(_ => new ValueTask<int>(1));

        Assert.Equal(-1, rejected);
        Assert.IsType<BulkheadRejectedException>(seen);
        Assert.Equal(0, breaker!.Counts.Requests);
        Assert.Equal(CircuitState.Closed, breaker.State);

        gate.SetResult(7);
        Assert.Equal(7, await running);
        Assert.Equal(1, breaker.Counts.Successes);
        Assert.Equal(3, await call.ExecuteAsync(_ => new ValueTask<int>(3))); // the slot was released
    }

    [Fact]
    public async Task A_rate_limit_rejection_reaches_the_fallback_without_touching_the_breaker()
    {
        Exception? seen = null;
        var call = ResilientCall.For<int>(_registry)
            .WithCircuitBreaker(new CircuitBreakerOptions { FailureThreshold = 1 }, "behind-limit")
            .WithRateLimit(new RateLimitOptions { PermitLimit = 1, Window = TimeSpan.FromHours(1), QueueLimit = 0 })
            .WithFallback((ex, _) => { seen = ex; return new ValueTask<int>(-1); })
            .Build();
        _registry.TryGetCircuitBreaker("behind-limit", out CircuitBreaker? breaker);
        int calls = 0;

        Assert.Equal(1, await call.ExecuteAsync(_ => new ValueTask<int>(++calls)));
        Assert.Equal(-1, await call.ExecuteAsync(_ => new ValueTask<int>(++calls)));

        Assert.Equal(1, calls);
        Assert.IsType<RateLimitRejectedException>(seen);
        Assert.Equal(1, breaker!.Counts.Requests);
        Assert.Equal(CircuitState.Closed, breaker.State);
    }

    [Fact]
    public async Task The_timeout_bounds_the_whole_retry_sequence_including_delays()
    {
        var call = ResilientCall.For<int>(_registry)
            .WithTimeout(TimeSpan.FromSeconds(1))
            .WithRetry(new RetryOptions { MaxRetries = 3, Delay = TimeSpan.FromSeconds(5), Backoff = BackoffType.Constant, Jitter = 0 })
            .WithCircuitBreaker(new CircuitBreakerOptions { FailureThreshold = 1 }, "under-timeout")
            .Build();
        _registry.TryGetCircuitBreaker("under-timeout", out CircuitBreaker? breaker);
        int attempts = 0;

        Task<int> task = call.ExecuteAsync(_ => { attempts++; throw new InvalidOperationException(); }).AsTask();
        Assert.False(task.IsCompleted); // waiting out the first retry delay
        _clock.Advance(TimeSpan.FromSeconds(1));

        var ex = await Assert.ThrowsAsync<ResilienceTimeoutException>(() => task);
        Assert.Equal(TimeSpan.FromSeconds(1), ex.Timeout);
        Assert.Equal(1, attempts);
        Assert.Equal(1, breaker!.Counts.Failures); // one outcome for the sequence, counted as a timeout
        Assert.Equal(1, breaker.Counts.Timeouts);
    }

    [Fact]
    public async Task The_timeout_cancels_the_token_the_action_receives()
    {
        var call = ResilientCall.For<int>(_registry).WithTimeout(TimeSpan.FromSeconds(2), "action-token").Build();
        CancellationToken received = default;

        Task<int> task = call.ExecuteAsync(async token =>
        {
            received = token;
            await Task.Delay(System.Threading.Timeout.InfiniteTimeSpan, token);
            return 0;
        }).AsTask();
        _clock.Advance(TimeSpan.FromSeconds(2) - TimeSpan.FromTicks(1));
        Assert.False(received.IsCancellationRequested);
        _clock.Advance(TimeSpan.FromTicks(1));

        var ex = await Assert.ThrowsAsync<ResilienceTimeoutException>(() => task);
        Assert.Equal("action-token", ex.InstanceName);
        Assert.True(received.IsCancellationRequested);
        Assert.IsAssignableFrom<OperationCanceledException>(ex.InnerException);
    }

    [Fact]
    public async Task An_expired_attempt_timeout_is_retried()
    {
        var call = ResilientCall.For<int>(_registry)
            .WithRetry(new RetryOptions { MaxRetries = 1, Delay = TimeSpan.Zero, Jitter = 0, AttemptTimeout = TimeSpan.FromSeconds(1) })
            .Build();
        int attempts = 0;

        Task<int> task = call.ExecuteAsync(async token =>
        {
            if (++attempts == 1)
            {
                await Task.Delay(System.Threading.Timeout.InfiniteTimeSpan, token);
            }

            return attempts;
        }).AsTask();
        _clock.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal(2, await task);
    }

    [Fact]
    public async Task The_callers_cancellation_is_not_retried_not_counted_and_not_given_to_the_fallback()
    {
        bool fallbackCalled = false;
        var call = ResilientCall.For<int>(_registry)
            .WithFallback((_, _) => { fallbackCalled = true; return new ValueTask<int>(-1); })
            .WithCacheFallback("cancelled", new CacheFallbackOptions())
            .WithRetry(NoDelayRetry(3))
            .WithCircuitBreaker(new CircuitBreakerOptions { FailureThreshold = 1 }, "caller-cancels")
            .WithTimeout(TimeSpan.FromSeconds(5))
            .Build();
        _registry.TryGetCircuitBreaker("caller-cancels", out CircuitBreaker? breaker);
        Assert.Equal(5, await call.ExecuteAsync(_ => new ValueTask<int>(5))); // a stale answer is available
        using var caller = new CancellationTokenSource();
        int attempts = 0;

        var ex = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call.ExecuteAsync(token =>
        {
            attempts++;
            caller.Cancel();
            token.ThrowIfCancellationRequested();
            return new ValueTask<int>(0);
        }, caller.Token).AsTask());

        Assert.IsNotType<ResilienceTimeoutException>(ex);
        Assert.Equal(1, attempts);
        Assert.False(fallbackCalled);
        Assert.Equal(0, breaker!.Counts.Failures);
        Assert.Equal(CircuitState.Closed, breaker.State);
    }

    [Fact]
    public async Task HandleResult_retries_failed_results_then_returns_the_last_one_as_a_breaker_failure_when_the_fallbacks_opt_out()
    {
        bool fallbackCalled = false;
        var call = ResilientCall.For<int>(_registry)
            .WithHandleResult(status => status >= 500)
            .WithRetry(NoDelayRetry(2))
            .WithCircuitBreaker(new CircuitBreakerOptions { FailureThreshold = 5 }, "http")
            .WithCacheFallback("status", new CacheFallbackOptions { Ttl = TimeSpan.FromMinutes(1) }, answerMarkedResults: false)
            .WithFallback((_, _) => { fallbackCalled = true; return new ValueTask<int>(-1); }, answerMarkedResults: false)
            .Build();
        _registry.TryGetCircuitBreaker("http", out CircuitBreaker? breaker);
        int attempts = 0;

        int result = await call.ExecuteAsync(_ => new ValueTask<int>(500 + ++attempts));

        Assert.Equal(503, result);
        Assert.Equal(3, attempts);
        Assert.False(fallbackCalled);
        Assert.Equal(1, breaker!.Counts.Failures);
        Assert.False(_registry.CacheStore.TryGet("status", out _)); // a failed result is not cached

        attempts = 0;
        Assert.Equal(200, await call.ExecuteAsync(_ => new ValueTask<int>(++attempts < 2 ? 500 : 200)));
        Assert.Equal(2, attempts);
        Assert.Equal(1, breaker.Counts.Successes);
    }

    [Fact]
    public async Task The_cache_answers_fresh_hits_without_calling_and_failures_with_stale_results()
    {
        Exception? fallbackSaw = null;
        var call = ResilientCall.For<string>(_registry)
            .WithCacheFallback("user:1", new CacheFallbackOptions { Ttl = TimeSpan.FromSeconds(10), StaleTtl = TimeSpan.FromSeconds(60) })
            .WithFallback((ex, _) => { fallbackSaw = ex; return new ValueTask<string>("fallback"); })
            .Build();
        int calls = 0;
        ValueTask<string> Succeed(CancellationToken _) => new("v" + ++calls);
        ValueTask<string> Fail(CancellationToken _)
        {
            calls++;
            throw new HttpRequestException("down");
        }

        Assert.Equal("v1", await call.ExecuteAsync(Succeed));
        _clock.Advance(TimeSpan.FromSeconds(10) - TimeSpan.FromTicks(1));
        Assert.Equal("v1", await call.ExecuteAsync(Succeed)); // fresh: not called
        Assert.Equal(1, calls);

        _clock.Advance(TimeSpan.FromTicks(1));
        Assert.Equal("v1", await call.ExecuteAsync(Fail)); // stale answers the failure, before the fallback
        Assert.Equal(2, calls);
        Assert.Null(fallbackSaw);

        _clock.Advance(TimeSpan.FromSeconds(60));
        Assert.Equal("fallback", await call.ExecuteAsync(Fail)); // too old: the fallback answers
        Assert.IsType<HttpRequestException>(fallbackSaw);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task The_order_of_With_calls_does_not_change_the_composition(bool reversed)
    {
        var builder = ResilientCall.For<int>(_registry);
        string name = "order-" + reversed;
        var fallbackSaw = new List<Exception>();
        Action[] steps =
        [
            () => builder.WithFallback((ex, _) => { fallbackSaw.Add(ex); return new ValueTask<int>(-1); }),
            () => builder.WithBulkhead(new BulkheadOptions { MaxConcurrency = 1 }),
            () => builder.WithTimeout(TimeSpan.FromSeconds(30)),
            () => builder.WithCircuitBreaker(new CircuitBreakerOptions { FailureThreshold = 2 }, name),
            () => builder.WithRetry(NoDelayRetry(2)),
        ];
        if (reversed)
        {
            Array.Reverse(steps);
        }

        foreach (Action step in steps)
        {
            step();
        }

        var call = builder.Build();
        _registry.TryGetCircuitBreaker(name, out CircuitBreaker? breaker);
        int attempts = 0;
        ValueTask<int> Fail(CancellationToken _)
        {
            attempts++;
            throw new InvalidOperationException();
        }

        Assert.Equal(-1, await call.ExecuteAsync(Fail));
        Assert.Equal(3, attempts); // retry inside the breaker: one failure for three attempts
        Assert.Equal(CircuitState.Closed, breaker!.State);
        Assert.Equal(-1, await call.ExecuteAsync(Fail));
        Assert.Equal(6, attempts);
        Assert.Equal(CircuitState.Open, breaker.State);
        Assert.Equal(-1, await call.ExecuteAsync(Fail)); // rejected, and the rejection reaches the fallback
        Assert.Equal(6, attempts);
        Assert.Equal(3, fallbackSaw.Count);
        Assert.IsType<BrokenCircuitException>(fallbackSaw[2]);
    }

    [Fact]
    public async Task A_named_breaker_is_shared_between_calls_through_the_registry()
    {
        var options = new CircuitBreakerOptions { FailureThreshold = 1 };
        var users = ResilientCall.For<string>(_registry).WithCircuitBreaker(options, "users-db").Build();
        var counts = ResilientCall.For<int>(_registry).WithCircuitBreaker(new CircuitBreakerOptions { FailureThreshold = 1 }, "users-db").Build();
        var privateCall = ResilientCall.For<int>(_registry).WithCircuitBreaker(new CircuitBreakerOptions { FailureThreshold = 1 }).Build();

        await Assert.ThrowsAsync<InvalidOperationException>(() => users.ExecuteAsync(_ => throw new InvalidOperationException()).AsTask());

        Assert.True(_registry.TryGetCircuitBreaker("users-db", out CircuitBreaker? shared));
        Assert.Equal(CircuitState.Open, shared.State);
        await Assert.ThrowsAsync<BrokenCircuitException>(() => counts.ExecuteAsync(_ => new ValueTask<int>(1)).AsTask());
        Assert.Equal(1, await privateCall.ExecuteAsync(_ => new ValueTask<int>(1))); // an unnamed breaker is its own
        Assert.Throws<InvalidOperationException>(
            () => ResilientCall.For<int>(_registry).WithCircuitBreaker(new CircuitBreakerOptions { FailureThreshold = 9 }, "users-db").Build());
    }

    [Fact]
    public void Each_strategy_may_be_added_once()
    {
        var builder = ResilientCall.For<int>(_registry)
            .WithRetry(new RetryOptions())
            .WithCircuitBreaker(new CircuitBreakerOptions())
            .WithRateLimit(new RateLimitOptions())
            .WithBulkhead(new BulkheadOptions())
            .WithTimeout(TimeSpan.FromSeconds(1))
            .WithFallback((_, _) => default)
            .WithCacheFallback("k", new CacheFallbackOptions())
            .WithHandleResult(_ => false);

        Action[] seconds =
        [
            () => builder.WithRetry(new RetryOptions()),
            () => builder.WithCircuitBreaker(new CircuitBreakerOptions()),
            () => builder.WithRateLimit(new RateLimitOptions()),
            () => builder.WithBulkhead(new BulkheadOptions()),
            () => builder.WithTimeout(TimeSpan.FromSeconds(1)),
            () => builder.WithFallback((_, _) => default),
            () => builder.WithCacheFallback("k", new CacheFallbackOptions()),
            () => builder.WithHandleResult(_ => false),
        ];
        string[] names = ["WithRetry", "WithCircuitBreaker", "WithRateLimit", "WithBulkhead", "WithTimeout", "WithFallback", "WithCacheFallback", "WithHandleResult"];

        for (int i = 0; i < seconds.Length; i++)
        {
            var ex = Assert.Throws<InvalidOperationException>(seconds[i]);
            Assert.StartsWith(names[i] + " was already called", ex.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Options_are_validated_by_Build()
    {
        var builder = ResilientCall.For<int>(_registry).WithRetry(new RetryOptions { MaxRetries = -1 });

        Assert.ThrowsAny<ArgumentException>(builder.Build);
        Assert.ThrowsAny<ArgumentException>(ResilientCall.For<int>(_registry).WithTimeout(TimeSpan.Zero).Build);
        Assert.ThrowsAny<ArgumentException>(ResilientCall.For<int>(_registry).WithCacheFallback("k", new CacheFallbackOptions { StaleTtl = TimeSpan.Zero }).Build);
    }

    [Fact]
    public void The_state_overload_allocates_nothing_when_every_step_completes_synchronously()
    {
        var call = ResilientCall.For<int>(_registry)
            .WithRetry(NoDelayRetry(3))
            .WithCircuitBreaker(new CircuitBreakerOptions())
            .WithBulkhead(new BulkheadOptions { MaxConcurrency = 4 })
            .WithHandleResult(static r => r < 0)
            .Build();
        var state = new int[] { 0 };

        RunSynchronously(call, state, 100); // warm-up
        long allocated = AllocationProbe.Least(() => RunSynchronously(call, state, 1_000), out int windows);

        Assert.Equal(0, allocated);
        Assert.Equal(100 + (windows * 1_000), state[0]);
    }

    private static void RunSynchronously(ResilientCall<int> call, int[] state, int count)
    {
        for (int i = 0; i < count; i++)
        {
            ValueTask<int> pending = call.ExecuteAsync(static (s, _) => new ValueTask<int>(++s[0]), state);
            if (!pending.IsCompletedSuccessfully)
            {
                throw new InvalidOperationException("The call did not complete synchronously.");
            }
        }
    }

    [Fact]
    public void For_without_a_registry_uses_the_shared_one()
    {
        string name = "Resilience.Runtime.Tests.Composition.shared-" + Guid.NewGuid().ToString("N");
        ResilientCall.For<int>().WithBulkhead(new BulkheadOptions(), name).Build();

        Assert.True(ResilienceRegistry.Shared.TryGetBulkhead(name, out _));
    }
}
