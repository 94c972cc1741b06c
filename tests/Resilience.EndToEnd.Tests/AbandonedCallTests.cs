using System.Runtime.CompilerServices;
using Resilience.EndToEnd.Tests.Infrastructure;

namespace Resilience.EndToEnd.Tests;

public interface IStubbornService
{
    [Timeout(100)]
    Task<int> GetAsync(CancellationToken cancellationToken);

    [Timeout(100)]
    ValueTask<int> GetValueAsync(CancellationToken cancellationToken);

    [Timeout(100)]
    Task RunAsync(CancellationToken cancellationToken);

#pragma warning disable RES0012 // no token: the call can only be abandoned, which is what is tested
    [Timeout(100)]
    Task<int> GetWithoutTokenAsync();
#pragma warning restore RES0012

    [Retry(MaxRetries = 1, DelayMs = 10, Backoff = BackoffType.Constant, Jitter = 0, AttemptTimeoutMs = 100)]
    Task<int> AttemptAsync(CancellationToken cancellationToken);
}

/// <summary>An inner service whose calls ignore their token: each returns a task only the test completes.</summary>
public sealed class StubbornService : IStubbornService
{
    private readonly object _lock = new();
    private readonly List<TaskCompletionSource<int>> _pending = [];

    public int Calls { get; private set; }

    public IReadOnlyList<CancellationToken> Tokens => _tokens;

    private readonly List<CancellationToken> _tokens = [];

    public Task<int> GetAsync(CancellationToken cancellationToken) => Next(cancellationToken);

    public ValueTask<int> GetValueAsync(CancellationToken cancellationToken) => new(Next(cancellationToken));

    public Task RunAsync(CancellationToken cancellationToken) => Next(cancellationToken);

    public Task<int> GetWithoutTokenAsync() => Next(default);

    public Task<int> AttemptAsync(CancellationToken cancellationToken) => Next(cancellationToken);

    public Task<int> Next(CancellationToken token)
    {
        var completion = new TaskCompletionSource<int>();
        lock (_lock)
        {
            Calls++;
            _tokens.Add(token);
            _pending.Add(completion);
        }

        return completion.Task;
    }

    /// <summary>Ends every pending call with <paramref name="error"/> and forgets them; returns how many there were.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public int FailAll(Exception error)
    {
        List<TaskCompletionSource<int>> pending;
        lock (_lock)
        {
            pending = [.. _pending];
            _pending.Clear();
            _tokens.Clear();
        }

        foreach (TaskCompletionSource<int> completion in pending)
        {
            completion.SetException(error);
        }

        return pending.Count;
    }

    /// <summary>Ends every pending call with <paramref name="result"/> and forgets them; returns how many there were.</summary>
    public int CompleteAll(int result)
    {
        List<TaskCompletionSource<int>> pending;
        lock (_lock)
        {
            pending = [.. _pending];
            _pending.Clear();
            _tokens.Clear();
        }

        foreach (TaskCompletionSource<int> completion in pending)
        {
            completion.SetResult(result);
        }

        return pending.Count;
    }
}

/// <summary>A failure only these tests raise, tagged so that other tests' unobserved exceptions are never counted.</summary>
public sealed class AbandonedFailureException(Guid tag) : Exception("an abandoned call failed after its caller had gone")
{
    public Guid Tag { get; } = tag;
}

/// <summary>
/// Inner calls that ignore their cancellation token, under a timeout: the caller's wait ends at the deadline, the
/// inner call is abandoned (it keeps its cancelled token), and whatever it ends with later is observed.
/// </summary>
public sealed class AbandonedCallTests : IDisposable
{
    private readonly Clock _clock = new();
    private readonly StubbornService _inner = new();
    private readonly StubbornServiceResilient _proxy;

    public AbandonedCallTests() => _proxy = new StubbornServiceResilient(_inner, _clock.Registry);

    public void Dispose() => _clock.Dispose();

    [Fact]
    public async Task A_Task_of_T_call_that_ignores_its_token_ends_at_the_deadline_with_a_timeout()
    {
        Task<int> call = _proxy.GetAsync(CancellationToken.None);
        _clock.Advance(99);
        Assert.False(call.IsCompleted);

        _clock.Advance(1);
        var error = await Assert.ThrowsAsync<ResilienceTimeoutException>(() => Clock.Finish(call));
        Assert.IsAssignableFrom<OperationCanceledException>(error.InnerException);
        Assert.True(_inner.Tokens[0].IsCancellationRequested); // the abandoned call keeps its cancelled token

        // The inner call answers late (at 600 ms, as in the issue): nothing changes for the caller.
        _clock.Advance(500);
        Assert.Equal(1, _inner.CompleteAll(42));
        await Assert.ThrowsAsync<ResilienceTimeoutException>(() => call);
    }

    [Fact]
    public async Task A_ValueTask_call_a_Task_call_and_a_call_without_token_end_at_the_deadline()
    {
        Task<int> value = _proxy.GetValueAsync(CancellationToken.None).AsTask();
        Task run = _proxy.RunAsync(CancellationToken.None);
        Task<int> noToken = _proxy.GetWithoutTokenAsync();
        _clock.Advance(99);
        Assert.False(value.IsCompleted || run.IsCompleted || noToken.IsCompleted);

        _clock.Advance(1);
        await Assert.ThrowsAsync<ResilienceTimeoutException>(() => Clock.Finish(value));
        await Assert.ThrowsAsync<ResilienceTimeoutException>(() => Clock.Finish(run));
        await Assert.ThrowsAsync<ResilienceTimeoutException>(() => Clock.Finish(noToken));
        Assert.Equal(3, _inner.CompleteAll(1));
    }

    [Fact]
    public async Task A_per_attempt_timeout_abandons_the_attempt_and_retries()
    {
        Task<int> call = _proxy.AttemptAsync(CancellationToken.None);
        Assert.Equal(1, _inner.Calls);

        _clock.Advance(100); // the first attempt is abandoned at its deadline
        Assert.False(call.IsCompleted);
        _clock.Advance(10);  // the retry delay
        Assert.Equal(2, _inner.Calls);

        _clock.Advance(100); // so is the second: the last attempt's timeout is the failure
        var error = await Assert.ThrowsAsync<ResilienceTimeoutException>(() => Clock.Finish(call));
        Assert.Equal("Resilience.EndToEnd.Tests.IStubbornService.AttemptAsync.attempt", error.InstanceName);
        Assert.Equal(2, _inner.CompleteAll(7));
    }

    [Fact]
    public async Task A_caller_cancelling_a_token_ignoring_call_under_a_timeout_gets_its_cancellation_at_once()
    {
        using var caller = new CancellationTokenSource();
        Task<int> call = _proxy.GetAsync(caller.Token);
        caller.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Clock.Finish(call));
        Assert.Equal(1, _inner.CompleteAll(1));
    }

    [Fact]
    public async Task ResilientCall_ends_a_token_ignoring_action_at_the_deadline()
    {
        ResilientCall<int> resilient = ResilientCall.For<int>(_clock.Registry).WithTimeout(TimeSpan.FromMilliseconds(100)).Build();
        Task<int> call = resilient.ExecuteAsync(token => new ValueTask<int>(_inner.Next(token)), CancellationToken.None).AsTask();
        _clock.Advance(99);
        Assert.False(call.IsCompleted);

        _clock.Advance(1);
        await Assert.ThrowsAsync<ResilienceTimeoutException>(() => Clock.Finish(call));
        Assert.True(_inner.Tokens[0].IsCancellationRequested);
        Assert.Equal(1, _inner.CompleteAll(1));
    }

    [Fact]
    public async Task ResilientCall_abandons_a_token_ignoring_attempt_at_its_attempt_timeout_and_retries()
    {
        ResilientCall<int> resilient = ResilientCall.For<int>(_clock.Registry)
            .WithRetry(new RetryOptions { MaxRetries = 1, Delay = TimeSpan.FromMilliseconds(10), Backoff = BackoffType.Constant, Jitter = 0, AttemptTimeout = TimeSpan.FromMilliseconds(100) })
            .Build();
        Task<int> call = resilient.ExecuteAsync(token => new ValueTask<int>(_inner.Next(token)), CancellationToken.None).AsTask();

        _clock.Advance(100);
        _clock.Advance(10);
        Assert.Equal(2, _inner.Calls);
        _clock.Advance(100);
        await Assert.ThrowsAsync<ResilienceTimeoutException>(() => Clock.Finish(call));
        Assert.Equal(2, _inner.CompleteAll(1));
    }

    [Fact]
    public async Task Abandoned_calls_that_fail_later_raise_no_UnobservedTaskException()
    {
        var tag = Guid.NewGuid();
        var control = Guid.NewGuid();
        int unobserved = 0;
        int controlSeen = 0;
        void OnUnobserved(object? sender, UnobservedTaskExceptionEventArgs e)
        {
            foreach (Exception ex in e.Exception.InnerExceptions)
            {
                if (ex is AbandonedFailureException failure && (failure.Tag == tag || failure.Tag == Guid.Empty))
                {
                    Interlocked.Increment(ref unobserved);
                }
                else if (ex is AbandonedFailureException seen && seen.Tag == control)
                {
                    Interlocked.Increment(ref controlSeen);
                }
            }
        }

        TaskScheduler.UnobservedTaskException += OnUnobserved;
        try
        {
            for (int round = 0; round < 3; round++)
            {
                await AbandonCallsThatFailLater(tag);
            }

            DropAFaultedTask(control); // proves that this process reports unobserved failures at all
            for (int i = 0; i < 3; i++)
            {
                GC.Collect();
                GC.WaitForPendingFinalizers();
            }

            Assert.True(Volatile.Read(ref controlSeen) > 0, "The control task's failure was not reported: the check below would prove nothing.");
            Assert.Equal(0, Volatile.Read(ref unobserved));
        }
        finally
        {
            TaskScheduler.UnobservedTaskException -= OnUnobserved;
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private async Task AbandonCallsThatFailLater(Guid tag)
    {
        ResilientCall<int> resilient = ResilientCall.For<int>(_clock.Registry).WithTimeout(TimeSpan.FromMilliseconds(100)).Build();
        Task[] calls =
        [
            _proxy.GetAsync(CancellationToken.None),
            _proxy.GetValueAsync(CancellationToken.None).AsTask(),
            _proxy.RunAsync(CancellationToken.None),
            _proxy.GetWithoutTokenAsync(),
            resilient.ExecuteAsync(token => new ValueTask<int>(_inner.Next(token)), CancellationToken.None).AsTask(),
        ];
        _clock.Advance(100);
        foreach (Task call in calls)
        {
            await Assert.ThrowsAsync<ResilienceTimeoutException>(() => Clock.Finish(call));
        }

        Assert.Equal(calls.Length, _inner.FailAll(new AbandonedFailureException(tag)));

        // Calls that fail while still waited for, before the deadline: the caller gets the failure, and the task the
        // proxy raced against the deadline (faulted with the same failure) leaves nothing unobserved either.
        Task[] failing =
        [
            _proxy.GetAsync(CancellationToken.None),
            _proxy.GetValueAsync(CancellationToken.None).AsTask(),
            _proxy.RunAsync(CancellationToken.None),
            _proxy.GetWithoutTokenAsync(),
            resilient.ExecuteAsync(token => new ValueTask<int>(_inner.Next(token)), CancellationToken.None).AsTask(),
        ];
        Assert.Equal(failing.Length, _inner.FailAll(new AbandonedFailureException(Guid.Empty)));
        foreach (Task call in failing)
        {
            await Assert.ThrowsAsync<AbandonedFailureException>(() => Clock.Finish(call));
        }

        _clock.Advance(100);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void DropAFaultedTask(Guid tag) => _ = Task.FromException(new AbandonedFailureException(tag));
}
