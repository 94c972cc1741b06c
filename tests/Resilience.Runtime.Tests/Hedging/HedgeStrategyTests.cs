using Microsoft.Extensions.Time.Testing;

namespace Resilience.Runtime.Tests.Hedging;

public sealed class HedgeStrategyTests
{
    private const string LateLoser = "late loser (HedgeStrategyTests)";
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);
    private readonly FakeTimeProvider _clock = new();

    [Fact]
    public async Task A_slow_first_attempt_gets_a_hedge_after_the_delay_and_the_first_answer_wins()
    {
        var hedge = new HedgeStrategy("h", new HedgeOptions { Delay = TimeSpan.FromSeconds(2), MaxHedges = 1 }, _clock);
        var downstream = new Downstream();

        Task<Outcome> call = Run(hedge, downstream, CancellationToken.None);
        await downstream.WaitForAttempts(1);
        _clock.Advance(TimeSpan.FromMilliseconds(1999));
        Assert.Equal(1, downstream.Started);

        _clock.Advance(TimeSpan.FromMilliseconds(1));
        await downstream.WaitForAttempts(2);
        downstream.Complete(2, 42);

        Outcome outcome = await call.WaitAsync(Wait);
        Assert.Null(outcome.Error);
        Assert.Equal(42, outcome.Result);
        Assert.Equal(2, outcome.Started);
        Assert.True(downstream.Token(1).IsCancellationRequested, "the losing first attempt is cancelled through its token");
    }

    [Fact]
    public async Task No_more_than_MaxHedges_attempts_start_however_long_the_call_takes()
    {
        var hedge = new HedgeStrategy("h", new HedgeOptions { Delay = TimeSpan.FromSeconds(1), MaxHedges = 2 }, _clock);
        var downstream = new Downstream();

        Task<Outcome> call = Run(hedge, downstream, CancellationToken.None);
        for (int i = 2; i <= 3; i++)
        {
            await downstream.WaitForAttempts(i - 1);
            _clock.Advance(TimeSpan.FromSeconds(1));
            await downstream.WaitForAttempts(i);
        }

        _clock.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(3, downstream.Started);
        downstream.Complete(1, 7);

        Outcome outcome = await call.WaitAsync(Wait);
        Assert.Equal(7, outcome.Result);
        Assert.True(downstream.Token(2).IsCancellationRequested);
        Assert.True(downstream.Token(3).IsCancellationRequested);
    }

    [Fact]
    public async Task A_failure_starts_the_next_attempt_at_once_when_OnFailure()
    {
        var hedge = new HedgeStrategy("h", new HedgeOptions { Delay = TimeSpan.FromSeconds(30), MaxHedges = 1, OnFailure = true }, _clock);
        var downstream = new Downstream();

        Task<Outcome> call = Run(hedge, downstream, CancellationToken.None);
        await downstream.WaitForAttempts(1);
        downstream.Fail(1, new InvalidOperationException("first"));
        await downstream.WaitForAttempts(2);
        downstream.Complete(2, 5);

        Outcome outcome = await call.WaitAsync(Wait);
        Assert.Equal(5, outcome.Result);
        Assert.Equal(TimeSpan.Zero, _clock.GetUtcNow() - _clock.Start);
    }

    [Fact]
    public async Task Without_OnFailure_a_failure_of_the_only_running_attempt_ends_the_call()
    {
        var hedge = new HedgeStrategy("h", new HedgeOptions { Delay = TimeSpan.FromSeconds(30), MaxHedges = 3, OnFailure = false }, _clock);
        var downstream = new Downstream();

        Task<Outcome> call = Run(hedge, downstream, CancellationToken.None);
        await downstream.WaitForAttempts(1);
        var failure = new InvalidOperationException("first");
        downstream.Fail(1, failure);

        Outcome outcome = await call.WaitAsync(Wait);
        Assert.Same(failure, outcome.Error);
        Assert.Equal(1, downstream.Started);
    }

    [Fact]
    public async Task When_every_attempt_fails_the_call_ends_with_the_failure_of_the_last_to_end()
    {
        var hedge = new HedgeStrategy("h", new HedgeOptions { Delay = TimeSpan.Zero, MaxHedges = 2 }, _clock);
        var downstream = new Downstream(inlineContinuations: true);

        Task<Outcome> call = Run(hedge, downstream, CancellationToken.None);
        await downstream.WaitForAttempts(3);
        downstream.Fail(3, new InvalidOperationException("3"));
        downstream.Fail(1, new InvalidOperationException("1"));
        var last = new TimeoutException("2");
        downstream.Fail(2, last);

        Outcome outcome = await call.WaitAsync(Wait);
        Assert.Same(last, outcome.Error);
        Assert.Equal(3, outcome.Started);
    }

    [Fact]
    public async Task Delay_zero_starts_every_attempt_at_once()
    {
        var hedge = new HedgeStrategy("h", new HedgeOptions { Delay = TimeSpan.Zero, MaxHedges = 4 }, _clock);
        var downstream = new Downstream();

        Task<Outcome> call = Run(hedge, downstream, CancellationToken.None);
        await downstream.WaitForAttempts(5);
        downstream.Complete(4, 4);

        Outcome outcome = await call.WaitAsync(Wait);
        Assert.Equal(4, outcome.Result);
        Assert.Equal(5, outcome.Started);
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
    public async Task Only_on_failure_never_hedges_a_slow_attempt()
    {
        var hedge = new HedgeStrategy("h", new HedgeOptions { Delay = HedgeOptions.OnlyOnFailure, MaxHedges = 1 }, _clock);
        var downstream = new Downstream();

        Task<Outcome> call = Run(hedge, downstream, CancellationToken.None);
        await downstream.WaitForAttempts(1);
        _clock.Advance(TimeSpan.FromHours(1));
        Assert.Equal(1, downstream.Started);
        downstream.Fail(1, new InvalidOperationException());
        await downstream.WaitForAttempts(2);
        downstream.Complete(2, 9);

        Assert.Equal(9, (await call.WaitAsync(Wait)).Result);
    }

    [Fact]
    public async Task The_callers_cancellation_cancels_every_attempt_and_ends_the_call()
    {
        var hedge = new HedgeStrategy("h", new HedgeOptions { Delay = TimeSpan.Zero, MaxHedges = 1 }, _clock);
        var downstream = new Downstream();
        using var caller = new CancellationTokenSource();

        Task<Outcome> call = Run(hedge, downstream, caller.Token);
        await downstream.WaitForAttempts(2);
        caller.Cancel();

        Outcome outcome = await call.WaitAsync(Wait);
        Assert.IsAssignableFrom<OperationCanceledException>(outcome.Error);
        Assert.True(downstream.Token(1).IsCancellationRequested);
        Assert.True(downstream.Token(2).IsCancellationRequested);
    }

    [Fact]
    public async Task Losers_that_fail_after_the_race_leave_no_unobserved_exception()
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
            for (int i = 0; i < 20; i++)
            {
                await LoserFailsLate();
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

    [Fact]
    public async Task Hedges_and_wins_are_counted_per_instance()
    {
        using var registry = new ResilienceRegistry(_clock);
        using var listener = new System.Diagnostics.Metrics.MeterListener();
        var counts = new System.Collections.Concurrent.ConcurrentDictionary<string, long>();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter == registry.Telemetry.Meter && instrument.Name.StartsWith("resilience.hedge.", StringComparison.Ordinal))
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == "resilience.instance")
                {
                    counts.AddOrUpdate(instrument.Name + "|" + tag.Value, value, (_, v) => v + value);
                }
            }
        });
        listener.Start();
        HedgeStrategy hedge = registry.GetOrAddHedge("reads", new HedgeOptions { Delay = TimeSpan.Zero, MaxHedges = 2 });
        var downstream = new Downstream();

        Task<Outcome> call = Run(hedge, downstream, CancellationToken.None);
        await downstream.WaitForAttempts(3);
        downstream.Complete(3, 1);
        await call.WaitAsync(Wait);

        Assert.Equal(2, counts["resilience.hedge.attempts|reads"]);
        Assert.Equal(1, counts["resilience.hedge.wins|reads"]);
    }

    [Theory]
    [InlineData(-2, 1, true, "Delay")]
    [InlineData(100, 0, true, "MaxHedges")]
    [InlineData(100, 11, true, "MaxHedges")]
    [InlineData(-1, 1, false, "OnFailure")]
    public void Invalid_options_are_refused_naming_the_setting(int delayMs, int maxHedges, bool onFailure, string setting)
    {
        var options = new HedgeOptions { Delay = TimeSpan.FromMilliseconds(delayMs), MaxHedges = maxHedges, OnFailure = onFailure };

        var exception = Assert.Throws<ArgumentOutOfRangeException>(() => new HedgeStrategy("h", options, _clock));
        Assert.Equal(setting, exception.ParamName);
    }

    private async Task LoserFailsLate()
    {
        var hedge = new HedgeStrategy("h", new HedgeOptions { Delay = TimeSpan.Zero, MaxHedges = 1 }, _clock);
        var downstream = new Downstream();
        Task<Outcome> call = Run(hedge, downstream, CancellationToken.None);
        await downstream.WaitForAttempts(2);
        downstream.Complete(2, 1);
        await call.WaitAsync(Wait);
        downstream.Fail(1, new InvalidOperationException(LateLoser));
    }

    private static async Task<Outcome> Run(HedgeStrategy hedge, Downstream downstream, CancellationToken token)
    {
        HedgeScope scope = hedge.Start(token);
        try
        {
            ValueTask<int> first = downstream.Attempt(scope.Token);
            if (first.IsCompletedSuccessfully)
            {
                return new Outcome(first.Result, null, 1);
            }

            HedgeRace race = scope.Race(first);
            while (await race.NextAsync())
            {
                race.Add(downstream.Attempt(scope.Token));
            }

            return race.Error is null ? new Outcome(race.GetResult<int>(), null, race.Started) : new Outcome(0, race.Error, race.Started);
        }
        finally
        {
            scope.Dispose();
        }
    }

    private sealed record Outcome(int Result, Exception? Error, int Started);

    /// <summary>Attempts that end when the test says so (or fail when their token is cancelled).</summary>
    /// <remarks>
    /// With <c>inlineContinuations</c> an answer's continuations run inside <see cref="Fail"/>/<see cref="Complete"/>,
    /// so the hedge has observed each ending before the test ends the next one (the order of endings is then exact).
    /// </remarks>
    private sealed class Downstream(bool inlineContinuations = false)
    {
        private readonly List<(TaskCompletionSource<int> Answer, CancellationToken Token)> _attempts = [];
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

        public ValueTask<int> Attempt(CancellationToken token)
        {
            var answer = new TaskCompletionSource<int>(inlineContinuations ? TaskCreationOptions.None : TaskCreationOptions.RunContinuationsAsynchronously);
            token.Register(() => answer.TrySetCanceled(token));
            lock (_attempts)
            {
                _attempts.Add((answer, token));
            }

            _started.Release();
            return new ValueTask<int>(answer.Task);
        }

        public async Task WaitForAttempts(int count)
        {
            while (Started < count)
            {
                Assert.True(await _started.WaitAsync(Wait), $"attempt {count} did not start");
            }
        }

        public CancellationToken Token(int attempt)
        {
            lock (_attempts)
            {
                return _attempts[attempt - 1].Token;
            }
        }

        public void Complete(int attempt, int value) => Answer(attempt).TrySetResult(value);

        public void Fail(int attempt, Exception exception) => Answer(attempt).TrySetException(exception);

        private TaskCompletionSource<int> Answer(int attempt)
        {
            lock (_attempts)
            {
                return _attempts[attempt - 1].Answer;
            }
        }
    }
}

[Collection(AllocationCollection.Name)]
public sealed class HedgeAllocationTests
{
    private readonly FakeTimeProvider _clock = new();

    [Fact]
    public void A_call_whose_first_attempt_answers_at_once_allocates_nothing()
    {
        var hedge = new HedgeStrategy("h", new HedgeOptions(), _clock);
        using var caller = new CancellationTokenSource();
        for (int i = 0; i < 100; i++)
        {
            RunSynchronous(hedge, caller.Token);
        }

        long allocated = AllocationProbe.Least(() =>
        {
            for (int i = 0; i < 10_000; i++)
            {
                RunSynchronous(hedge, caller.Token);
            }
        });

        Assert.Equal(0, allocated);
    }

    private static void RunSynchronous(HedgeStrategy hedge, CancellationToken token)
    {
        HedgeScope scope = hedge.Start(token);
        try
        {
            ValueTask<int> first = new(1);
            Assert.True(first.IsCompletedSuccessfully);
        }
        finally
        {
            scope.Dispose();
        }
    }
}
