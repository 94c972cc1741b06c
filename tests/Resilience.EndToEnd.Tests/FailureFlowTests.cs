using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using Resilience.EndToEnd.Tests.Infrastructure;

namespace Resilience.EndToEnd.Tests;

/// <summary>The failure every inner call of <see cref="FlakyService"/> ends with: the only exception type in play.</summary>
public sealed class InnerFailure(string message) : Exception(message);

public interface IFlaky
{
    [Fallback(nameof(Recover))]
    [Timeout(60_000)]
    [CircuitBreaker(FailureThreshold = 1_000_000, BreakDurationMs = 1_000)]
    Task<int> FallbackTaskAsync(CancellationToken cancellationToken);

    [Fallback(nameof(Recover))]
    [Timeout(60_000)]
    [CircuitBreaker(FailureThreshold = 1_000_000, BreakDurationMs = 1_000)]
    ValueTask<int> FallbackValueTaskAsync(CancellationToken cancellationToken);

    [Fallback(nameof(RecoverRun))]
    [CircuitBreaker(FailureThreshold = 1_000_000, BreakDurationMs = 1_000)]
    Task FallbackRunAsync(CancellationToken cancellationToken);

    [Fallback(nameof(RecoverRun))]
    [CircuitBreaker(FailureThreshold = 1_000_000, BreakDurationMs = 1_000)]
    ValueTask FallbackRunValueAsync(CancellationToken cancellationToken);

    [Timeout(60_000)]
    [CircuitBreaker(FailureThreshold = 1_000_000, BreakDurationMs = 1_000)]
    [Retry(MaxRetries = 2, DelayMs = 0, Backoff = BackoffType.Constant, Jitter = 0)]
    Task<int> RetryTaskAsync(CancellationToken cancellationToken);

    [Timeout(60_000)]
    [CircuitBreaker(FailureThreshold = 1_000_000, BreakDurationMs = 1_000)]
    [Retry(MaxRetries = 2, DelayMs = 0, Backoff = BackoffType.Constant, Jitter = 0)]
    ValueTask<int> RetryValueTaskAsync(CancellationToken cancellationToken);

    [CircuitBreaker(FailureThreshold = 1_000_000, BreakDurationMs = 1_000)]
    [Retry(MaxRetries = 2, DelayMs = 0, Backoff = BackoffType.Constant, Jitter = 0)]
    Task RetryRunAsync(CancellationToken cancellationToken);

    [Fallback(nameof(Recover))]
    [Timeout(100)]
    Task<int> SlowAsync(CancellationToken cancellationToken);

    [CircuitBreaker(FailureThreshold = 1_000_000, BreakDurationMs = 1_000)]
    [Retry(MaxRetries = 2, DelayMs = 0, Backoff = BackoffType.Constant, Jitter = 0)]
    Task<int> CancelledAsync(CancellationToken cancellationToken);

    [CircuitBreaker(FailureThreshold = 1_000_000, BreakDurationMs = 1_000)]
    [Retry(MaxRetries = 2, DelayMs = 0, Backoff = BackoffType.Constant, Jitter = 0)]
    Task CancelledRunAsync(CancellationToken cancellationToken);

    [Fallback(nameof(RecoverRunTaskAsync))]
    [CircuitBreaker(FailureThreshold = 1_000_000, BreakDurationMs = 1_000)]
    Task FallbackToTaskAsync(CancellationToken cancellationToken);

    [Fallback(nameof(RecoverRunValueTaskAsync))]
    [CircuitBreaker(FailureThreshold = 1_000_000, BreakDurationMs = 1_000)]
    Task FallbackToValueTaskAsync(CancellationToken cancellationToken);

    [Fallback(nameof(Recover))]
    [CircuitBreaker(FailureThreshold = 1, BreakDurationMs = 1_000)]
    Task<int> OpenFallbackTaskAsync(CancellationToken cancellationToken);

    [Fallback(nameof(Recover))]
    [CircuitBreaker(FailureThreshold = 1, BreakDurationMs = 1_000)]
    int OpenFallback();

    [CircuitBreaker(FailureThreshold = 1, BreakDurationMs = 1_000)]
    Task<int> OpenTaskAsync(CancellationToken cancellationToken);

    [CircuitBreaker(FailureThreshold = 1, BreakDurationMs = 1_000)]
    int Open();

    [Fallback(nameof(Recover))]
    [RateLimit(PermitLimit = 1, WindowMs = 60_000, Name = "flaky-rate")]
    Task<int> RateLimitedFallbackTaskAsync(CancellationToken cancellationToken);

    [Fallback(nameof(Recover))]
    [RateLimit(PermitLimit = 1, WindowMs = 60_000, Name = "flaky-rate-sync")]
    int RateLimitedFallback();

    [Fallback(nameof(Recover))]
    [RateLimit(PermitLimit = 1, WindowMs = 60_000, KeyParameter = "tenant")]
    ValueTask<int> KeyedRateLimitedFallbackAsync(string tenant, CancellationToken cancellationToken);

    [RateLimit(PermitLimit = 1, WindowMs = 60_000)]
    Task<int> RateLimitedTaskAsync(CancellationToken cancellationToken);

    [Fallback(nameof(Recover))]
    [Bulkhead(MaxConcurrency = 1, MaxQueue = 0, Name = "flaky-full")]
    Task<int> FullBulkheadFallbackTaskAsync(CancellationToken cancellationToken);

    [Fallback(nameof(Recover))]
    [Bulkhead(MaxConcurrency = 1, MaxQueue = 0, Name = "flaky-full")]
    int FullBulkheadFallback();

    int Recover(Exception error);

    void RecoverRun(Exception error);

    Task RecoverRunTaskAsync(Exception error);

    ValueTask RecoverRunValueTaskAsync(Exception error);
}

/// <summary>
/// Each call fails while <see cref="FailuresLeft"/> is positive, then succeeds with the call number. A failure is a
/// task faulted with a new <see cref="InnerFailure"/> that was never thrown (so any first-chance exception comes from
/// the proxy), or, with <see cref="Throwing"/>, one thrown inside an async method (so it has a stack trace), or, when
/// <see cref="Pending"/> is set, the test's own task, completed after the call returned.
/// </summary>
public sealed class FlakyService : IFlaky
{
    public int FailuresLeft;

    public int Calls;

    public bool Throwing;

    public TaskCompletionSource<int>? Pending;

    /// <summary>What <see cref="RecoverRunTaskAsync"/> and <see cref="RecoverRunValueTaskAsync"/> return.</summary>
    public Task RecoveryTask = Task.FromResult(0);

    public List<Exception> Failures { get; } = [];

    public List<Exception> Recovered { get; } = [];

    public Task<int> FallbackTaskAsync(CancellationToken cancellationToken) => Next();

    public ValueTask<int> FallbackValueTaskAsync(CancellationToken cancellationToken) => new(Next());

    public Task FallbackRunAsync(CancellationToken cancellationToken) => Next();

    public ValueTask FallbackRunValueAsync(CancellationToken cancellationToken) => new(Next());

    public Task<int> RetryTaskAsync(CancellationToken cancellationToken) => Next();

    public ValueTask<int> RetryValueTaskAsync(CancellationToken cancellationToken) => new(Next());

    public Task RetryRunAsync(CancellationToken cancellationToken) => Next();

    public Task<int> SlowAsync(CancellationToken cancellationToken) => Infrastructure.Pending.Until<int>(cancellationToken);

    public Task<int> CancelledAsync(CancellationToken cancellationToken)
    {
        Calls++;
        var canceled = new OperationCanceledException(cancellationToken);
        Failures.Add(canceled);
        throw canceled;
    }

    public Task CancelledRunAsync(CancellationToken cancellationToken) => CancelledAsync(cancellationToken);

    public Task FallbackToTaskAsync(CancellationToken cancellationToken) => Next();

    public Task FallbackToValueTaskAsync(CancellationToken cancellationToken) => Next();

    public Task<int> OpenFallbackTaskAsync(CancellationToken cancellationToken) => Next();

    public int OpenFallback() => Next().GetAwaiter().GetResult();

    public Task<int> OpenTaskAsync(CancellationToken cancellationToken) => Next();

    public int Open() => Next().GetAwaiter().GetResult();

    public Task<int> RateLimitedFallbackTaskAsync(CancellationToken cancellationToken) => Next();

    public int RateLimitedFallback() => Next().GetAwaiter().GetResult();

    public ValueTask<int> KeyedRateLimitedFallbackAsync(string tenant, CancellationToken cancellationToken) => new(Next());

    public Task<int> RateLimitedTaskAsync(CancellationToken cancellationToken) => Next();

    public Task<int> FullBulkheadFallbackTaskAsync(CancellationToken cancellationToken) => Next();

    public int FullBulkheadFallback() => Next().GetAwaiter().GetResult();

    public Task RecoverRunTaskAsync(Exception error)
    {
        Recovered.Add(error);
        return RecoveryTask;
    }

    public ValueTask RecoverRunValueTaskAsync(Exception error)
    {
        Recovered.Add(error);
        return new ValueTask(RecoveryTask);
    }

    public int Recover(Exception error)
    {
        Recovered.Add(error);
        return -1;
    }

    public void RecoverRun(Exception error) => Recovered.Add(error);

    private Task<int> Next()
    {
        int call = ++Calls;
        if (Pending is { } pending)
        {
            return pending.Task;
        }

        if (FailuresLeft <= 0)
        {
            return Task.FromResult(call);
        }

        FailuresLeft--;
        Task<int> failed = Throwing ? ThrowInsideAsync(call) : Task.FromException<int>(new InnerFailure($"call {call}"));
        Failures.Add(failed.Exception!.InnerException!);
        return failed;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static async Task<int> ThrowInsideAsync(int call)
    {
        await Task.CompletedTask;
        throw new InnerFailure($"call {call}");
    }
}

/// <summary>
/// A failed inner call is a value inside the proxy: retry, breaker, timeout and fallback inspect it without
/// rethrowing, and a failure nothing handles is thrown once, at the end. Counted with
/// <see cref="AppDomain.FirstChanceException"/> (every throw raises it), in a collection that runs alone.
/// </summary>
/// <remarks>
/// The previous generator (catch, record, <c>throw;</c> at each layer) raised, for the same calls: fallback on a
/// faulted <c>Task&lt;int&gt;</c> or <c>ValueTask&lt;int&gt;</c> 2 first-chance exceptions (the inner await and the
/// breaker's rethrow), on a <c>Task</c> or <c>ValueTask</c> 2 each, on a task faulting later 2; a retry succeeding on
/// the 2nd attempt 1; a failure nothing handles (3 attempts) 4 inside the proxy for <c>ValueTask&lt;int&gt;</c> and 5
/// for <c>Task&lt;int&gt;</c> (plus <c>Unwrap</c>'s); a timeout cancelling the inner task before a fallback 2 (the
/// inner await and the timeout's own throw). Now: 0, 0, 0, 0, 1 and 0, and 0. A failure nothing handles on a
/// <c>Task</c> method took 1 throw inside the proxy while it was a plain <c>async Task</c>; with its core, 0.
/// An open breaker's rejection took 1 throw (inside <c>Acquire</c>) before a fallback or a faulted task, 2 for a
/// synchronous method nothing handles; with <c>TryAcquire(out lease, out rejection)</c>, 0, 0 and 1.
/// </remarks>
[Collection(FirstChanceExceptionCollection.Name)]
public sealed class FailureFlowTests : IDisposable
{
    private readonly Clock _clock = new();
    private readonly FlakyService _inner = new();
    private readonly FlakyResilient _proxy;

    public FailureFlowTests() => _proxy = new FlakyResilient(_inner, _clock.Registry);

    public void Dispose() => _clock.Dispose();

    [Fact]
    public async Task Fallback_consumes_a_faulted_Task_of_T_without_any_throw()
    {
        _inner.FailuresLeft = 1;
        using var throws = new ThrowCounter();

        Task<int> call = _proxy.FallbackTaskAsync(CancellationToken.None);

        Assert.Equal(0, throws.Count);
        Assert.True(call.IsCompletedSuccessfully);
        Assert.Equal(-1, await call);
        Assert.Same(Assert.Single(_inner.Failures), Assert.Single(_inner.Recovered));
    }

    [Fact]
    public async Task Fallback_consumes_a_faulted_ValueTask_of_T_without_any_throw()
    {
        _inner.FailuresLeft = 1;
        using var throws = new ThrowCounter();

        ValueTask<int> call = _proxy.FallbackValueTaskAsync(CancellationToken.None);

        Assert.Equal(0, throws.Count);
        Assert.True(call.IsCompletedSuccessfully);
        Assert.Equal(-1, await call);
        Assert.Same(Assert.Single(_inner.Failures), Assert.Single(_inner.Recovered));
    }

    [Fact]
    public async Task Fallback_consumes_a_faulted_Task_and_ValueTask_without_any_throw()
    {
        _inner.FailuresLeft = 2;
        using var throws = new ThrowCounter();

        Task run = _proxy.FallbackRunAsync(CancellationToken.None);
        ValueTask runValue = _proxy.FallbackRunValueAsync(CancellationToken.None);

        Assert.Equal(0, throws.Count);
        Assert.True(run.IsCompletedSuccessfully);
        Assert.True(runValue.IsCompletedSuccessfully);
        Assert.Equal(_inner.Failures, _inner.Recovered);
    }

    [Fact]
    public async Task Fallback_consumes_a_task_that_faults_after_the_call_returned_without_any_throw()
    {
        var pending = new TaskCompletionSource<int>();
        _inner.Pending = pending;
        var failure = new InnerFailure("later");
        using var throws = new ThrowCounter();

        Task<int> call = InlineContinuations(() =>
        {
            Task<int> started = _proxy.FallbackTaskAsync(CancellationToken.None);
            Assert.False(started.IsCompleted);
            pending.SetException(failure); // the proxy resumes inline, on this thread
            return started;
        });

        Assert.Equal(0, throws.Count);
        Assert.True(call.IsCompletedSuccessfully);
        Assert.Equal(-1, await call);
        Assert.Same(failure, Assert.Single(_inner.Recovered));
    }

    [Fact]
    public async Task A_timeout_cancelling_the_inner_task_reaches_the_fallback_without_any_throw()
    {
        using var throws = new ThrowCounter();

        Task<int> call = InlineContinuations(() =>
        {
            Task<int> started = _proxy.SlowAsync(CancellationToken.None);
            _clock.Advance(100); // cancels the inner task inline; the proxy resumes on this thread
            return started;
        });

        Assert.Equal(0, throws.Count);
        Assert.True(call.IsCompletedSuccessfully);
        Assert.Equal(-1, await call);
        var timeout = Assert.IsType<ResilienceTimeoutException>(Assert.Single(_inner.Recovered));

        // The proxy stops waiting at the deadline (it does not wait for the inner task's own cancellation, which comes
        // a moment later): the cancellation it records is its own.
        Assert.IsAssignableFrom<OperationCanceledException>(timeout.InnerException);
    }

    [Fact]
    public async Task Retry_that_succeeds_on_the_second_attempt_throws_nothing()
    {
        _inner.FailuresLeft = 1;
        using var throws = new ThrowCounter();

        Task<int> task = _proxy.RetryTaskAsync(CancellationToken.None);
        _inner.FailuresLeft = 1;
        ValueTask<int> valueTask = _proxy.RetryValueTaskAsync(CancellationToken.None);
        _inner.FailuresLeft = 1;
        Task run = _proxy.RetryRunAsync(CancellationToken.None);

        Assert.Equal(0, throws.Count);
        Assert.Equal(2, await task);
        Assert.Equal(4, await valueTask);
        Assert.True(run.IsCompletedSuccessfully);
        Assert.Equal(6, _inner.Calls);
        Assert.Equal(3, _inner.Failures.Count);
    }

    [Fact]
    public void Unhandled_failure_of_a_Task_of_T_method_is_not_thrown_inside_the_proxy_and_is_the_inner_instance()
    {
        _inner.FailuresLeft = 3;
        using var throws = new ThrowCounter();

        Task<int> call = _proxy.RetryTaskAsync(CancellationToken.None);

        // The proxy hands back a faulted task; only the caller's await will throw.
        Assert.Equal(0, throws.Count);
        Assert.True(call.IsFaulted);
        Assert.Same(_inner.Failures[^1], call.Exception!.InnerException);
        Assert.Equal(3, _inner.Calls);
    }

    [Fact]
    public async Task Unhandled_failure_of_a_Task_method_is_not_thrown_inside_the_proxy_and_is_the_inner_instance()
    {
        _inner.FailuresLeft = 3;
        using var throws = new ThrowCounter();

        Task call = _proxy.RetryRunAsync(CancellationToken.None);

        // The proxy hands back a faulted task; only the caller's await throws.
        Assert.Equal(0, throws.Count);
        Assert.True(call.IsFaulted);
        Assert.Same(_inner.Failures[^1], call.Exception!.InnerException);
        InnerFailure seen = await Assert.ThrowsAsync<InnerFailure>(() => call);
        Assert.Same(_inner.Failures[^1], seen);
        Assert.Equal(1, throws.Count);
        Assert.Equal(3, _inner.Calls);
    }

    [Fact]
    public async Task Unhandled_failure_of_a_Task_method_that_was_pending_ends_in_the_inner_instance()
    {
        var pending = new TaskCompletionSource<int>();
        _inner.Pending = pending;
        var failure = new InnerFailure("later");

        Task call = _proxy.RetryRunAsync(CancellationToken.None);
        Assert.False(call.IsCompleted);
        pending.SetException(failure); // every attempt gets this task: the 2 retries see it faulted at once

        InnerFailure seen = await Assert.ThrowsAsync<InnerFailure>(() => call);
        Assert.Same(failure, seen);
        Assert.Equal(3, _inner.Calls);
    }

    [Fact]
    public async Task Unhandled_failure_of_a_ValueTask_of_T_method_is_thrown_exactly_once_inside_the_proxy()
    {
        _inner.FailuresLeft = 3;
        using var throws = new ThrowCounter();

        ValueTask<int> call = _proxy.RetryValueTaskAsync(CancellationToken.None);

        Assert.Equal(1, throws.Count); // the async method faults its ValueTask the only way it can: one throw at the end
        Assert.True(call.IsFaulted);
        InnerFailure seen = await Assert.ThrowsAsync<InnerFailure>(() => call.AsTask());
        Assert.Same(_inner.Failures[^1], seen);
        Assert.Equal(2, throws.Count); // plus the caller's own await
    }

    [Fact]
    public async Task The_caller_sees_the_inner_exception_instance_with_its_original_stack_trace()
    {
        _inner.Throwing = true;
        _inner.FailuresLeft = 3;
        InnerFailure fromTask = await Assert.ThrowsAsync<InnerFailure>(() => _proxy.RetryTaskAsync(CancellationToken.None));
        _inner.FailuresLeft = 3;
        InnerFailure fromValueTask = await Assert.ThrowsAsync<InnerFailure>(() => _proxy.RetryValueTaskAsync(CancellationToken.None).AsTask());
        _inner.FailuresLeft = 3;
        InnerFailure fromRun = await Assert.ThrowsAsync<InnerFailure>(() => _proxy.RetryRunAsync(CancellationToken.None));

        Assert.Same(_inner.Failures[2], fromTask);
        Assert.Same(_inner.Failures[5], fromValueTask);
        Assert.Same(_inner.Failures[8], fromRun);
        foreach (InnerFailure seen in new[] { fromTask, fromValueTask, fromRun })
        {
            // The frame where the inner threw comes first: later frames are appended to it, never substituted.
            string trace = seen.StackTrace!;
            string first = trace.Split('\n')[0];
            Assert.True(first.Contains(nameof(FlakyService) + ".ThrowInsideAsync", StringComparison.Ordinal), "The stack trace should start where the inner threw:\n" + trace);
        }
    }

    [Fact]
    public async Task The_callers_cancellation_of_a_Task_of_T_method_ends_in_a_cancelled_task_with_the_inner_instance()
    {
        using var caller = new CancellationTokenSource();
        caller.Cancel();

        Task<int> call = _proxy.CancelledAsync(caller.Token);

        // As an async method would end: Canceled, not Faulted, and await rethrows the instance the inner threw.
        Assert.True(call.IsCanceled);
        OperationCanceledException seen = await Assert.ThrowsAsync<OperationCanceledException>(() => call);
        Assert.Same(Assert.Single(_inner.Failures), seen);
        Assert.Equal(1, _inner.Calls); // the caller's cancellation is never retried
    }

    [Fact]
    public async Task The_callers_cancellation_of_a_Task_method_ends_in_a_cancelled_task_with_the_inner_instance()
    {
        using var caller = new CancellationTokenSource();
        caller.Cancel();

        Task call = _proxy.CancelledRunAsync(caller.Token);

        Assert.True(call.IsCanceled);
        OperationCanceledException seen = await Assert.ThrowsAsync<OperationCanceledException>(() => call);
        Assert.Same(Assert.Single(_inner.Failures), seen);
        Assert.Equal(1, _inner.Calls); // the caller's cancellation is never retried
    }

    [Fact]
    public void Fallback_of_a_Task_method_returning_Task_or_ValueTask_hands_back_the_fallbacks_task_without_any_throw()
    {
        _inner.FailuresLeft = 2;
        using var throws = new ThrowCounter();

        Task toTask = _proxy.FallbackToTaskAsync(CancellationToken.None);
        Task toValueTask = _proxy.FallbackToValueTaskAsync(CancellationToken.None);

        Assert.Equal(0, throws.Count);
        Assert.Same(_inner.RecoveryTask, toTask);
        Assert.Same(_inner.RecoveryTask, toValueTask);
        Assert.Equal(_inner.Failures, _inner.Recovered);
    }

    [Fact]
    public async Task Fallback_of_a_Task_method_that_is_still_running_is_what_the_caller_awaits()
    {
        _inner.FailuresLeft = 1;
        var recovery = new TaskCompletionSource();
        _inner.RecoveryTask = recovery.Task;

        Task call = _proxy.FallbackToTaskAsync(CancellationToken.None);
        Assert.False(call.IsCompleted);
        var late = new InnerFailure("fallback failed later");
        recovery.SetException(late);

        Assert.Same(late, await Assert.ThrowsAsync<InnerFailure>(() => call));
        Assert.Same(Assert.Single(_inner.Failures), Assert.Single(_inner.Recovered));
    }

    [Fact]
    public void Counter_sees_a_throw_so_the_zero_counts_above_can_fail()
    {
        using var throws = new ThrowCounter();
        try
        {
            ExceptionDispatchInfo.Throw(new InnerFailure("probe"));
        }
        catch (InnerFailure)
        {
        }

        Assert.Equal(1, throws.Count);
    }

    [Fact]
    public async Task An_open_breaker_hands_its_rejection_to_the_fallback_without_any_throw()
    {
        _inner.FailuresLeft = 2;
        Assert.Equal(-1, await _proxy.OpenFallbackTaskAsync(CancellationToken.None)); // opens the circuit
        Assert.Equal(-1, _proxy.OpenFallback());
        _inner.Recovered.Clear();
        using var throws = new ThrowCounter();

        for (int i = 0; i < 10; i++)
        {
            Task<int> call = _proxy.OpenFallbackTaskAsync(CancellationToken.None);
            Assert.True(call.IsCompletedSuccessfully);
            Assert.Equal(-1, await call);
            Assert.Equal(-1, _proxy.OpenFallback());
        }

        Assert.Equal(0, throws.Count);
        Assert.Equal(2, _inner.Calls); // the open circuit let none through
        Assert.Equal(20, _inner.Recovered.Count);
        Assert.All(_inner.Recovered, e => Assert.Equal(TimeSpan.FromSeconds(1), Assert.IsType<BrokenCircuitException>(e).RetryAfter));
    }

    [Fact]
    public async Task An_open_breaker_without_fallback_rejects_a_Task_of_T_with_a_faulted_task_and_a_sync_method_with_one_throw()
    {
        _inner.FailuresLeft = 2;
        await Assert.ThrowsAsync<InnerFailure>(() => _proxy.OpenTaskAsync(CancellationToken.None)); // opens the circuit
        Assert.Throws<InnerFailure>(() => _proxy.Open());
        using var throws = new ThrowCounter();

        Task<int> call = _proxy.OpenTaskAsync(CancellationToken.None);

        Assert.Equal(0, throws.Count); // nothing thrown inside the proxy: only the caller's await will throw
        Assert.True(call.IsFaulted);
        BrokenCircuitException fromTask = Assert.IsType<BrokenCircuitException>(call.Exception!.InnerException);
        Assert.Equal(CircuitState.Open, fromTask.State);

        BrokenCircuitException fromSync = Assert.Throws<BrokenCircuitException>(() => _proxy.Open());
        Assert.Equal(1, throws.Count); // thrown once, at the end
        Assert.Equal(CircuitState.Open, fromSync.State);
        Assert.Equal(2, _inner.Calls);
    }

    [Fact]
    public async Task A_rate_limit_hands_its_rejection_to_the_fallback_without_any_throw()
    {
        Assert.Equal(1, await _proxy.RateLimitedFallbackTaskAsync(CancellationToken.None)); // takes the only permit
        Assert.Equal(2, _proxy.RateLimitedFallback());
        Assert.Equal(3, await _proxy.KeyedRateLimitedFallbackAsync("a", CancellationToken.None));
        using var throws = new ThrowCounter();

        for (int i = 0; i < 10; i++)
        {
            Task<int> call = _proxy.RateLimitedFallbackTaskAsync(CancellationToken.None);
            Assert.True(call.IsCompletedSuccessfully);
            Assert.Equal(-1, await call);
            Assert.Equal(-1, _proxy.RateLimitedFallback());
            ValueTask<int> keyed = _proxy.KeyedRateLimitedFallbackAsync("a", CancellationToken.None);
            Assert.True(keyed.IsCompletedSuccessfully);
            Assert.Equal(-1, await keyed);
        }

        Assert.Equal(0, throws.Count);
        Assert.Equal(3, _inner.Calls); // the limits let none through
        Assert.Equal(30, _inner.Recovered.Count);
        Assert.All(_inner.Recovered, e =>
        {
            RateLimitRejectedException rejected = Assert.IsType<RateLimitRejectedException>(e);
            Assert.Equal(TimeSpan.FromSeconds(60), rejected.RetryAfter);
            Assert.EndsWith("rejected the call. Retry after 60000 ms.", rejected.Message);
        });
        Assert.Equal(4, await _proxy.KeyedRateLimitedFallbackAsync("b", CancellationToken.None)); // another key's own budget
    }

    [Fact]
    public async Task A_rate_limit_without_fallback_rejects_a_Task_of_T_with_a_faulted_task()
    {
        Assert.Equal(1, await _proxy.RateLimitedTaskAsync(CancellationToken.None));
        using var throws = new ThrowCounter();

        Task<int> call = _proxy.RateLimitedTaskAsync(CancellationToken.None);

        Assert.Equal(0, throws.Count); // only the caller's await will throw
        Assert.True(call.IsFaulted);
        Assert.IsType<RateLimitRejectedException>(call.Exception!.InnerException);
        Assert.Equal(1, _inner.Calls);
    }

    [Fact]
    public async Task A_full_bulkhead_hands_its_rejection_to_the_fallback_without_any_throw()
    {
        var holding = new TaskCompletionSource<int>();
        _inner.Pending = holding;
        Task<int> running = _proxy.FullBulkheadFallbackTaskAsync(CancellationToken.None); // takes the only slot
        _inner.Pending = null;
        using (var throws = new ThrowCounter())
        {
            for (int i = 0; i < 10; i++)
            {
                Task<int> call = _proxy.FullBulkheadFallbackTaskAsync(CancellationToken.None);
                Assert.True(call.IsCompletedSuccessfully);
                Assert.Equal(-1, await call);
                Assert.Equal(-1, _proxy.FullBulkheadFallback());
            }

            Assert.Equal(0, throws.Count);
        }

        Assert.Equal(1, _inner.Calls);
        Assert.Equal(20, _inner.Recovered.Count);
        Assert.All(_inner.Recovered, e => Assert.Equal(BulkheadRejectionReason.QueueFull, Assert.IsType<BulkheadRejectedException>(e).Reason));
        holding.SetResult(7);
        Assert.Equal(7, await running);
        Assert.Equal(2, _proxy.FullBulkheadFallback()); // the slot is free again
    }

    /// <summary>Runs <paramref name="body"/> without xUnit's synchronization context, so completions resume inline.</summary>
    private static T InlineContinuations<T>(Func<T> body)
    {
        SynchronizationContext? context = SynchronizationContext.Current;
        SynchronizationContext.SetSynchronizationContext(null);
        try
        {
            return body();
        }
        finally
        {
            SynchronizationContext.SetSynchronizationContext(context);
        }
    }

    /// <summary>Counts first-chance exceptions: every <see cref="InnerFailure"/> on any thread, anything else on this one.</summary>
    private sealed class ThrowCounter : IDisposable
    {
        private readonly int _thread = Environment.CurrentManagedThreadId;
        private int _count;

        public ThrowCounter() => AppDomain.CurrentDomain.FirstChanceException += OnFirstChance;

        public int Count => Volatile.Read(ref _count);

        public void Dispose() => AppDomain.CurrentDomain.FirstChanceException -= OnFirstChance;

        private void OnFirstChance(object? sender, FirstChanceExceptionEventArgs e)
        {
            if (e.Exception is InnerFailure || Environment.CurrentManagedThreadId == _thread)
            {
                Interlocked.Increment(ref _count);
            }
        }
    }
}
