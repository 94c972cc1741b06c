namespace Resilience.EndToEnd.Tests.Chaos;

[CircuitBreaker(FailureThreshold = 3, BreakDurationMs = 30_000, Name = "chaos-db")]
public interface IChaosTarget
{
    ValueTask<string?> GetAsync(int id, CancellationToken cancellationToken);

    [Retry(MaxRetries = 2, DelayMs = 10, Jitter = 0)]
    Task<int> CountAsync(CancellationToken cancellationToken);

    [Timeout(1_000)]
    Task<string> SlowAsync(CancellationToken cancellationToken);

    ValueTask SaveAsync(string value, CancellationToken cancellationToken);

    int Square(int x);
}

public sealed class ChaosTarget : IChaosTarget
{
    public int Calls;

    public ValueTask<string?> GetAsync(int id, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref Calls);
        return new ValueTask<string?>("item " + id);
    }

    public Task<int> CountAsync(CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref Calls);
        return Task.FromResult(7);
    }

    public Task<string> SlowAsync(CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref Calls);
        return Task.FromResult("fast");
    }

    public ValueTask SaveAsync(string value, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref Calls);
        return default;
    }

    public int Square(int x)
    {
        Interlocked.Increment(ref Calls);
        return x * x;
    }
}
