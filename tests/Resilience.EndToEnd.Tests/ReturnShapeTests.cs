using Resilience.EndToEnd.Tests.Infrastructure;

namespace Resilience.EndToEnd.Tests;

public interface IShapes
{
    [Retry(MaxRetries = 2, DelayMs = 10, Backoff = BackoffType.Constant, Jitter = 0)]
    Task RunAsync(CancellationToken cancellationToken);

    [Retry(MaxRetries = 2, DelayMs = 10, Backoff = BackoffType.Constant, Jitter = 0)]
    Task<int> GetAsync(CancellationToken cancellationToken);

    [Retry(MaxRetries = 2, DelayMs = 10, Backoff = BackoffType.Constant, Jitter = 0)]
    ValueTask RunValueAsync(CancellationToken cancellationToken);

    [Retry(MaxRetries = 2, DelayMs = 10, Backoff = BackoffType.Constant, Jitter = 0)]
    ValueTask<int> GetValueAsync(CancellationToken cancellationToken);

    // Synchronous methods would block the calling thread in the retry delay; no delay keeps the test on fake time.
    [Retry(MaxRetries = 2, DelayMs = 0, Backoff = BackoffType.Constant, Jitter = 0)]
    int Get();

    [Retry(MaxRetries = 2, DelayMs = 0, Backoff = BackoffType.Constant, Jitter = 0)]
    void Run();

    [CircuitBreaker(FailureThreshold = 1, BreakDurationMs = 1_000)]
    Task<int> GuardedAsync(bool throwSynchronously);
}

/// <summary>
/// Attempt 1 throws synchronously (before any task exists), attempt 2 returns a faulted task (or throws, for the
/// synchronous shapes), attempt 3 succeeds with the attempt number.
/// </summary>
public sealed class FailTwiceShapes : IShapes
{
    public AttemptLog Log { get; } = new();

    public Task<int>? LastTask { get; private set; }

    public Task RunAsync(CancellationToken cancellationToken) => Attempt() is { } error ? Task.FromException(error) : Task.CompletedTask;

    public Task<int> GetAsync(CancellationToken cancellationToken) =>
        LastTask = Attempt() is { } error ? Task.FromException<int>(error) : Task.FromResult(Log.Count);

    public ValueTask RunValueAsync(CancellationToken cancellationToken) => Attempt() is { } error ? ValueTask.FromException(error) : default;

    public ValueTask<int> GetValueAsync(CancellationToken cancellationToken) =>
        Attempt() is { } error ? ValueTask.FromException<int>(error) : new ValueTask<int>(Log.Count);

    public int Get() => Attempt() is { } error ? throw error : Log.Count;

    public void Run()
    {
        if (Attempt() is { } error)
        {
            throw error;
        }
    }

    public Task<int> GuardedAsync(bool throwSynchronously)
    {
        Log.Record();
        var error = new InvalidOperationException("guarded");
        return throwSynchronously ? throw error : Task.FromException<int>(error);
    }

    private InvalidOperationException? Attempt()
    {
        int n = Log.Record();
        return n switch
        {
            1 => throw new InvalidOperationException("thrown synchronously"),
            2 => new InvalidOperationException("faulted"),
            _ => null,
        };
    }
}

public sealed class ReturnShapeTests : IDisposable
{
    private readonly Clock _clock = new();
    private readonly FailTwiceShapes _inner = new();
    private readonly ShapesResilient _proxy;

    public ReturnShapeTests() => _proxy = new ShapesResilient(_inner, _clock.Registry);

    public void Dispose() => _clock.Dispose();

    public static TheoryData<string> AsyncShapes => ["Task", "Task<T>", "ValueTask", "ValueTask<T>"];

    private Task<int> Invoke(string shape) => shape switch
    {
        "Task" => Then(_proxy.RunAsync(CancellationToken.None)),
        "Task<T>" => _proxy.GetAsync(CancellationToken.None),
        "ValueTask" => Then(_proxy.RunValueAsync(CancellationToken.None).AsTask()),
        "ValueTask<T>" => _proxy.GetValueAsync(CancellationToken.None).AsTask(),
        _ => throw new ArgumentOutOfRangeException(nameof(shape)),
    };

    private async Task<int> Then(Task task)
    {
        await task;
        return _inner.Log.Count;
    }

    [Theory]
    [MemberData(nameof(AsyncShapes))]
    public async Task Every_async_shape_retries_a_synchronous_throw_and_a_faulted_task_on_fake_time(string shape)
    {
        Task<int> call = Invoke(shape);
        Assert.False(call.IsCompleted);

        await _clock.AdvanceToAttempt(10, _inner.Log, 2);
        Assert.False(call.IsCompleted);
        await _clock.AdvanceToAttempt(10, _inner.Log, 3);

        Assert.Equal(3, await Clock.Finish(call));
        Assert.Equal(3, _inner.Log.Count);
    }

    [Fact]
    public void A_synchronous_method_returning_a_value_retries_both_failures()
    {
        Assert.Equal(3, _proxy.Get());
        Assert.Equal(3, _inner.Log.Count);
    }

    [Fact]
    public void A_void_method_retries_both_failures()
    {
        _proxy.Run();
        Assert.Equal(3, _inner.Log.Count);
    }

    [Fact]
    public async Task A_Task_of_T_that_succeeds_synchronously_is_the_inner_task_instance_itself()
    {
        _inner.Log.Record();
        _inner.Log.Record(); // the next attempt is the third: it succeeds at once

        Task<int> call = _proxy.GetAsync(CancellationToken.None);

        Assert.True(call.IsCompletedSuccessfully);
        Assert.Same(_inner.LastTask, call);
        Assert.Equal(3, await call);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_synchronous_throw_counts_for_the_breaker_like_a_faulted_task(bool throwSynchronously)
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => _proxy.GuardedAsync(throwSynchronously));
        Assert.Equal("guarded", error.Message);

        Assert.True(_clock.Registry.TryGetCircuitBreaker("Resilience.EndToEnd.Tests.IShapes.GuardedAsync", out CircuitBreaker? breaker));
        Assert.Equal(1, breaker.Counts.Failures);
        Assert.Equal(CircuitState.Open, breaker.State);
        await Assert.ThrowsAsync<BrokenCircuitException>(() => _proxy.GuardedAsync(throwSynchronously));
        Assert.Equal(1, _inner.Log.Count);
    }
}
