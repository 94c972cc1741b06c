using Microsoft.Extensions.Time.Testing;

namespace Resilience.Runtime.Tests.Composition;

using CircuitBreaker = global::Resilience.CircuitBreaker;

/// <summary><see cref="ResilientCallBuilder{T}.WithHedge"/>: the same race as a generated <c>[Hedge]</c> method.</summary>
public sealed class ResilientCallHedgeTests : IDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);
    private readonly FakeTimeProvider _clock = new();
    private readonly ResilienceRegistry _registry;
    private readonly List<(TaskCompletionSource<int> Answer, CancellationToken Token)> _attempts = [];
    private readonly SemaphoreSlim _started = new(0);

    public ResilientCallHedgeTests() => _registry = new ResilienceRegistry(_clock);

    public void Dispose() => _registry.Dispose();

    [Fact]
    public async Task A_slow_action_is_hedged_and_the_first_answer_wins()
    {
        ResilientCall<int> call = ResilientCall.For<int>(_registry)
            .WithHedge(new HedgeOptions { Delay = TimeSpan.FromMilliseconds(100), MaxHedges = 1 })
            .Build();

        Task<int> result = call.ExecuteAsync(Attempt).AsTask();
        await WaitForAttempts(1);
        _clock.Advance(TimeSpan.FromMilliseconds(100));
        await WaitForAttempts(2);
        _attempts[1].Answer.TrySetResult(2);

        Assert.Equal(2, await result.WaitAsync(Wait));
        Assert.True(_attempts[0].Token.IsCancellationRequested);
    }

    [Fact]
    public async Task Each_attempt_goes_through_the_breaker_and_a_marked_result_does_not_win()
    {
        ResilientCall<int> call = ResilientCall.For<int>(_registry)
            .WithHedge(new HedgeOptions { Delay = TimeSpan.Zero, MaxHedges = 1 })
            .WithCircuitBreaker(new CircuitBreakerOptions { FailureThreshold = 2 }, "hedged-call")
            .WithHandleResult(value => value < 0)
            .Build();

        Task<int> result = call.ExecuteAsync(Attempt).AsTask();
        await WaitForAttempts(2);
        _attempts[0].Answer.TrySetResult(-1);   // marked: the race goes on
        _attempts[1].Answer.TrySetException(new InvalidOperationException());

        Assert.Equal(-1, await result.WaitAsync(Wait)); // nothing better: the marked result stands, as without hedging
        Assert.True(_registry.TryGetCircuitBreaker("hedged-call", out CircuitBreaker? breaker));
        Assert.Equal(CircuitState.Open, breaker.State);
    }

    [Fact]
    public async Task A_first_attempt_that_answers_at_once_is_the_answer()
    {
        ResilientCall<int> call = ResilientCall.For<int>(_registry).WithHedge(new HedgeOptions()).Build();

        Assert.Equal(5, await call.ExecuteAsync(static _ => new ValueTask<int>(5)));
        Assert.Throws<InvalidOperationException>(() => ResilientCall.For<int>(_registry).WithHedge(new HedgeOptions()).WithHedge(new HedgeOptions()));
    }

    private ValueTask<int> Attempt(CancellationToken token)
    {
        var answer = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        token.UnsafeRegister(static (state, cancelled) => ((TaskCompletionSource<int>)state!).TrySetCanceled(cancelled), answer);
        lock (_attempts)
        {
            _attempts.Add((answer, token));
        }

        _started.Release();
        return new ValueTask<int>(answer.Task);
    }

    private async Task WaitForAttempts(int count)
    {
        while (true)
        {
            lock (_attempts)
            {
                if (_attempts.Count >= count)
                {
                    return;
                }
            }

            Assert.True(await _started.WaitAsync(Wait), $"attempt {count} did not start");
        }
    }
}
