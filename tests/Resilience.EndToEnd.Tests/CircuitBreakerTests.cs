using Resilience.EndToEnd.Tests.Infrastructure;

namespace Resilience.EndToEnd.Tests;

public interface IBreakerService
{
    [CircuitBreaker(FailureThreshold = 2, BreakDurationMs = 1_000)]
    [Retry(MaxRetries = 3, DelayMs = 10, Backoff = BackoffType.Constant, Jitter = 0)]
    Task<string> GetAsync(CancellationToken cancellationToken);

    [CircuitBreaker(FailureThreshold = 1, BreakDurationMs = 1_000, Handle = new[] { typeof(TimeoutException) })]
    Task<string> HandledOnlyAsync(CancellationToken cancellationToken);

    [CircuitBreaker(FailureThreshold = 1, BreakDurationMs = 60_000)]
    [Retry(MaxRetries = 5, DelayMs = 100, Backoff = BackoffType.Constant, Jitter = 0)]
    Task<string> StopAsync(string caller, CancellationToken cancellationToken);
}

public sealed class ScriptedBreakerService : IBreakerService
{
    public AttemptLog Log { get; } = new();

    /// <summary>Given the 1-based call number and the token the call received, produces the call's task.</summary>
    public Func<int, CancellationToken, Task<string>> Script { get; set; } = static (n, _) => Task.FromResult($"ok {n}");

    public Task<string> GetAsync(CancellationToken cancellationToken) => Script(Log.Record(cancellationToken), cancellationToken);

    public Task<string> HandledOnlyAsync(CancellationToken cancellationToken) => Script(Log.Record(cancellationToken), cancellationToken);

    public List<string> StopCalls { get; } = [];

    public Task<string> StopAsync(string caller, CancellationToken cancellationToken)
    {
        StopCalls.Add(caller);
        return caller == "permanent"
            ? Task.FromException<string>(new PermanentException("gone"))
            : Task.FromException<string>(new InvalidOperationException(caller));
    }

    public static Task<string> Fail(int n) => Task.FromException<string>(new InvalidOperationException($"call {n}"));
}

public sealed class CircuitBreakerTests : IDisposable
{
    private const string GetName = "Resilience.EndToEnd.Tests.IBreakerService.GetAsync";

    private readonly Clock _clock = new();
    private readonly ScriptedBreakerService _inner = new();
    private readonly BreakerServiceResilient _proxy;

    public CircuitBreakerTests() => _proxy = new BreakerServiceResilient(_inner, _clock.Registry);

    public void Dispose() => _clock.Dispose();

    private CircuitBreaker Breaker => _clock.Registry.TryGetCircuitBreaker(GetName, out CircuitBreaker? breaker)
        ? breaker
        : throw new InvalidOperationException($"No breaker named {GetName}.");

    /// <summary>Runs one whole retry sequence (4 attempts, 10 ms apart) in which every attempt fails.</summary>
    private async Task FailOneSequence()
    {
        int before = _inner.Log.Count;
        Task<string> call = _proxy.GetAsync(CancellationToken.None);
        for (int attempt = 2; attempt <= 4; attempt++)
        {
            await _clock.AdvanceToAttempt(10, _inner.Log, before + attempt);
        }

        await Assert.ThrowsAsync<InvalidOperationException>(() => Clock.Finish(call));
        Assert.Equal(before + 4, _inner.Log.Count);
    }

    private async Task OpenTheBreaker()
    {
        _inner.Script = static (n, _) => ScriptedBreakerService.Fail(n);
        await FailOneSequence();
        await FailOneSequence();
        Assert.Equal(CircuitState.Open, Breaker.State);
    }

    [Fact]
    public async Task The_breaker_counts_one_failure_per_retry_sequence_and_opens_after_two_sequences_of_four_attempts()
    {
        _inner.Script = static (n, _) => ScriptedBreakerService.Fail(n);

        await FailOneSequence();
        Assert.Equal(CircuitState.Closed, Breaker.State);
        Assert.Equal(1, Breaker.Counts.Failures);
        Assert.Equal(1, Breaker.Counts.ConsecutiveFailures);
        Assert.Equal(4, _inner.Log.Count);

        await FailOneSequence();
        Assert.Equal(CircuitState.Open, Breaker.State);
        Assert.Equal(2, Breaker.Counts.Failures);
        Assert.Equal(8, _inner.Log.Count);
    }

    [Fact]
    public async Task An_open_breaker_rejects_with_BrokenCircuitException_without_calling_the_inner_or_retrying()
    {
        await OpenTheBreaker();

        var error = await Assert.ThrowsAsync<BrokenCircuitException>(() => Clock.Finish(_proxy.GetAsync(CancellationToken.None)));

        Assert.Equal(8, _inner.Log.Count);
        Assert.Equal(GetName, error.InstanceName);
        Assert.Equal(TimeSpan.FromMilliseconds(1_000), error.RetryAfter);
        _clock.Advance(500);
        Assert.Equal(8, _inner.Log.Count); // a rejection is not retried either
    }

    [Fact]
    public async Task After_BreakDurationMs_of_fake_time_the_breaker_is_half_open_and_a_probe_success_closes_it()
    {
        await OpenTheBreaker();

        _clock.Advance(999);
        Assert.Equal(CircuitState.Open, Breaker.State);
        await Assert.ThrowsAsync<BrokenCircuitException>(() => Clock.Finish(_proxy.GetAsync(CancellationToken.None)));

        _clock.Advance(1);
        Assert.Equal(CircuitState.HalfOpen, Breaker.State);

        _inner.Script = static (n, _) => Task.FromResult($"ok {n}");
        Assert.Equal("ok 9", await Clock.Finish(_proxy.GetAsync(CancellationToken.None)));
        Assert.Equal(CircuitState.Closed, Breaker.State);
        Assert.Equal("ok 10", await Clock.Finish(_proxy.GetAsync(CancellationToken.None)));
    }

    [Fact]
    public async Task A_failed_probe_sequence_reopens_the_breaker()
    {
        await OpenTheBreaker();
        _clock.Advance(1_000);

        await FailOneSequence(); // half-open is not open: the probe sequence still retries, then records one failure
        Assert.Equal(CircuitState.Open, Breaker.State);
        Assert.Equal(12, _inner.Log.Count);
        await Assert.ThrowsAsync<BrokenCircuitException>(() => Clock.Finish(_proxy.GetAsync(CancellationToken.None)));
        Assert.Equal(12, _inner.Log.Count);
    }

    [Fact]
    public async Task While_the_half_open_probe_is_pending_other_calls_are_rejected()
    {
        await OpenTheBreaker();
        _clock.Advance(1_000);
        var probeGate = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        _inner.Script = (_, _) => probeGate.Task;

        Task<string> probe = _proxy.GetAsync(CancellationToken.None);
        await Assert.ThrowsAsync<BrokenCircuitException>(() => Clock.Finish(_proxy.GetAsync(CancellationToken.None)));
        Assert.Equal(9, _inner.Log.Count);

        probeGate.SetResult("probe ok");
        Assert.Equal("probe ok", await Clock.Finish(probe));
        Assert.Equal(CircuitState.Closed, Breaker.State);
    }

    [Fact]
    public async Task A_sequence_that_succeeds_on_a_retry_counts_as_a_success()
    {
        for (int sequence = 0; sequence < 3; sequence++)
        {
            int start = _inner.Log.Count;
            _inner.Script = (n, _) => n - start <= 2 ? ScriptedBreakerService.Fail(n) : Task.FromResult("recovered");

            Task<string> call = _proxy.GetAsync(CancellationToken.None);
            await _clock.AdvanceToAttempt(10, _inner.Log, start + 2);
            await _clock.AdvanceToAttempt(10, _inner.Log, start + 3);
            Assert.Equal("recovered", await Clock.Finish(call));
        }

        Assert.Equal(CircuitState.Closed, Breaker.State);
        Assert.Equal(0, Breaker.Counts.Failures);
        Assert.Equal(3, Breaker.Counts.Successes);
    }

    [Fact]
    public async Task A_sequence_waiting_to_retry_stops_at_once_when_another_sequence_opened_the_breaker()
    {
        Task<string> retrying = _proxy.StopAsync("retrying", CancellationToken.None); // fails, waits 100 ms to retry
        await Assert.ThrowsAsync<PermanentException>(() => Clock.Finish(_proxy.StopAsync("permanent", CancellationToken.None)));
        Assert.True(_clock.Registry.TryGetCircuitBreaker("Resilience.EndToEnd.Tests.IBreakerService.StopAsync", out CircuitBreaker? breaker));
        Assert.Equal(CircuitState.Open, breaker.State);

        _clock.Advance(100);
        await Assert.ThrowsAsync<InvalidOperationException>(() => Clock.Finish(retrying));
        _clock.Advance(1_000);

        // MaxRetries = 5 would allow six attempts; the breaker opened while "retrying" waited, so when its delay ends it
        // stops with its last failure and makes no further attempt: the downstream saw it once.
        Assert.Equal(["retrying", "permanent"], _inner.StopCalls);
        Assert.Equal(CircuitState.Open, breaker.State);
    }

    [Fact]
    public async Task Handle_limits_which_exceptions_count_as_breaker_failures()
    {
        const string name = "Resilience.EndToEnd.Tests.IBreakerService.HandledOnlyAsync";
        _inner.Script = static (n, _) => ScriptedBreakerService.Fail(n);

        for (int i = 0; i < 3; i++)
        {
            await Assert.ThrowsAsync<InvalidOperationException>(() => Clock.Finish(_proxy.HandledOnlyAsync(CancellationToken.None)));
        }

        Assert.True(_clock.Registry.TryGetCircuitBreaker(name, out CircuitBreaker? breaker));
        Assert.Equal(CircuitState.Closed, breaker.State);
        Assert.Equal(0, breaker.Counts.Failures);

        _inner.Script = static (_, _) => Task.FromException<string>(new TimeoutException("counted"));
        await Assert.ThrowsAsync<TimeoutException>(() => Clock.Finish(_proxy.HandledOnlyAsync(CancellationToken.None)));
        Assert.Equal(CircuitState.Open, breaker.State);
        await Assert.ThrowsAsync<BrokenCircuitException>(() => Clock.Finish(_proxy.HandledOnlyAsync(CancellationToken.None)));
        Assert.Equal(4, _inner.Log.Count);
    }
}
