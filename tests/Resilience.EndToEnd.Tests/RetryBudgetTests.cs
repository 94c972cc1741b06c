using Resilience.EndToEnd.Tests.Infrastructure;

namespace Resilience.EndToEnd.Tests;

public interface IFailingDownstream
{
    [Retry(MaxRetries = 3, DelayMs = 0, Jitter = 0, Budget = "e2e-downstream")]
    Task<int> GetAsync(int id, CancellationToken cancellationToken);

    [Retry(MaxRetries = 3, DelayMs = 0, Jitter = 0)]
    Task<int> GetWithoutBudgetAsync(int id, CancellationToken cancellationToken);
}

public sealed class AlwaysFailingDownstream : IFailingDownstream
{
    public int Received;

    public Task<int> GetAsync(int id, CancellationToken cancellationToken)
    {
        Received++;
        return Task.FromException<int>(new HttpRequestException("503 Service Unavailable"));
    }

    public Task<int> GetWithoutBudgetAsync(int id, CancellationToken cancellationToken) => GetAsync(id, cancellationToken);
}

/// <summary>
/// The retry storm docs/retry-budget.md describes, through a generated decorator: a downstream failing every call for a
/// simulated minute, 20 calls a second, MaxRetries 3.
/// </summary>
public sealed class RetryBudgetTests : IDisposable
{
    private readonly Clock _clock = new();

    public void Dispose() => _clock.Dispose();

    [Fact]
    public async Task A_downstream_failing_for_a_minute_receives_at_most_one_plus_ratio_times_the_calls_plus_the_floor()
    {
        var options = new RetryBudgetOptions { Ratio = 0.2, MinRetriesPerSecond = 1, Window = TimeSpan.FromSeconds(10) };
        _clock.Registry.GetOrAddRetryBudget("e2e-downstream", options);
        var inner = new AlwaysFailingDownstream();
        var proxy = new FailingDownstreamResilient(inner, _clock.Registry);

        int calls = await Storm(id => proxy.GetAsync(id, CancellationToken.None));
        int withBudget = inner.Received;
        inner.Received = 0;
        await Storm(id => proxy.GetWithoutBudgetAsync(id, CancellationToken.None));
        int withoutBudget = inner.Received;

        Assert.Equal(1_200, calls);
        Assert.Equal(4 * calls, withoutBudget);
        double bound = ((1 + options.Ratio) * calls) + (options.MinRetriesPerSecond * (60 + options.Window.TotalSeconds));
        Assert.True(withBudget <= bound, $"the downstream received {withBudget} requests for {calls} calls; bound {bound}");
        Assert.True(withBudget > calls, "the budget still lets some retries through");
    }

    private async Task<int> Storm(Func<int, Task<int>> call)
    {
        int calls = 0;
        for (int i = 0; i < 1_200; i++)
        {
            calls++;
            await Assert.ThrowsAsync<HttpRequestException>(() => call(i));
            _clock.Advance(50);
        }

        return calls;
    }
}
