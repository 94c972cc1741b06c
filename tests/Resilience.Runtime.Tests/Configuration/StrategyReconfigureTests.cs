using Microsoft.Extensions.Time.Testing;

namespace Resilience.Runtime.Tests.Configuration;

/// <summary>Reconfiguring retries, timeouts, rate limits and cache fallbacks: new calls see the new settings, running ones keep theirs.</summary>
[Collection(StressCollection.Name)]
public sealed class StrategyReconfigureTests
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public void Retry_decisions_and_delays_follow_the_new_settings()
    {
        var retry = new RetryStrategy("r", new RetryOptions { MaxRetries = 1, Delay = TimeSpan.FromSeconds(1), Backoff = BackoffType.Constant, Jitter = 0 }, _time);
        var failure = new InvalidOperationException();
        Assert.False(retry.ShouldRetry(failure, 2, CancellationToken.None));

        retry.Reconfigure(new RetryOptions { MaxRetries = 3, Delay = TimeSpan.FromSeconds(4), Backoff = BackoffType.Linear, Jitter = 0 });

        Assert.Equal(3, retry.MaxRetries);
        Assert.True(retry.ShouldRetry(failure, 3, CancellationToken.None));
        Assert.False(retry.ShouldRetry(failure, 4, CancellationToken.None));
        Assert.True(retry.ShouldRetryResult(3, CancellationToken.None));
        Assert.Equal(TimeSpan.FromSeconds(8), retry.Policy.GetDelay(2)); // linear, 4 s base
    }

    [Fact]
    public void A_delay_already_waited_keeps_its_length()
    {
        var retry = new RetryStrategy("r", new RetryOptions { Delay = TimeSpan.FromSeconds(10), Backoff = BackoffType.Constant, Jitter = 0 }, _time);
        ValueTask waiting = retry.DelayAsync(1, CancellationToken.None);

        retry.Reconfigure(new RetryOptions { Delay = TimeSpan.FromSeconds(1), Backoff = BackoffType.Constant, Jitter = 0 });
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.False(waiting.IsCompleted);
        Assert.True(retry.DelayAsync(1, CancellationToken.None).IsCompleted is false);
        _time.Advance(TimeSpan.FromSeconds(9));
        Assert.True(waiting.IsCompleted);
    }

    [Fact]
    public void Invalid_retry_settings_change_nothing()
    {
        var retry = new RetryStrategy("r", new RetryOptions { MaxRetries = 2, AttemptTimeout = TimeSpan.FromSeconds(1) }, _time);
        TimeoutStrategy attempt = retry.AttemptTimeout!;

        Assert.Throws<ArgumentOutOfRangeException>(() => retry.Reconfigure(new RetryOptions { MaxRetries = -1, AttemptTimeout = TimeSpan.FromSeconds(1) }));
        var removed = Assert.Throws<ArgumentOutOfRangeException>(() => retry.Reconfigure(new RetryOptions { MaxRetries = 5 }));
        Assert.Contains("can't be removed", removed.Message, StringComparison.Ordinal);
        Assert.Equal(2, retry.MaxRetries);

        retry.Reconfigure(new RetryOptions { MaxRetries = 5, AttemptTimeout = TimeSpan.FromSeconds(3) });
        Assert.Same(attempt, retry.AttemptTimeout);
        Assert.Equal(TimeSpan.FromSeconds(3), attempt.Timeout);
        Assert.Equal(5, retry.MaxRetries);

        var plain = new RetryStrategy("p", new RetryOptions(), _time);
        Assert.Throws<ArgumentOutOfRangeException>(() => plain.Reconfigure(new RetryOptions { AttemptTimeout = TimeSpan.FromSeconds(1) }));
        Assert.Null(plain.AttemptTimeout);
    }

    [Fact]
    public async Task Retry_decisions_never_see_half_an_update()
    {
        // The 1-retry policy is consulted only for attempt 1 unless a decision pairs it with the other MaxRetries.
        var fewPolicy = new TrackingPolicy(allowedAttempts: 1);
        var few = new RetryOptions { MaxRetries = 1, Policy = fewPolicy };
        var many = new RetryOptions { MaxRetries = 5, Policy = new TrackingPolicy(allowedAttempts: 5) };
        var retry = new RetryStrategy("r", few, _time);
        var failure = new InvalidOperationException();
        using var stop = new CancellationTokenSource();

        Task writer = Task.Run(() =>
        {
            for (int i = 0; i < 50_000; i++)
            {
                retry.Reconfigure(i % 2 == 0 ? many : few);
            }

            stop.Cancel();
        });
        Task[] readers = Enumerable.Range(0, 2).Select(reader => Task.Run(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                _ = retry.ShouldRetry(failure, 5, CancellationToken.None);
            }
        })).ToArray();

        await Task.WhenAll([writer, .. readers]).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(0, fewPolicy.Violations);
    }

    private sealed class TrackingPolicy(int allowedAttempts) : IRetryPolicy
    {
        private int _violations;

        public int Violations => Volatile.Read(ref _violations);

        public bool ShouldRetry(Exception exception, int attempt)
        {
            if (attempt > allowedAttempts)
            {
                Interlocked.Increment(ref _violations);
            }

            return true;
        }

        public TimeSpan GetDelay(int attempt) => TimeSpan.Zero;
    }

    [Fact]
    public void A_running_timeout_keeps_its_limit_and_new_scopes_take_the_new_one()
    {
        var timeout = new TimeoutStrategy("t", TimeSpan.FromSeconds(10), _time);
        TimeoutScope running = timeout.Start(CancellationToken.None);

        timeout.Reconfigure(TimeSpan.FromSeconds(1));
        Assert.Equal(TimeSpan.FromSeconds(1), timeout.Timeout);
        TimeoutScope fresh = timeout.Start(CancellationToken.None);

        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.True(fresh.IsExpired);
        Assert.False(running.IsExpired);
        _time.Advance(TimeSpan.FromSeconds(9));
        Assert.True(running.IsExpired);
        running.Dispose();
        fresh.Dispose();

        Assert.Throws<ArgumentOutOfRangeException>(() => timeout.Reconfigure(TimeSpan.Zero));
        Assert.Equal(TimeSpan.FromSeconds(1), timeout.Timeout);
    }

    [Fact]
    public void A_rate_limit_counts_the_permits_taken_against_the_new_limit()
    {
        using var limit = new RateLimitStrategy("l", new RateLimitOptions { PermitLimit = 2, Window = TimeSpan.FromSeconds(10), Algorithm = RateLimitAlgorithm.FixedWindow }, _time);
        Assert.True(limit.TryAcquire());
        Assert.True(limit.TryAcquire());
        Assert.False(limit.TryAcquire());

        limit.Reconfigure(new RateLimitOptions { PermitLimit = 5, Window = TimeSpan.FromSeconds(1), Algorithm = RateLimitAlgorithm.FixedWindow });

        // 2 of the new 5 are taken: 3 more now, and the window (1 s, from the reload) restores all 5.
        Assert.True(limit.TryAcquire());
        Assert.True(limit.TryAcquire());
        Assert.True(limit.TryAcquire());
        Assert.False(limit.TryAcquire());
        _time.Advance(TimeSpan.FromSeconds(1));
        for (int i = 0; i < 5; i++)
        {
            Assert.True(limit.TryAcquire());
        }

        Assert.False(limit.TryAcquire());
    }

    [Fact]
    public void A_smaller_rate_limit_grants_no_fresh_budget()
    {
        using var limit = new RateLimitStrategy("l", new RateLimitOptions { PermitLimit = 10, Window = TimeSpan.FromSeconds(10), Algorithm = RateLimitAlgorithm.TokenBucket }, _time);
        for (int i = 0; i < 4; i++)
        {
            Assert.True(limit.TryAcquire());
        }

        limit.Reconfigure(new RateLimitOptions { PermitLimit = 3, Window = TimeSpan.FromSeconds(3), Algorithm = RateLimitAlgorithm.SlidingWindow, SegmentsPerWindow = 3 });

        Assert.False(limit.TryAcquire()); // 4 taken ≥ 3
        _time.Advance(TimeSpan.FromSeconds(3));
        Assert.False(limit.TryAcquire()); // the old bucket would have been full again only at 4 s
        _time.Advance(TimeSpan.FromSeconds(1)); // 4 s: a boundary of the new 1 s segments
        Assert.True(limit.TryAcquire());
        Assert.True(limit.TryAcquire());
        Assert.True(limit.TryAcquire());
        Assert.False(limit.TryAcquire());
        Assert.Throws<ArgumentOutOfRangeException>(() => limit.Reconfigure(new RateLimitOptions { PermitLimit = 0 }));
    }

    [Fact]
    public async Task Queued_callers_keep_their_place_and_are_served_by_the_new_limit()
    {
        using var limit = new RateLimitStrategy("l", new RateLimitOptions { PermitLimit = 1, Window = TimeSpan.FromMinutes(1), Algorithm = RateLimitAlgorithm.FixedWindow, QueueLimit = 2 }, _time);
        await limit.AcquireAsync(CancellationToken.None);
        ValueTask first = limit.AcquireAsync(CancellationToken.None);
        ValueTask second = limit.AcquireAsync(CancellationToken.None);
        Assert.False(first.IsCompleted);

        // Three permits per second, no queue for newcomers: the two waiters get the 2 permits left at once.
        limit.Reconfigure(new RateLimitOptions { PermitLimit = 3, Window = TimeSpan.FromSeconds(1), Algorithm = RateLimitAlgorithm.FixedWindow, QueueLimit = 0 });
        await first;
        await second;
        await Assert.ThrowsAsync<RateLimitRejectedException>(() => limit.AcquireAsync(CancellationToken.None).AsTask());
    }

    [Fact]
    public async Task Queued_callers_are_served_at_the_boundary_of_the_new_window()
    {
        using var limit = new RateLimitStrategy("l", new RateLimitOptions { PermitLimit = 1, Window = TimeSpan.FromHours(1), Algorithm = RateLimitAlgorithm.FixedWindow, QueueLimit = 1 }, _time);
        await limit.AcquireAsync(CancellationToken.None);
        ValueTask waiting = limit.AcquireAsync(CancellationToken.None);

        limit.Reconfigure(new RateLimitOptions { PermitLimit = 1, Window = TimeSpan.FromSeconds(2), Algorithm = RateLimitAlgorithm.FixedWindow, QueueLimit = 1 });
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.False(waiting.IsCompleted);
        _time.Advance(TimeSpan.FromSeconds(1)); // the timer was re-armed for the new window, not left at the hour
        await waiting;
    }

    [Fact]
    public void A_keyed_rate_limit_reconfigures_the_keys_it_holds_and_new_ones()
    {
        using var keyed = new KeyedRateLimitStrategy<string>("k", new RateLimitOptions { PermitLimit = 1, Window = TimeSpan.FromMinutes(1), Algorithm = RateLimitAlgorithm.FixedWindow }, _time);
        Assert.True(keyed.TryAcquire("a"));
        Assert.False(keyed.TryAcquire("a"));

        ((IKeyedRateLimit)keyed).Reconfigure(new RateLimitOptions { PermitLimit = 3, Window = TimeSpan.FromMinutes(1), Algorithm = RateLimitAlgorithm.FixedWindow });

        Assert.Equal(1, keyed.KeyCount); // held key kept, with its count: 1 taken of 3
        Assert.True(keyed.TryAcquire("a"));
        Assert.True(keyed.TryAcquire("a"));
        Assert.False(keyed.TryAcquire("a"));
        for (int i = 0; i < 3; i++)
        {
            Assert.True(keyed.TryAcquire("b"));
        }

        Assert.False(keyed.TryAcquire("b"));
    }

    [Fact]
    public async Task Rate_limit_reconfiguration_under_load_never_exceeds_either_limit()
    {
        // Fixed window of an hour: no permit comes back during the test, so the permits granted are bounded by the
        // largest limit ever set (reconfiguration carries the permits taken over).
        using var limit = new RateLimitStrategy("l", new RateLimitOptions { PermitLimit = 50, Window = TimeSpan.FromHours(1), Algorithm = RateLimitAlgorithm.FixedWindow }, _time);
        int granted = 0;
        int callersDone = 0;
        Task writer = Task.Run(() =>
        {
            for (int i = 0; Volatile.Read(ref callersDone) < 3; i++)
            {
                limit.Reconfigure(new RateLimitOptions { PermitLimit = i % 2 == 0 ? 100 : 50, Window = TimeSpan.FromHours(1), Algorithm = RateLimitAlgorithm.FixedWindow });
            }
        });
        Task[] callers = Enumerable.Range(0, 3).Select(caller => Task.Run(() =>
        {
            for (int i = 0; i < 20_000; i++)
            {
                if (limit.TryAcquire())
                {
                    Interlocked.Increment(ref granted);
                }
            }

            Interlocked.Increment(ref callersDone);
        })).ToArray();

        await Task.WhenAll([writer, .. callers]).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.InRange(granted, 50, 100);
    }

    [Fact]
    public void Cache_fallback_stores_with_the_new_ttls_and_keeps_the_deadlines_of_stored_results()
    {
        var store = new InMemoryCacheFallbackStore(timeProvider: _time);
        var cache = new CacheFallbackStrategy("c", new CacheFallbackOptions { Ttl = TimeSpan.FromSeconds(10), StaleTtl = TimeSpan.FromSeconds(10) }, store, _time);
        cache.Store("old", 1);

        cache.Reconfigure(new CacheFallbackOptions { Ttl = TimeSpan.FromSeconds(2), StaleTtl = TimeSpan.FromSeconds(1) });
        Assert.Equal(TimeSpan.FromSeconds(2), cache.Ttl);
        cache.Store("new", 2);

        _time.Advance(TimeSpan.FromSeconds(2));
        Assert.True(cache.TryGetFresh("old", out int old));
        Assert.Equal(1, old);
        Assert.False(cache.TryGetFresh("new", out int _));
        Assert.True(cache.TryGetStale("new", new InvalidOperationException(), CancellationToken.None, out int stale));
        Assert.Equal(2, stale);
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.False(cache.TryGetStale("new", new InvalidOperationException(), CancellationToken.None, out int _));

        Assert.Throws<ArgumentOutOfRangeException>(() => cache.Reconfigure(new CacheFallbackOptions { Ttl = TimeSpan.Zero, StaleTtl = TimeSpan.Zero }));
        Assert.Equal(TimeSpan.FromSeconds(2), cache.Ttl);
    }

    [Fact]
    public void The_hot_paths_still_allocate_nothing_after_a_reconfiguration()
    {
        var retry = new RetryStrategy("r", new RetryOptions { MaxRetries = 3 }, _time);
        var timeout = new TimeoutStrategy("t", TimeSpan.FromSeconds(10), TimeProvider.System); // the fake clock's timers allocate
        using var limit = new RateLimitStrategy("l", new RateLimitOptions { PermitLimit = 1_000_000, Window = TimeSpan.FromHours(1) }, _time);
        var store = new InMemoryCacheFallbackStore(timeProvider: _time);
        var cache = new CacheFallbackStrategy("c", new CacheFallbackOptions { Ttl = TimeSpan.FromMinutes(1) }, store, _time);
        cache.Store("k", "v");
        retry.Reconfigure(new RetryOptions { MaxRetries = 5 });
        timeout.Reconfigure(TimeSpan.FromSeconds(5));
        limit.Reconfigure(new RateLimitOptions { PermitLimit = 2_000_000, Window = TimeSpan.FromHours(1) });
        cache.Reconfigure(new CacheFallbackOptions { Ttl = TimeSpan.FromMinutes(2) });
        var failure = new InvalidOperationException();

        void Cycle()
        {
            _ = retry.ShouldRetry(failure, 1, CancellationToken.None);
            TimeoutScope scope = timeout.Start(CancellationToken.None);
            scope.Dispose();
            _ = limit.TryAcquire();
            _ = cache.TryGetFresh("k", out string _);
        }

        for (int i = 0; i < 100; i++)
        {
            Cycle();
        }

        long allocated = AllocationProbe.Least(() =>
        {
            for (int i = 0; i < 1_000; i++)
            {
                Cycle();
            }
        });

        Assert.Equal(0, allocated);
    }
}
