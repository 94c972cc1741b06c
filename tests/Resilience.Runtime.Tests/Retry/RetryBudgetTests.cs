using Microsoft.Extensions.Time.Testing;

namespace Resilience.Runtime.Tests.Retry;

public sealed class RetryBudgetTests
{
    private readonly FakeTimeProvider _clock = new();

    [Fact]
    public void Retries_are_allowed_up_to_the_ratio_of_the_calls_of_the_window()
    {
        var budget = new RetryBudget("b", new RetryBudgetOptions { Ratio = 0.2, MinRetriesPerSecond = 0 }, _clock);
        for (int i = 0; i < 100; i++)
        {
            budget.RecordCall();
        }

        Assert.Equal(20, CountRetries(budget));
    }

    [Fact]
    public void The_floor_allows_MinRetriesPerSecond_times_the_window_without_any_call()
    {
        var budget = new RetryBudget("b", new RetryBudgetOptions { Ratio = 0.2, MinRetriesPerSecond = 2, Window = TimeSpan.FromSeconds(5) }, _clock);

        Assert.Equal(10, CountRetries(budget));
    }

    [Fact]
    public void Calls_and_retries_leave_the_window_after_its_length()
    {
        var budget = new RetryBudget("b", new RetryBudgetOptions { Ratio = 0.5, MinRetriesPerSecond = 0, Window = TimeSpan.FromSeconds(10) }, _clock);
        for (int i = 0; i < 10; i++)
        {
            budget.RecordCall();
        }

        Assert.Equal(5, CountRetries(budget));
        _clock.Advance(TimeSpan.FromSeconds(9));
        Assert.Equal(0, CountRetries(budget)); // still in the window, and already spent

        _clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(0, CountRetries(budget)); // the calls left with the retries: nothing to spend
        budget.RecordCall();
        budget.RecordCall();
        Assert.Equal(1, CountRetries(budget));
    }

    [Fact]
    public void A_retry_strategy_with_a_budget_stops_retrying_when_the_budget_is_spent_and_counts_the_refusal()
    {
        using var registry = new ResilienceRegistry(_clock);
        registry.GetOrAddRetryBudget("api", new RetryBudgetOptions { Ratio = 0.5, MinRetriesPerSecond = 0 });
        RetryStrategy retry = registry.GetOrAddRetry("r", new RetryOptions { MaxRetries = 3, Budget = "api" });
        var refused = new List<KeyValuePair<string, object?>[]>();
        using var listener = new System.Diagnostics.Metrics.MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter == registry.Telemetry.Meter && instrument.Name == "resilience.retry.budget_exhausted")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, _, tags, _) => refused.Add(tags.ToArray()));
        listener.Start();

        retry.RecordCall();
        retry.RecordCall();
        var failure = new InvalidOperationException();

        Assert.True(retry.ShouldRetry(failure, 1, CancellationToken.None));
        Assert.False(retry.ShouldRetry(failure, 1, CancellationToken.None));
        Assert.False(retry.ShouldRetryResult(1, CancellationToken.None));
        Assert.Equal(2, refused.Count);
        Assert.Contains(new KeyValuePair<string, object?>("resilience.retry.budget", "api"), refused[0]);
        Assert.Contains(new KeyValuePair<string, object?>("resilience.instance", "r"), refused[0]);
    }

    /// <summary>
    /// The proof the issue asks for: a downstream that fails every call for a simulated minute, called 20 times a second
    /// through a retry of MaxRetries 3. Without a budget it receives 4 × calls; with a budget of ratio 0.2 at most
    /// (1 + 0.2) × calls plus the floor (MinRetriesPerSecond × (duration + window), see docs/retry-budget.md).
    /// </summary>
    [Theory]
    [InlineData(0, 1_440)]
    [InlineData(1, 1_500)]
    public async Task A_downstream_failing_for_a_minute_receives_at_most_one_plus_ratio_times_the_calls(int floor, int documented)
    {
        using var registry = new ResilienceRegistry(_clock);
        var options = new RetryBudgetOptions { Ratio = 0.2, MinRetriesPerSecond = floor, Window = TimeSpan.FromSeconds(10) };
        registry.GetOrAddRetryBudget("downstream", options);
        RetryStrategy budgeted = registry.GetOrAddRetry("budgeted", new RetryOptions { MaxRetries = 3, Delay = TimeSpan.Zero, Jitter = 0, Budget = "downstream" });
        RetryStrategy unbudgeted = registry.GetOrAddRetry("unbudgeted", new RetryOptions { MaxRetries = 3, Delay = TimeSpan.Zero, Jitter = 0 });

        (int calls, int received) = await Storm(budgeted);
        (int calls2, int received2) = await Storm(unbudgeted);

        Assert.Equal(1200, calls);
        Assert.Equal(4 * calls2, received2);
        double bound = ((1 + options.Ratio) * calls) + (floor * (60 + options.Window.TotalSeconds));
        Assert.True(received <= bound, $"downstream received {received} for {calls} calls; bound {bound}");
        Assert.True(received > calls, "the budget still allows some retries");
        Assert.Equal(documented, received); // the worked example of docs/retry-budget.md
    }

    [Fact]
    public void Concurrent_calls_are_all_counted_without_a_lock()
    {
        var budget = new RetryBudget("b", new RetryBudgetOptions { Ratio = 1, MinRetriesPerSecond = 0 }, _clock);
        const int PerThread = 20_000;
        Thread[] threads = Enumerable.Range(0, 4).Select(_ => new Thread(() =>
        {
            for (int i = 0; i < PerThread; i++)
            {
                budget.RecordCall();
            }
        })).ToArray();
        foreach (Thread thread in threads)
        {
            thread.Start();
        }

        foreach (Thread thread in threads)
        {
            thread.Join();
        }

        Assert.Equal(4 * PerThread, CountRetries(budget));
    }

    [Theory]
    [InlineData(-0.1, 0, 10_000, "Ratio")]
    [InlineData(1.1, 0, 10_000, "Ratio")]
    [InlineData(0.2, -1, 10_000, "MinRetriesPerSecond")]
    [InlineData(0.2, 0, 99, "Window")]
    public void Invalid_options_are_refused_naming_the_setting(double ratio, int floor, int windowMs, string setting)
    {
        var options = new RetryBudgetOptions { Ratio = ratio, MinRetriesPerSecond = floor, Window = TimeSpan.FromMilliseconds(windowMs) };

        Assert.Equal(setting, Assert.Throws<ArgumentOutOfRangeException>(() => new RetryBudget("b", options, _clock)).ParamName);
    }

    [Fact]
    public void A_blank_budget_name_is_refused()
    {
        Assert.Throws<ArgumentException>(() => new RetryOptions { Budget = " " }.Validate());
    }

    private static int CountRetries(RetryBudget budget)
    {
        int allowed = 0;
        while (allowed < 1_000_000 && budget.TryRetry())
        {
            allowed++;
        }

        return allowed;
    }

    /// <summary>20 calls a second for 60 simulated seconds, each retried as generated code does; every attempt fails.</summary>
    private async Task<(int Calls, int Received)> Storm(RetryStrategy retry)
    {
        int calls = 0;
        int received = 0;
        for (int second = 0; second < 60; second++)
        {
            for (int i = 0; i < 20; i++)
            {
                calls++;
                retry.RecordCall();
                for (int attempt = 1; ; attempt++)
                {
                    received++;
                    var failure = new HttpRequestException("503");
                    if (!retry.ShouldRetry(failure, attempt, CancellationToken.None))
                    {
                        break;
                    }

                    await retry.DelayAsync(attempt, CancellationToken.None);
                }

                _clock.Advance(TimeSpan.FromMilliseconds(50));
            }
        }

        return (calls, received);
    }
}

[Collection(AllocationCollection.Name)]
public sealed class RetryBudgetAllocationTests
{
    private readonly FakeTimeProvider _clock = new();

    [Fact]
    public void Counting_a_call_allocates_nothing_within_a_bucket()
    {
        var budget = new RetryBudget("b", new RetryBudgetOptions(), _clock);
        budget.RecordCall();
        long allocated = AllocationProbe.Least(() =>
        {
            for (int i = 0; i < 10_000; i++)
            {
                budget.RecordCall();
            }
        });

        Assert.Equal(0, allocated);
    }
}
