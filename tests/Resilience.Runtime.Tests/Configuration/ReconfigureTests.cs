using Microsoft.Extensions.Time.Testing;

namespace Resilience.Runtime.Tests.Configuration;

using Bulkhead = global::Resilience.Bulkhead;
using CircuitBreaker = global::Resilience.CircuitBreaker;

/// <summary>Reconfiguring a live instance (what a configuration reload does) affects new calls only and keeps its state.</summary>
[Collection(StressCollection.Name)]
public sealed class ReconfigureTests
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public void An_open_breaker_ends_its_break_by_the_new_break_duration()
    {
        var breaker = new CircuitBreaker("b", new CircuitBreakerOptions { FailureThreshold = 1, BreakDuration = TimeSpan.FromMinutes(10) }, _time);
        breaker.Acquire().RecordFailure();

        breaker.Reconfigure(new CircuitBreakerOptions { FailureThreshold = 1, BreakDuration = TimeSpan.FromSeconds(5) });

        Assert.Equal(CircuitState.Open, breaker.State);
        _time.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(CircuitState.HalfOpen, breaker.State);
    }

    [Fact]
    public void Counts_are_kept_unless_the_sampling_duration_changes()
    {
        var breaker = new CircuitBreaker("b", new CircuitBreakerOptions { FailureThreshold = 3 }, _time);
        breaker.Acquire().RecordFailure();
        breaker.Acquire().RecordFailure();

        breaker.Reconfigure(new CircuitBreakerOptions { FailureThreshold = 3, HalfOpenMaxCalls = 2 });
        Assert.Equal(2, breaker.Counts.ConsecutiveFailures);

        breaker.Reconfigure(new CircuitBreakerOptions { FailureThreshold = 3, SamplingDuration = TimeSpan.FromMinutes(1) });
        Assert.Equal(0, breaker.Counts.ConsecutiveFailures);
    }

    [Fact]
    public void Handle_changes_apply_to_the_next_outcome_and_invalid_settings_are_refused()
    {
        var breaker = new CircuitBreaker("b", new CircuitBreakerOptions { FailureThreshold = 1 }, _time);
        breaker.Reconfigure(new CircuitBreakerOptions { FailureThreshold = 1, Handle = [typeof(TimeoutException)] });
        Assert.False(breaker.ShouldHandle(new InvalidOperationException()));

        Assert.Throws<ArgumentOutOfRangeException>(() => breaker.Reconfigure(new CircuitBreakerOptions { FailureThreshold = 0 }));
        breaker.Acquire().RecordException(new TimeoutException(), CancellationToken.None);
        Assert.Equal(CircuitState.Open, breaker.State);
    }

    [Fact]
    public void A_keyed_breaker_applies_a_smaller_MaxKeys_from_the_next_new_key()
    {
        using var keyed = new KeyedCircuitBreaker<int>("k", new CircuitBreakerOptions { MaxKeys = 100 }, _time);
        for (int i = 0; i < 100; i++)
        {
            keyed.Acquire(i).RecordSuccess();
        }

        keyed.Reconfigure(new CircuitBreakerOptions { MaxKeys = 10 });
        Assert.Equal(100, keyed.KeyCount);
        keyed.Acquire(1_000).RecordSuccess();
        Assert.True(keyed.KeyCount <= 10, $"KeyCount is {keyed.KeyCount}");
    }

    [Fact]
    public void A_keyed_breaker_sweeps_by_the_new_idle_timeout()
    {
        using var keyed = new KeyedCircuitBreaker<int>("k", new CircuitBreakerOptions { KeyIdleTimeout = TimeSpan.FromHours(1) }, _time);
        keyed.Acquire(1).RecordSuccess();

        keyed.Reconfigure(new CircuitBreakerOptions { KeyIdleTimeout = TimeSpan.FromSeconds(10) });
        _time.Advance(TimeSpan.FromSeconds(10));

        Assert.Equal(0, keyed.KeyCount);
    }

    [Fact]
    public async Task A_bulkhead_with_fewer_slots_lets_running_calls_finish_and_admits_by_the_new_limit()
    {
        var bulkhead = new Bulkhead("b", new BulkheadOptions { MaxConcurrency = 3, MaxQueue = 1 });
        Assert.True(bulkhead.TryEnter());
        Assert.True(bulkhead.TryEnter());
        Assert.True(bulkhead.TryEnter());

        bulkhead.Reconfigure(new BulkheadOptions { MaxConcurrency = 1, MaxQueue = 1 });
        ValueTask waiting = bulkhead.EnterAsync(CancellationToken.None);
        await Assert.ThrowsAsync<BulkheadRejectedException>(() => bulkhead.EnterAsync(CancellationToken.None).AsTask());

        bulkhead.Release();
        bulkhead.Release();
        Assert.False(waiting.IsCompleted); // one still running: the new limit is reached
        bulkhead.Release();
        await waiting;
        Assert.Equal(1, bulkhead.RunningCount);
    }

    [Fact]
    public async Task Bulkhead_limits_changing_under_concurrent_calls_are_never_exceeded_and_lose_no_slot()
    {
        var bulkhead = new Bulkhead("b", new BulkheadOptions { MaxConcurrency = 4, MaxQueue = 1_000 });
        int running = 0;
        int violations = 0;
        using var stop = new CancellationTokenSource();
        Task[] callers = new Task[4];
        for (int t = 0; t < callers.Length; t++)
        {
            callers[t] = Task.Run(async () =>
            {
                for (int i = 0; i < 5_000; i++)
                {
                    await bulkhead.EnterAsync(CancellationToken.None);
                    int now = Interlocked.Increment(ref running);
                    if (now > 4)
                    {
                        Interlocked.Increment(ref violations); // 4 is the largest limit ever set
                    }

                    Interlocked.Decrement(ref running);
                    bulkhead.Release();
                }
            });
        }

        Task changer = Task.Run(() =>
        {
            int step = 0;
            while (!stop.IsCancellationRequested)
            {
                bulkhead.Reconfigure(new BulkheadOptions { MaxConcurrency = 1 + (step++ % 4), MaxQueue = 1_000 });
            }
        });

        // A stall (a slot lost or a waiter never woken) ends the test with a TimeoutException.
        await Task.WhenAll(callers).WaitAsync(TimeSpan.FromSeconds(20));
        stop.Cancel();
        await changer;

        Assert.Equal(0, violations);
        Assert.Equal(0, bulkhead.RunningCount);
        Assert.Equal(0, bulkhead.QueuedCount);
    }

    [Fact]
    public async Task Breaker_settings_changing_under_concurrent_calls_keep_leases_and_state_consistent()
    {
        using var keyed = new KeyedCircuitBreaker<int>("k", new CircuitBreakerOptions { FailureThreshold = 1_000_000, KeyIdleTimeout = TimeSpan.FromSeconds(1) }, _time);
        using var stop = new CancellationTokenSource();
        int granted = 0;
        Task[] callers = new Task[4];
        for (int t = 0; t < callers.Length; t++)
        {
            int seed = t;
            callers[t] = Task.Run(() =>
            {
                for (int i = 0; i < 20_000; i++)
                {
                    if (keyed.TryAcquire((seed + i) % 8, out CircuitBreakerLease lease))
                    {
                        Interlocked.Increment(ref granted);
                        lease.RecordSuccess();
                    }
                }
            });
        }

        Task changer = Task.Run(() =>
        {
            int step = 0;
            while (!stop.IsCancellationRequested)
            {
                keyed.Reconfigure(new CircuitBreakerOptions
                {
                    FailureThreshold = 1_000_000 - (step % 2),
                    SamplingDuration = TimeSpan.FromSeconds(10 + (step % 3)),
                    KeyIdleTimeout = TimeSpan.FromSeconds(1),
                });
                step++;
            }
        });

        await Task.WhenAll(callers).WaitAsync(TimeSpan.FromSeconds(20));
        stop.Cancel();
        await changer;

        Assert.Equal(4 * 20_000, granted); // only successes: every key stays closed
        _time.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(0, keyed.KeyCount);   // closed with no lease left over: all swept
    }
}
