using Microsoft.Extensions.Time.Testing;

namespace Resilience.Runtime.Tests.Hedging;

/// <summary>
/// Hedging scenarios no other test reached, written for the edits that survived mutation testing (docs/testing.md):
/// attempts that ignore their token while the caller cancels, a caller that cancels after its call has ended, the pooled
/// source serving the next call (and a cancelled one never doing so), a marked result kept over a later exception, and
/// the exact instants of the hedging delay after an answer or a failure.
/// </summary>
public sealed class HedgeMutationTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);
    private readonly FakeTimeProvider _clock = new();

    [Fact]
    public async Task A_caller_that_cancels_ends_the_call_at_once_even_when_the_attempts_ignore_their_token()
    {
        var hedge = new HedgeStrategy("h", new HedgeOptions { Delay = TimeSpan.FromSeconds(1), MaxHedges = 1 }, _clock);
        var downstream = new Downstream(observeToken: false);
        using var caller = new CancellationTokenSource();

        Task<Outcome> call = Run(hedge, downstream, caller.Token);
        await downstream.WaitForAttempts(1);
        caller.Cancel(); // no time passes; the attempt never answers

        Outcome outcome = await call.WaitAsync(Wait);
        var canceled = Assert.IsAssignableFrom<OperationCanceledException>(outcome.Error);
        Assert.Equal(1, outcome.Started); // no hedge after the caller gave up
        Assert.True(canceled.CancellationToken.IsCancellationRequested);
        _clock.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(1, downstream.Started);
    }

    [Fact]
    public async Task A_caller_that_cancels_between_two_attempts_gets_no_further_attempt()
    {
        var hedge = new HedgeStrategy("h", new HedgeOptions { Delay = TimeSpan.FromSeconds(1), MaxHedges = 3 }, _clock);
        var downstream = new Downstream(observeToken: false);
        using var caller = new CancellationTokenSource();

        Task<Outcome> call = Run(hedge, downstream, caller.Token);
        await downstream.WaitForAttempts(1);
        _clock.Advance(TimeSpan.FromSeconds(1));
        await downstream.WaitForAttempts(2);
        caller.Cancel();
        _clock.Advance(TimeSpan.FromSeconds(1)); // the next hedge would be due now

        Outcome outcome = await call.WaitAsync(Wait);
        Assert.IsAssignableFrom<OperationCanceledException>(outcome.Error);
        Assert.Equal(2, outcome.Started);
        Assert.Equal(2, downstream.Started);
    }

    [Fact]
    public void An_already_cancelled_caller_gets_its_own_cancelled_token_and_the_scope_disposes_cleanly()
    {
        var hedge = new HedgeStrategy("h", new HedgeOptions(), _clock);
        using var caller = new CancellationTokenSource();
        caller.Cancel();

        HedgeScope scope = hedge.Start(caller.Token);
        Assert.Equal(caller.Token, scope.Token);
        scope.Dispose();
        scope.Dispose(); // a second Dispose does nothing either

        HedgeScope next = hedge.Start(CancellationToken.None);
        Assert.False(next.Token.IsCancellationRequested);
        next.Dispose();
    }

    [Fact]
    public async Task A_caller_that_cancels_after_its_call_ended_does_not_cancel_a_later_call()
    {
        var hedge = new HedgeStrategy("h", new HedgeOptions { Delay = TimeSpan.FromSeconds(1), MaxHedges = 1 }, _clock);
        var downstream = new Downstream();
        using var first = new CancellationTokenSource();

        Task<Outcome> call = Run(hedge, downstream, first.Token);
        await downstream.WaitForAttempts(1);
        downstream.Complete(1, 1);
        Assert.Equal(1, (await call.WaitAsync(Wait)).Result);

        first.Cancel(); // the call is over: its scope unlinked this token
        HedgeScope later = hedge.Start(CancellationToken.None);
        try
        {
            Assert.False(later.Token.IsCancellationRequested);
        }
        finally
        {
            later.Dispose();
        }
    }

    [Fact]
    public async Task The_source_of_a_call_that_ended_without_losers_serves_the_next_call()
    {
        var hedge = new HedgeStrategy("h", new HedgeOptions { Delay = TimeSpan.FromSeconds(1), MaxHedges = 1 }, _clock);
        var downstream = new Downstream();

        HedgeScope scope = hedge.Start(CancellationToken.None);
        CancellationToken used = scope.Token;
        HedgeRace race = scope.Race(downstream.Attempt(scope.Token));
        Task<bool> next = race.NextAsync().AsTask();
        downstream.Complete(1, 3);
        Assert.False(await next.WaitAsync(Wait));
        Assert.Null(race.Error);
        Assert.Equal(3, race.GetResult<int>());
        scope.Dispose();

        Assert.False(used.IsCancellationRequested); // nothing was left running: nothing cancelled
        HedgeScope again = hedge.Start(CancellationToken.None);
        Assert.Equal(used, again.Token); // pooled, not a new source
        again.Dispose();
    }

    [Fact]
    public async Task A_source_cancelled_for_losers_is_never_handed_to_a_later_call()
    {
        var hedge = new HedgeStrategy("h", new HedgeOptions { Delay = TimeSpan.Zero, MaxHedges = 1 }, _clock);
        var downstream = new Downstream();

        Task<Outcome> call = Run(hedge, downstream, CancellationToken.None);
        await downstream.WaitForAttempts(2);
        downstream.Complete(2, 2);
        Assert.Equal(2, (await call.WaitAsync(Wait)).Result);
        Assert.True(downstream.Token(1).IsCancellationRequested);

        for (int i = 0; i < 100; i++)
        {
            HedgeScope scope = hedge.Start(CancellationToken.None);
            Assert.False(scope.Token.IsCancellationRequested);
            scope.Dispose();
        }
    }

    [Fact]
    public async Task A_result_marked_as_a_failure_is_kept_over_a_later_exception()
    {
        var hedge = new HedgeStrategy("h", new HedgeOptions { Delay = TimeSpan.Zero, MaxHedges = 2 }, _clock);
        var downstream = new Downstream(inlineContinuations: true);

        Task<Outcome> call = Run(hedge, downstream, CancellationToken.None);
        await downstream.WaitForAttempts(3);
        downstream.Fail(1, new InvalidOperationException("1"));
        var marked = new HandledResultException<int>(503);
        downstream.Fail(2, marked);
        downstream.Fail(3, new TimeoutException("3"));

        Outcome outcome = await call.WaitAsync(Wait);
        Assert.Same(marked, outcome.Error);
    }

    [Fact]
    public async Task A_later_marked_result_replaces_an_earlier_one()
    {
        var hedge = new HedgeStrategy("h", new HedgeOptions { Delay = TimeSpan.Zero, MaxHedges = 1 }, _clock);
        var downstream = new Downstream(inlineContinuations: true);

        Task<Outcome> call = Run(hedge, downstream, CancellationToken.None);
        await downstream.WaitForAttempts(2);
        downstream.Fail(1, new HandledResultException<int>(500));
        var last = new HandledResultException<int>(503);
        downstream.Fail(2, last);

        Outcome outcome = await call.WaitAsync(Wait);
        Assert.Same(last, outcome.Error);
    }

    [Fact]
    public async Task Without_OnFailure_a_failed_attempt_waits_for_the_delay_before_the_next()
    {
        var hedge = new HedgeStrategy("h", new HedgeOptions { Delay = TimeSpan.FromSeconds(2), MaxHedges = 2, OnFailure = false }, _clock);
        var downstream = new Downstream();

        Task<Outcome> call = Run(hedge, downstream, CancellationToken.None);
        await downstream.WaitForAttempts(1);
        _clock.Advance(TimeSpan.FromSeconds(2));
        await downstream.WaitForAttempts(2);
        downstream.Fail(1, new InvalidOperationException("1")); // attempt 2 still runs: no hedge for the failure

        _clock.Advance(TimeSpan.FromMilliseconds(1999));
        Assert.Equal(2, downstream.Started);
        _clock.Advance(TimeSpan.FromMilliseconds(1));
        await downstream.WaitForAttempts(3);
        downstream.Complete(3, 3);

        Assert.Equal(3, (await call.WaitAsync(Wait)).Result);
    }

    [Fact]
    public async Task Each_hedge_waits_the_full_delay_after_the_previous_attempt_started()
    {
        var hedge = new HedgeStrategy("h", new HedgeOptions { Delay = TimeSpan.FromSeconds(2), MaxHedges = 2, OnFailure = true }, _clock);
        var downstream = new Downstream();

        Task<Outcome> call = Run(hedge, downstream, CancellationToken.None);
        await downstream.WaitForAttempts(1);
        _clock.Advance(TimeSpan.FromMilliseconds(500));
        downstream.Fail(1, new InvalidOperationException("1")); // at 0.5 s: attempt 2 at once
        await downstream.WaitForAttempts(2);

        _clock.Advance(TimeSpan.FromMilliseconds(1999)); // 2.499 s
        Assert.Equal(2, downstream.Started);
        _clock.Advance(TimeSpan.FromMilliseconds(1)); // 2 s after attempt 2 started
        await downstream.WaitForAttempts(3);
        downstream.Complete(2, 2);

        Outcome outcome = await call.WaitAsync(Wait);
        Assert.Equal(2, outcome.Result);
        Assert.Equal(3, outcome.Started);
    }

    [Fact]
    public async Task Once_every_hedge_has_started_a_failure_waits_for_the_others_instead_of_starting_more()
    {
        var hedge = new HedgeStrategy("h", new HedgeOptions { Delay = TimeSpan.Zero, MaxHedges = 1, OnFailure = true }, _clock);
        var downstream = new Downstream(inlineContinuations: true);

        Task<Outcome> call = Run(hedge, downstream, CancellationToken.None);
        await downstream.WaitForAttempts(2);
        downstream.Fail(1, new InvalidOperationException("1"));
        Assert.False(call.IsCompleted);
        downstream.Complete(2, 8);

        Outcome outcome = await call.WaitAsync(Wait);
        Assert.Equal(8, outcome.Result);
        Assert.Equal(2, downstream.Started);
    }

    [Fact]
    public async Task A_call_without_a_result_is_raced_too()
    {
        var hedge = new HedgeStrategy("h", new HedgeOptions { Delay = TimeSpan.FromSeconds(1), MaxHedges = 1 }, _clock);
        var first = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var second = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        HedgeScope scope = hedge.Start(CancellationToken.None);
        try
        {
            HedgeRace race = scope.Race(new ValueTask(first.Task));
            Task<bool> next = race.NextAsync().AsTask();
            _clock.Advance(TimeSpan.FromSeconds(1));
            Assert.True(await next.WaitAsync(Wait));
            race.Add(new ValueTask(second.Task));
            Task<bool> end = race.NextAsync().AsTask();
            second.SetResult();

            Assert.False(await end.WaitAsync(Wait));
            Assert.Null(race.Error);
            Assert.Equal(2, race.Started);
            Assert.True(scope.Token.IsCancellationRequested); // the first is still running: cancelled
        }
        finally
        {
            scope.Dispose();
        }
    }

    [Fact]
    public void Options_are_a_copy_both_ways()
    {
        var given = new HedgeOptions { Delay = TimeSpan.FromMilliseconds(300), MaxHedges = 4, OnFailure = false };
        var hedge = new HedgeStrategy("h", given, _clock);
        given.MaxHedges = 9;

        HedgeOptions read = hedge.Options;
        Assert.Equal(new HedgeOptions { Delay = TimeSpan.FromMilliseconds(300), MaxHedges = 4, OnFailure = false }, read);
        read.Delay = TimeSpan.Zero;
        Assert.Equal(TimeSpan.FromMilliseconds(300), hedge.Options.Delay);
        Assert.Equal("h", hedge.Name);
    }

    [Fact]
    public void Constructor_checks_its_arguments()
    {
        Assert.Throws<ArgumentNullException>(() => new HedgeStrategy(null!, new HedgeOptions()));
        Assert.Throws<ArgumentException>(() => new HedgeStrategy("", new HedgeOptions()));
        Assert.Throws<ArgumentNullException>(() => new HedgeStrategy("h", null!));
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

    /// <summary>Attempts that end when the test says so; with <c>observeToken</c> false they ignore their token.</summary>
    private sealed class Downstream(bool inlineContinuations = false, bool observeToken = true)
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
            if (observeToken)
            {
                token.Register(() => answer.TrySetCanceled(token));
            }

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
