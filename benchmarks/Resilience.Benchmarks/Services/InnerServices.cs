namespace Resilience.Benchmarks.Services;

/// <summary>
/// The inner (real) services: they do no work, so a benchmark measures only what sits around the call.
/// Every successful call completes synchronously and allocates nothing, except <see cref="YieldingTaskService"/>.
/// </summary>
public sealed class ImmediateService
    : IRetryBreakerService, ITimeoutBreakerRetryService, IFullStackService, IContendedService, IHedgedService, IConsecutiveBreakerService
{
    /// <inheritdoc cref="IRetryBreakerService.GetAsync" />
    public ValueTask<int> GetAsync(int id, CancellationToken cancellationToken) => new(id);
}

/// <summary>A service whose call always fails with a faulted task.</summary>
public sealed class FailingService : IFallbackService
{
    /// <summary>
    /// A new exception per failure, as real failures are: rethrowing one shared instance through <c>await</c> would
    /// append to its stack trace on every throw, so each call would be slower than the last.
    /// </summary>
    public static ValueTask<int> Fail() => ValueTask.FromException<int>(new InvalidOperationException("The inner call failed."));

    /// <inheritdoc />
    public ValueTask<int> GetAsync(int id, CancellationToken cancellationToken) => Fail();

    /// <inheritdoc />
    public ValueTask<int> GetFallbackAsync(Exception error) => new(Settings.FallbackValue);
}

/// <summary>A service that fails every other call: odd calls fault, even calls succeed. Single-threaded use only.</summary>
public sealed class FlakyService : IFlakyService
{
    private int _calls;

    /// <summary>Calls received so far.</summary>
    public int Calls => _calls;

    /// <inheritdoc />
    public ValueTask<int> GetAsync(int id, CancellationToken cancellationToken)
        => (++_calls & 1) == 1 ? FailingService.Fail() : new ValueTask<int>(id);
}

/// <summary>A <see cref="Task{TResult}"/> service that completes synchronously with a cached task.</summary>
public sealed class CompletedTaskService : ITaskService
{
    private static readonly Task<int> Completed = Task.FromResult(42);

    /// <inheritdoc />
    public Task<int> GetAsync(int id, CancellationToken cancellationToken) => Completed;
}

/// <summary>A <see cref="Task{TResult}"/> service that completes asynchronously (<see cref="Task.Yield"/>).</summary>
public sealed class YieldingTaskService : ITaskService
{
    /// <inheritdoc />
    public async Task<int> GetAsync(int id, CancellationToken cancellationToken)
    {
        await Task.Yield();
        return id;
    }
}
