using System.Collections.Concurrent;
using System.Diagnostics;
using Resilience.EndToEnd.Tests.Infrastructure;

namespace Resilience.EndToEnd.Tests;

public interface IHedgedReads
{
    [Hedge(DelayMs = 100, MaxHedges = 2)]
    ValueTask<string> GetAsync(string key, CancellationToken cancellationToken);

    [Timeout(1_000)]
    [Hedge(DelayMs = 100, MaxHedges = 1)]
    [CircuitBreaker(FailureThreshold = 2, Name = "hedged-reads")]
    Task<string> FindAsync(string key, CancellationToken cancellationToken);

#pragma warning disable RES0031 // on purpose: what happens to a loser that has no token
    [Hedge(DelayMs = 0, MaxHedges = 1)]
    Task<string> NoTokenAsync(string key);
#pragma warning restore RES0031

    [Hedge(DelayMs = 100)]
    ValueTask<int> CountAsync(CancellationToken cancellationToken);
}

/// <summary>Every attempt waits for the test to answer it (or for its token); <see cref="CountAsync"/> answers at once.</summary>
public sealed class ControlledReads : IHedgedReads
{
    private readonly List<(TaskCompletionSource<string> Answer, CancellationToken Token)> _attempts = [];
    private readonly SemaphoreSlim _started = new(0);

    public int Started
    {
        get
        {
            lock (_attempts)
            {
                return _attempts.Count;
            }
        }
    }

    public ValueTask<string> GetAsync(string key, CancellationToken cancellationToken) => new(Attempt(cancellationToken));

    public Task<string> FindAsync(string key, CancellationToken cancellationToken) => Attempt(cancellationToken);

    public Task<string> NoTokenAsync(string key) => Attempt(CancellationToken.None);

    public ValueTask<int> CountAsync(CancellationToken cancellationToken) => new(7);

    public async Task WaitForAttempts(int count)
    {
        while (Started < count)
        {
            Assert.True(await _started.WaitAsync(TimeSpan.FromSeconds(10)), $"attempt {count} did not start");
        }
    }

    public CancellationToken Token(int attempt)
    {
        lock (_attempts)
        {
            return _attempts[attempt - 1].Token;
        }
    }

    public void Answer(int attempt, string value) => Completion(attempt).TrySetResult(value);

    public void Fail(int attempt, Exception exception) => Completion(attempt).TrySetException(exception);

    private TaskCompletionSource<string> Completion(int attempt)
    {
        lock (_attempts)
        {
            return _attempts[attempt - 1].Answer;
        }
    }

    private Task<string> Attempt(CancellationToken token)
    {
        var answer = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        token.UnsafeRegister(static (state, cancelled) => ((TaskCompletionSource<string>)state!).TrySetCanceled(cancelled), answer);
        lock (_attempts)
        {
            _attempts.Add((answer, token));
        }

        _started.Release();
        return answer.Task;
    }
}

public sealed class HedgeTests : IDisposable
{
    private const string LateLoser = "late loser (HedgeTests)";
    private readonly Clock _clock = new();
    private readonly ControlledReads _inner = new();
    private readonly HedgedReadsResilient _proxy;

    public HedgeTests() => _proxy = new HedgedReadsResilient(_inner, _clock.Registry);

    public void Dispose() => _clock.Dispose();

    [Fact]
    public async Task A_slow_read_is_hedged_after_the_delay_and_the_first_answer_wins()
    {
        Task<string> call = _proxy.GetAsync("k", CancellationToken.None).AsTask();
        await _inner.WaitForAttempts(1);
        _clock.Advance(99);
        Assert.Equal(1, _inner.Started);

        _clock.Advance(1);
        await _inner.WaitForAttempts(2);
        _inner.Answer(2, "second");

        Assert.Equal("second", await call.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.True(_inner.Token(1).IsCancellationRequested, "the loser is cancelled through its token");
        Assert.Equal(2, _inner.Started);
    }

    [Fact]
    public async Task The_timeout_bounds_the_whole_race()
    {
        Task<string> call = _proxy.FindAsync("k", CancellationToken.None);
        await _inner.WaitForAttempts(1);
        _clock.Advance(100);
        await _inner.WaitForAttempts(2);
        _clock.Advance(900);

        await Assert.ThrowsAsync<ResilienceTimeoutException>(() => call.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.True(_inner.Token(1).IsCancellationRequested);
        Assert.True(_inner.Token(2).IsCancellationRequested);
    }

    private static bool IsLateLoser(Exception? exception)
    {
        for (; exception is not null; exception = exception.InnerException)
        {
            if (exception.Message == LateLoser)
            {
                return true;
            }
        }

        return false;
    }

    [Fact]
    public async Task Each_attempt_goes_through_the_breaker()
    {
                Task<string> call = _proxy.FindAsync("k", CancellationToken.None);
        await _inner.WaitForAttempts(1);
        _inner.Fail(1, new InvalidOperationException("first"));
        await _inner.WaitForAttempts(2);   // OnFailure: the hedge starts at once
        _inner.Fail(2, new InvalidOperationException("second"));

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => call.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal("second", error.Message);
        Assert.True(_clock.Registry.TryGetCircuitBreaker("hedged-reads", out CircuitBreaker? breaker));
        Assert.Equal(CircuitState.Open, breaker.State); // two failed attempts of one call: FailureThreshold 2
    }

    [Fact]
    public async Task A_cancelled_loser_is_not_a_breaker_failure()
    {
        for (int i = 0; i < 3; i++)
        {
            int first = _inner.Started + 1;
            Task<string> call = _proxy.FindAsync("k", CancellationToken.None);
            await _inner.WaitForAttempts(first);
            _clock.Advance(100);
            await _inner.WaitForAttempts(first + 1);
            _inner.Answer(first + 1, "hedge");
            Assert.Equal("hedge", await call.WaitAsync(TimeSpan.FromSeconds(10)));
            Assert.True(_inner.Token(first).IsCancellationRequested);
        }

        Assert.True(_clock.Registry.TryGetCircuitBreaker("hedged-reads", out CircuitBreaker? breaker));
        Assert.Equal(CircuitState.Closed, breaker.State);
    }

    [Fact]
    public async Task Without_a_token_the_loser_is_abandoned_and_its_late_failure_observed()
    {
        // Only this test's own failures count: the event is process-wide, and other tests run meanwhile.
        int unobserved = 0;
        EventHandler<UnobservedTaskExceptionEventArgs> handler = (_, e) =>
        {
            if (e.Exception.Flatten().InnerExceptions.Any(IsLateLoser))
            {
                Interlocked.Increment(ref unobserved);
            }
        };
        TaskScheduler.UnobservedTaskException += handler;
        try
        {
            for (int i = 0; i < 10; i++)
            {
                int first = _inner.Started + 1;
                Task<string> call = _proxy.NoTokenAsync("k");
                await _inner.WaitForAttempts(first + 1); // DelayMs = 0: both at once
                _inner.Answer(first + 1, "second");
                Assert.Equal("second", await call.WaitAsync(TimeSpan.FromSeconds(10)));
                _inner.Fail(first, new InvalidOperationException(LateLoser));
            }

            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
            Assert.Equal(0, Volatile.Read(ref unobserved));
        }
        finally
        {
            TaskScheduler.UnobservedTaskException -= handler;
        }
    }
}

/// <summary>Spans and allocation, apart from the parallel tests (an activity listener is process-wide).</summary>
[Collection(TelemetryAndAllocationCollection.Name)]
public sealed class HedgeTelemetryAndAllocationTests : IDisposable
{
    private readonly Clock _clock = new();
    private readonly ControlledReads _inner = new();
    private readonly HedgedReadsResilient _proxy;

    public HedgeTelemetryAndAllocationTests() => _proxy = new HedgedReadsResilient(_inner, _clock.Registry);

    public void Dispose() => _clock.Dispose();

    [Fact]
    public async Task Each_hedged_attempt_has_its_own_span_under_the_call()
    {
        var spans = new ConcurrentQueue<Activity>();
        using var attemptEnded = new SemaphoreSlim(0);
        ActivitySource source = _clock.Registry.Telemetry.ActivitySource;
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => ReferenceEquals(s, source),
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = span =>
            {
                spans.Enqueue(span);
                if (span.DisplayName.EndsWith(" hedged attempt", StringComparison.Ordinal))
                {
                    attemptEnded.Release();
                }
            },
        };
        ActivitySource.AddActivityListener(listener);

        Task<string> call = _proxy.GetAsync("k", CancellationToken.None).AsTask();
        await _inner.WaitForAttempts(1);
        _clock.Advance(100);
        await _inner.WaitForAttempts(2);
        _inner.Answer(2, "second");
        await call.WaitAsync(TimeSpan.FromSeconds(10));
        // The cancelled loser ends on another thread, possibly after the call has returned.
        Assert.True(await attemptEnded.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.True(await attemptEnded.WaitAsync(TimeSpan.FromSeconds(10)));

        Activity callSpan = Assert.Single(spans, s => s.DisplayName == "IHedgedReads.GetAsync");
        var attempts = spans.Where(s => s.DisplayName == "IHedgedReads.GetAsync hedged attempt").OrderBy(s => s.GetTagItem("resilience.hedge.attempt")).ToList();
        Assert.Equal(2, attempts.Count);
        Assert.All(attempts, a => Assert.Equal(callSpan.SpanId, a.ParentSpanId));
        Assert.Equal(1, attempts[0].GetTagItem("resilience.hedge.attempt"));
        Assert.Equal(2, attempts[1].GetTagItem("resilience.hedge.attempt"));
    }

    [Fact]
    public void A_hedged_call_whose_first_attempt_answers_at_once_allocates_nothing()
    {
        for (int i = 0; i < 1_000; i++)
        {
            _ = _proxy.CountAsync(CancellationToken.None).Result;
        }

        long sum = 0;
        long allocated = AllocationProbe.Least(() =>
        {
            sum = 0;
            for (int i = 0; i < 10_000; i++)
            {
                sum += _proxy.CountAsync(CancellationToken.None).Result;
            }
        });

        Assert.Equal(70_000, sum); // the last window's calls
        Assert.Equal(0, allocated);
    }
}
