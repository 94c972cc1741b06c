using Resilience.EndToEnd.Tests.Infrastructure;

namespace Resilience.EndToEnd.Tests;

public interface IOutcomeDelayApi
{
    [Retry(MaxRetries = 3, Policy = typeof(OutcomeDelayPolicy), HandleResult = nameof(IsFailure))]
    Task<int> GetAsync(CancellationToken cancellationToken);

    [Retry(MaxRetries = 3, Policy = typeof(OutcomeDelayPolicy), HandleResult = nameof(IsFailure))]
    int Get();

    static bool IsFailure(int status) => status >= 500;
}

/// <summary>Waits as many milliseconds as a failed result says (a stand-in for Retry-After), 7 ms after a TimeoutException, else 1 ms.</summary>
public sealed class OutcomeDelayPolicy : IRetryPolicy
{
    public static List<string> Seen { get; } = [];

    public bool ShouldRetry(Exception exception, int attempt) => true;

    public TimeSpan GetDelay(int attempt) => TimeSpan.FromMilliseconds(1);

    public TimeSpan GetDelay<TResult>(int attempt, in RetryOutcome<TResult> outcome)
    {
        lock (Seen)
        {
            Seen.Add($"{typeof(TResult).Name} {outcome.HasResult} {outcome.Exception?.GetType().Name}");
        }

        return outcome switch
        {
            { Result: int status } when outcome.HasResult => TimeSpan.FromMilliseconds(status - 500),
            { Exception: TimeoutException } => TimeSpan.FromMilliseconds(7),
            _ => GetDelay(attempt),
        };
    }
}

public sealed class ScriptedOutcomeApi : IOutcomeDelayApi
{
    public AttemptLog Log { get; } = new();

    public Func<int, int> Script { get; set; } = static _ => 200;

    public Task<int> GetAsync(CancellationToken cancellationToken) => Task.FromResult(Script(Log.Record(cancellationToken)));

    public int Get() => Script(Log.Record(CancellationToken.None));
}

[Collection(nameof(OutcomeDelayPolicy))]
public sealed class RetryOutcomeDelayTests : IDisposable
{
    private readonly Clock _clock = new();
    private readonly ScriptedOutcomeApi _inner = new();
    private readonly OutcomeDelayApiResilient _proxy;

    public RetryOutcomeDelayTests()
    {
        _proxy = new OutcomeDelayApiResilient(_inner, _clock.Registry);
        lock (OutcomeDelayPolicy.Seen)
        {
            OutcomeDelayPolicy.Seen.Clear();
        }
    }

    public void Dispose() => _clock.Dispose();

    [Fact]
    public async Task The_policy_sees_the_marked_result_and_the_exception_and_its_delays_are_waited()
    {
        _inner.Script = static attempt => attempt switch
        {
            1 => 530,                              // wait 30 ms
            2 => throw new TimeoutException(),     // wait 7 ms
            _ => 200,
        };

        Task<int> call = _proxy.GetAsync(CancellationToken.None);
        _clock.Advance(29);
        Assert.Equal(1, _inner.Log.Count);
        await _clock.AdvanceToAttempt(1, _inner.Log, 2);
        _clock.Advance(6);
        Assert.Equal(2, _inner.Log.Count);
        await _clock.AdvanceToAttempt(1, _inner.Log, 3);

        Assert.Equal(200, await Clock.Finish(call));
        Assert.Equal(["Int32 True ", "Object False TimeoutException"], OutcomeDelayPolicy.Seen);
    }

    [Fact]
    public void A_synchronous_method_hands_the_result_to_the_policy_too()
    {
        _inner.Script = static attempt => attempt == 1 ? 500 : 200;

        Assert.Equal(200, _proxy.Get());
        Assert.Equal(["Int32 True "], OutcomeDelayPolicy.Seen);
    }
}

[CollectionDefinition(nameof(OutcomeDelayPolicy), DisableParallelization = true)]
public sealed class OutcomeDelayPolicyCollection
{
}
