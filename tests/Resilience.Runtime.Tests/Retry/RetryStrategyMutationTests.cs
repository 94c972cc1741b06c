using Microsoft.Extensions.Time.Testing;

namespace Resilience.Runtime.Tests.Retry;

/// <summary>
/// <see cref="RetryStrategy"/> and <see cref="RetryBudget"/> scenarios no other test reached, written for the edits that
/// survived mutation testing (docs/testing.md): the outcome-aware delay's clamping (negative, 60 days, the extremes), a zero
/// delay with an already cancelled token, the reload errors, the budget's window read on a clock of another frequency,
/// and a budget reload that changes the window (the counts start over) or keeps it (they stay).
/// </summary>
public sealed class RetryStrategyMutationTests
{
    private readonly FakeTimeProvider _clock = new();

    public static TheoryData<double, double> OutcomeDelays() => new()
    {
        { -5, 0 },
        { 0, 0 },
        { 250, 250 },
        { int.MaxValue, int.MaxValue },
        { 60.0 * 24 * 3600 * 1000, int.MaxValue }, // 60 days
    };

    [Theory]
    [MemberData(nameof(OutcomeDelays))]
    public void The_outcome_aware_delay_is_clamped_to_zero_and_the_longest_delay(double policyMs, double expectedMs)
    {
        var policy = new OutcomePolicy(TimeSpan.FromMilliseconds(policyMs));
        RetryStrategy retry = Strategy(policy);

        Assert.Equal(TimeSpan.FromMilliseconds(expectedMs), retry.GetDelay(1, new RetryOutcome<int>(503)));
        Assert.Equal(TimeSpan.FromMilliseconds(expectedMs), retry.GetDelay(1, new RetryOutcome<object>(new IOException())));
        Assert.Equal(2, policy.OutcomeAsked);
    }

    [Fact]
    public void Extreme_outcome_aware_delays_are_clamped()
    {
        Assert.Equal(TimeSpan.Zero, Strategy(new OutcomePolicy(TimeSpan.MinValue)).GetDelay(1, new RetryOutcome<int>(1)));
        Assert.Equal(TimeSpan.FromTicks(1), Strategy(new OutcomePolicy(TimeSpan.FromTicks(1))).GetDelay(1, new RetryOutcome<int>(1)));
        Assert.Equal(RetryStrategy.LongestDelay, Strategy(new OutcomePolicy(TimeSpan.MaxValue)).GetDelay(1, new RetryOutcome<int>(1)));
        Assert.Equal(RetryStrategy.LongestDelay - TimeSpan.FromTicks(1), Strategy(new OutcomePolicy(RetryStrategy.LongestDelay - TimeSpan.FromTicks(1))).GetDelay(1, new RetryOutcome<int>(1)));
    }

    [Fact]
    public void The_outcome_aware_delay_sees_the_outcome_and_the_attempt()
    {
        var policy = new OutcomePolicy(TimeSpan.Zero) { PerAttempt = TimeSpan.FromMilliseconds(100) };
        RetryStrategy retry = Strategy(policy);

        Assert.Equal(TimeSpan.FromMilliseconds(300), retry.GetDelay(3, new RetryOutcome<int>(7)));
        Assert.Equal(7, policy.LastResult);
    }

    [Fact]
    public async Task A_zero_delay_with_an_already_cancelled_token_is_cancelled_not_completed()
    {
        RetryStrategy retry = new("r", new RetryOptions { Delay = TimeSpan.Zero, Jitter = 0 }, _clock);
        using var cts = new CancellationTokenSource();
        cts.Cancel();

        ValueTask wait = retry.DelayAsync(1, cts.Token);

        Assert.True(wait.IsCanceled);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => wait.AsTask());
        Assert.ThrowsAny<OperationCanceledException>(() => retry.Delay(1, cts.Token));
    }

    [Fact]
    public void The_synchronous_delay_of_zero_returns_at_once()
    {
        RetryStrategy retry = new("r", new RetryOptions { Delay = TimeSpan.Zero, Jitter = 0 }, _clock);

        retry.Delay(1, CancellationToken.None); // no clock advance: returns at once
        Assert.True(retry.DelayAsync(2, CancellationToken.None).IsCompletedSuccessfully);
    }

    [Fact]
    public void A_null_exception_is_refused()
    {
        RetryStrategy retry = Strategy(new AlwaysRetryPolicy());

        Assert.Throws<ArgumentNullException>(() => retry.ShouldRetry(null!, 1, CancellationToken.None));
    }

    [Fact]
    public void Options_with_a_custom_policy_are_still_validated()
    {
        var options = new RetryOptions { MaxRetries = -1, Policy = new AlwaysRetryPolicy() };

        Assert.Equal("MaxRetries", Assert.Throws<ArgumentOutOfRangeException>(() => new RetryStrategy("r", options, _clock)).ParamName);
    }

    [Fact]
    public void A_reload_says_whether_it_tried_to_add_or_to_remove_the_attempt_timeout()
    {
        RetryStrategy plain = new("plain", new RetryOptions { Jitter = 0 }, _clock);
        RetryStrategy timed = new("timed", new RetryOptions { Jitter = 0, AttemptTimeout = TimeSpan.FromSeconds(1) }, _clock);

        var added = Assert.Throws<ArgumentOutOfRangeException>(() => plain.Reconfigure(new RetryOptions { AttemptTimeout = TimeSpan.FromSeconds(1) }));
        var removed = Assert.Throws<ArgumentOutOfRangeException>(() => timed.Reconfigure(new RetryOptions { AttemptTimeout = TimeSpan.Zero }));

        Assert.Equal("AttemptTimeout", added.ParamName);
        Assert.Contains("can't be added", added.Message, StringComparison.Ordinal);
        Assert.Contains("AttemptTimeoutMs", added.Message, StringComparison.Ordinal);
        Assert.Contains("can't be removed", removed.Message, StringComparison.Ordinal);
        Assert.Null(plain.AttemptTimeout);
        Assert.Equal(TimeSpan.FromSeconds(1), timed.AttemptTimeout!.Timeout);
        Assert.Throws<ArgumentNullException>(() => plain.Reconfigure(null!));
    }

    [Fact]
    public void A_reload_changes_the_attempt_timeout_and_the_retry_settings_together()
    {
        RetryStrategy timed = new("timed", new RetryOptions { MaxRetries = 2, Jitter = 0, AttemptTimeout = TimeSpan.FromSeconds(1) }, _clock);

        timed.Reconfigure(new RetryOptions { MaxRetries = 5, Jitter = 0, AttemptTimeout = TimeSpan.FromSeconds(3) });

        Assert.Equal(5, timed.MaxRetries);
        Assert.Equal(TimeSpan.FromSeconds(3), timed.AttemptTimeout!.Timeout);
    }

    [Fact]
    public void A_budget_refuses_a_blank_name_and_missing_options()
    {
        Assert.Throws<ArgumentNullException>(() => new RetryBudget(null!, new RetryBudgetOptions(), _clock));
        Assert.Throws<ArgumentException>(() => new RetryBudget(" ", new RetryBudgetOptions(), _clock));
        Assert.Throws<ArgumentNullException>(() => new RetryBudget("b", null!, _clock));
    }

    [Fact]
    public void The_window_read_counts_calls_and_retries_until_they_leave_it()
    {
        var budget = new RetryBudget("b", new RetryBudgetOptions { Ratio = 1, MinRetriesPerSecond = 0, Window = TimeSpan.FromSeconds(10) }, _clock);
        for (int i = 0; i < 3; i++)
        {
            budget.RecordCall();
        }

        Assert.True(budget.TryRetry());
        budget.ReadWindow(out long calls, out long retries);
        Assert.Equal((3, 1), (calls, retries));

        _clock.Advance(TimeSpan.FromSeconds(9));
        budget.RecordCall();
        budget.ReadWindow(out calls, out retries);
        Assert.Equal((4, 1), (calls, retries));

        _clock.Advance(TimeSpan.FromSeconds(1)); // the first bucket is ten buckets old: out, without any new count
        budget.ReadWindow(out calls, out retries);
        Assert.Equal((1, 0), (calls, retries));
    }

    [Theory]
    [InlineData(1_000)]
    [InlineData(1_193_182)]
    [InlineData(1_000_000_000)]
    public void On_a_clock_of_another_frequency_the_window_is_as_long_as_configured(long frequency)
    {
        var clock = new OddFrequencyTimeProvider(frequency);
        var budget = new RetryBudget("b", new RetryBudgetOptions { Ratio = 1, MinRetriesPerSecond = 0, Window = TimeSpan.FromSeconds(10) }, clock);
        budget.RecordCall();

        // Counted in tenths of the window: a call stays at least nine tenths of it and never more than all of it.
        clock.AdvanceTo(TimeSpan.FromSeconds(9));
        budget.ReadWindow(out long calls, out _);
        Assert.Equal(1, calls);

        clock.AdvanceTo(TimeSpan.FromSeconds(10));
        budget.ReadWindow(out calls, out _);
        Assert.Equal(0, calls);
        Assert.False(budget.TryRetry());
    }

    [Fact]
    public void A_reload_with_the_same_window_keeps_the_counts_and_applies_the_new_ratio()
    {
        var budget = new RetryBudget("b", new RetryBudgetOptions { Ratio = 0.5, MinRetriesPerSecond = 0, Window = TimeSpan.FromSeconds(10) }, _clock);
        for (int i = 0; i < 10; i++)
        {
            budget.RecordCall();
        }

        Assert.True(budget.TryRetry());
        budget.Reconfigure(new RetryBudgetOptions { Ratio = 0.3, MinRetriesPerSecond = 0, Window = TimeSpan.FromSeconds(10) });

        budget.ReadWindow(out long calls, out long retries);
        Assert.Equal((10, 1), (calls, retries));
        Assert.True(budget.TryRetry());
        Assert.True(budget.TryRetry());
        Assert.False(budget.TryRetry()); // 3 of 0.3 × 10
        Assert.Equal(0.3, budget.Options.Ratio);
    }

    [Fact]
    public void A_reload_with_another_window_starts_counting_over()
    {
        var budget = new RetryBudget("b", new RetryBudgetOptions { Ratio = 0.5, MinRetriesPerSecond = 0, Window = TimeSpan.FromSeconds(10) }, _clock);
        for (int i = 0; i < 10; i++)
        {
            budget.RecordCall();
        }

        Assert.True(budget.TryRetry());
        budget.Reconfigure(new RetryBudgetOptions { Ratio = 0.5, MinRetriesPerSecond = 0, Window = TimeSpan.FromSeconds(20) });

        budget.ReadWindow(out long calls, out long retries);
        Assert.Equal((0, 0), (calls, retries));
        Assert.False(budget.TryRetry());
    }

    [Fact]
    public void An_invalid_budget_reload_is_refused_and_changes_nothing()
    {
        var budget = new RetryBudget("b", new RetryBudgetOptions { Ratio = 0.5, MinRetriesPerSecond = 0, Window = TimeSpan.FromSeconds(10) }, _clock);
        budget.RecordCall();
        budget.RecordCall();

        Assert.Equal("Window", Assert.Throws<ArgumentOutOfRangeException>(() => budget.Reconfigure(new RetryBudgetOptions { Window = TimeSpan.FromMilliseconds(50) })).ParamName);
        Assert.Equal("Ratio", Assert.Throws<ArgumentOutOfRangeException>(() => budget.Reconfigure(new RetryBudgetOptions { Ratio = 2, Window = TimeSpan.FromSeconds(10) })).ParamName);

        Assert.Equal(new RetryBudgetOptions { Ratio = 0.5, MinRetriesPerSecond = 0, Window = TimeSpan.FromSeconds(10) }, budget.Options);
        budget.ReadWindow(out long calls, out _);
        Assert.Equal(2, calls);
    }

    private RetryStrategy Strategy(IRetryPolicy policy) =>
        new("test.retry", new RetryOptions { MaxRetries = 3, Jitter = 0, Policy = policy }, _clock);

    /// <summary>A custom policy whose outcome-aware delay is given (plus <see cref="PerAttempt"/> × attempt).</summary>
    private sealed class OutcomePolicy(TimeSpan delay) : IRetryPolicy
    {
        public TimeSpan PerAttempt { get; init; }

        public int OutcomeAsked { get; private set; }

        public object? LastResult { get; private set; }

        public bool ShouldRetry(Exception exception, int attempt) => true;

        public TimeSpan GetDelay(int attempt) => TimeSpan.FromHours(1); // never what the outcome-aware overload returns

        public TimeSpan GetDelay<TResult>(int attempt, in RetryOutcome<TResult> outcome)
        {
            OutcomeAsked++;
            LastResult = outcome.Result;
            return delay + (PerAttempt * attempt);
        }
    }
}
