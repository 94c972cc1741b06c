using Microsoft.Extensions.Time.Testing;

namespace Resilience.Runtime.Tests.RateLimiting;

public sealed class KeyedRateLimitStrategyTests
{
    private static readonly TimeSpan Safety = TimeSpan.FromSeconds(10);

    // Only a hang guard for the stress test: 160,000 contended operations on a loaded 2-core machine can take
    // well over ten seconds without anything being wrong.
    private static readonly TimeSpan StressHangGuard = TimeSpan.FromMinutes(3);
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public async Task Keys_have_independent_limits()
    {
        using var limit = Create(permitLimit: 2);

        Assert.True(limit.TryAcquire("a"));
        Assert.True(limit.TryAcquire("a"));
        Assert.False(limit.TryAcquire("a"));

        Assert.True(limit.TryAcquire("b"));
        await limit.AcquireAsync("b", CancellationToken.None);
        var rejected = await Assert.ThrowsAsync<RateLimitRejectedException>(() => limit.AcquireAsync("b", CancellationToken.None).AsTask());
        Assert.Equal("tenants", rejected.InstanceName);
        Assert.Equal(TimeSpan.FromSeconds(1), rejected.RetryAfter);

        Assert.Equal(2, limit.KeyCount);
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.True(limit.TryAcquire("a"));
    }

    [Fact]
    public async Task Null_is_a_key_of_its_own()
    {
        using var limit = Create(permitLimit: 1);

        Assert.True(limit.TryAcquire(null));
        Assert.False(limit.TryAcquire(null));
        await Assert.ThrowsAsync<RateLimitRejectedException>(() => limit.AcquireAsync(null, CancellationToken.None).AsTask());
        Assert.Throws<RateLimitRejectedException>(() => limit.Acquire(null, CancellationToken.None));

        Assert.True(limit.TryAcquire(string.Empty));
        Assert.True(limit.TryAcquire("x"));
        Assert.Equal(3, limit.KeyCount);
    }

    [Fact]
    public void Beyond_MaxKeys_the_least_recently_used_keys_are_evicted_first()
    {
        using var limit = new KeyedRateLimitStrategy<int>("lru", new RateLimitOptions { PermitLimit = 1, Window = TimeSpan.FromHours(1), MaxKeys = 10 }, _time);
        for (int key = 0; key < 10; key++)
        {
            Assert.True(limit.TryAcquire(key)); // each key's only permit is now used
            _time.Advance(TimeSpan.FromMilliseconds(1));
        }

        Assert.False(limit.TryAcquire(0)); // touch key 0: now key 1 is the least recently used
        _time.Advance(TimeSpan.FromMilliseconds(1));

        Assert.True(limit.TryAcquire(10));

        Assert.Equal(10, limit.KeyCount);   // 90 % of 10 = 9 kept, plus the new one
        Assert.False(limit.TryAcquire(0));  // kept, still exhausted
        Assert.False(limit.TryAcquire(2));  // kept, still exhausted
        Assert.False(limit.TryAcquire(1));  // evicted with its permit in use: it does not start afresh
        Assert.Equal(TimeSpan.FromHours(1), RetryAfterOf(limit, 1)); // recreated drained: a window from now

        _time.Advance(TimeSpan.FromHours(1));
        Assert.True(limit.TryAcquire(1));
    }

    private static TimeSpan? RetryAfterOf(KeyedRateLimitStrategy<int> limit, int key)
        => Assert.Throws<RateLimitRejectedException>(() => limit.Acquire(key, CancellationToken.None)).RetryAfter;

    [Fact]
    public void Idle_keys_are_swept_once_fake_time_passes_KeyIdleTimeout()
    {
        using var limit = Create(permitLimit: 5, keyIdleTimeout: TimeSpan.FromSeconds(10));
        for (int i = 0; i < 100; i++)
        {
            Assert.True(limit.TryAcquire("k" + i));
        }

        _time.Advance(TimeSpan.FromSeconds(4));
        Assert.True(limit.TryAcquire("k0")); // k0 stays in use
        _time.Advance(TimeSpan.FromSeconds(5)); // t = 9 s: nobody is idle for 10 s yet (sweeps ran at 5 s)
        Assert.Equal(100, limit.KeyCount);

        _time.Advance(TimeSpan.FromSeconds(1)); // t = 10 s: sweep; k1..k99 idle for 10 s
        Assert.Equal(1, limit.KeyCount);

        _time.Advance(TimeSpan.FromSeconds(5)); // t = 15 s: k0 idle for 11 s
        Assert.Equal(0, limit.KeyCount);
    }

    [Fact]
    public void Idle_eviction_waits_until_the_keys_limit_has_refilled()
    {
        using var limit = Create(permitLimit: 1, window: TimeSpan.FromMinutes(2), keyIdleTimeout: TimeSpan.FromSeconds(10));
        Assert.True(limit.TryAcquire("busy"));

        _time.Advance(TimeSpan.FromSeconds(30)); // idle by time, but its window is not over
        Assert.Equal(1, limit.KeyCount);
        Assert.False(limit.TryAcquire("busy")); // evicting would have handed it a fresh budget

        _time.Advance(TimeSpan.FromMinutes(3)); // window over and idle: swept
        Assert.Equal(0, limit.KeyCount);
    }

    [Fact]
    public async Task A_queued_call_for_a_key_completes_when_fake_time_refills_that_key()
    {
        using var limit = Create(permitLimit: 1, window: TimeSpan.FromSeconds(1), queueLimit: 1);
        Assert.True(limit.TryAcquire("a"));

        Task queued = limit.AcquireAsync("a", CancellationToken.None).AsTask();
        await Assert.ThrowsAsync<RateLimitRejectedException>(() => limit.AcquireAsync("a", CancellationToken.None).AsTask()); // queue full
        Assert.True(limit.TryAcquire("b")); // other keys are unaffected
        _time.Advance(TimeSpan.FromMilliseconds(999));
        Assert.False(queued.IsCompleted);

        _time.Advance(TimeSpan.FromMilliseconds(1));

        await queued.WaitAsync(Safety);
        Assert.False(limit.TryAcquire("a"));
    }

    [Fact]
    public async Task Cancelling_a_queued_keyed_call_throws_OperationCanceledException()
    {
        using var limit = Create(permitLimit: 1, window: TimeSpan.FromSeconds(1), queueLimit: 1);
        Assert.True(limit.TryAcquire(null));
        using var cts = new CancellationTokenSource();

        Task queued = limit.AcquireAsync(null, cts.Token).AsTask();
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => queued.WaitAsync(Safety));
        Task next = limit.AcquireAsync(null, CancellationToken.None).AsTask(); // its queue place is free again
        _time.Advance(TimeSpan.FromSeconds(1));
        await next.WaitAsync(Safety);
    }

    [Fact]
    public async Task Concurrent_callers_on_shared_keys_get_exactly_PermitLimit_per_key()
    {
        for (int round = 0; round < 10; round++)
        {
            using var limit = Create(permitLimit: 500);
            var granted = new int[4];
            using var start = new ManualResetEventSlim();

            Task[] workers = Enumerable.Range(0, 8).Select(w => Task.Run(() =>
            {
                start.Wait();
                for (int i = 0; i < 2_000; i++)
                {
                    int key = (i + w) % 4;
                    if (limit.TryAcquire("key" + key))
                    {
                        Interlocked.Increment(ref granted[key]);
                    }
                }
            })).ToArray();
            start.Set();
            await Task.WhenAll(workers).WaitAsync(Safety);

            Assert.All(granted, count => Assert.Equal(500, count));
            Assert.Equal(4, limit.KeyCount);
        }
    }

    [Fact]
    public async Task Concurrent_churn_never_pushes_KeyCount_past_MaxKeys_nor_grants_a_key_twice()
    {
        // Frozen clock, one permit per key: whatever the eviction, no key may ever be granted twice.
        using var limit = new KeyedRateLimitStrategy<int>("churn", new RateLimitOptions { PermitLimit = 1, MaxKeys = 64 }, _time);
        int most = 0;
        var grants = new int[8 * 500];
        using var start = new ManualResetEventSlim();

        Task[] workers = Enumerable.Range(0, 8).Select(w => Task.Run(() =>
        {
            start.Wait();
            for (int i = 0; i < 20_000; i++)
            {
                int key = (w * 500) + (i % 500);
                if (limit.TryAcquire(key))
                {
                    Interlocked.Increment(ref grants[key]);
                }

                int count = limit.KeyCount;
                int seen = Volatile.Read(ref most);
                while (count > seen && Interlocked.CompareExchange(ref most, count, seen) != seen)
                {
                    seen = Volatile.Read(ref most);
                }
            }
        })).ToArray();
        start.Set();
        await Task.WhenAll(workers).WaitAsync(StressHangGuard);

        Assert.True(most <= 64, $"KeyCount reached {most}");
        Assert.All(grants, count => Assert.InRange(count, 0, 1));
        Assert.True(grants.Sum() >= 64, $"only {grants.Sum()} keys were ever granted");
    }

    [Fact]
    public void With_a_frozen_clock_the_most_recently_used_key_is_never_evicted()
    {
        // Every use below shares one timestamp: recency must come from the order of use.
        using var limit = new KeyedRateLimitStrategy<int>("lru", new RateLimitOptions { PermitLimit = 2, Window = TimeSpan.FromHours(1), MaxKeys = 100 }, _time);
        const int hot = -1;
        Assert.True(limit.TryAcquire(hot));
        Assert.True(limit.TryAcquire(hot)); // the hot key's budget is spent

        for (int key = 0; key < 1_000; key++)
        {
            limit.TryAcquire(key); // (a new key sharing a slot with an evicted one starts drained: not asserted here)
            Assert.False(limit.TryAcquire(hot), $"the hot key lost its state after {key + 1} insertions");
            Assert.True(limit.IsHeld(hot), $"the most recently used key was evicted after {key + 1} insertions");
        }
    }

    [Fact]
    public void A_client_churning_distinct_keys_cannot_reset_another_keys_budget()
    {
        using var limit = new KeyedRateLimitStrategy<string>("churn", new RateLimitOptions { PermitLimit = 3, Window = TimeSpan.FromMinutes(1), MaxKeys = 50 }, _time);
        for (int i = 0; i < 3; i++)
        {
            Assert.True(limit.TryAcquire("victim"));
        }

        int attackerGrants = 0;
        for (int round = 0; round < 20; round++)
        {
            for (int key = 0; key < 500; key++)
            {
                attackerGrants += limit.TryAcquire($"attacker-{round}-{key}") ? 1 : 0;
            }

            _time.Advance(TimeSpan.FromSeconds(1));
            Assert.False(limit.TryAcquire("victim"), $"round {round}: the victim got a fresh budget back by churn");
            Assert.True(limit.KeyCount <= 50);
        }

        Assert.False(limit.IsHeld("nobody"));
        Assert.True(attackerGrants > 0);

        // Once its permits would have come back anyway (a minute after they were taken), the victim has its budget again.
        _time.Advance(TimeSpan.FromSeconds(40));
        Assert.True(limit.TryAcquire("victim"));
    }

    [Fact]
    public void Keys_at_rest_are_evicted_before_keys_with_permits_in_use()
    {
        using var limit = new KeyedRateLimitStrategy<int>("rest", new RateLimitOptions { PermitLimit = 1, Window = TimeSpan.FromSeconds(1), MaxKeys = 10 }, _time);
        Assert.True(limit.TryAcquire(0)); // key 0: least recently used, but its permit is in use
        _time.Advance(TimeSpan.FromSeconds(1));
        for (int key = 1; key < 10; key++)
        {
            Assert.True(limit.TryAcquire(key)); // keys 1..9: used later, permits in use
        }

        Assert.True(limit.TryAcquire(0)); // key 0 is back to full and takes again
        _time.Advance(TimeSpan.FromSeconds(1)); // now everyone is full again
        Assert.True(limit.TryAcquire(5)); // key 5 in use again; the others at rest

        Assert.True(limit.TryAcquire(10));

        Assert.True(limit.IsHeld(5));
        Assert.Equal(10, limit.KeyCount);
    }

    [Fact]
    public void Dispose_releases_every_key_and_fails_later_calls()
    {
        var limit = Create(permitLimit: 1);
        Assert.True(limit.TryAcquire("a"));

        limit.Dispose();

        Assert.Equal(0, limit.KeyCount);
        Assert.Throws<ObjectDisposedException>(() => limit.TryAcquire("a"));
        limit.Dispose(); // idempotent
    }

    private KeyedRateLimitStrategy<string> Create(int permitLimit, TimeSpan? window = null, int queueLimit = 0, TimeSpan? keyIdleTimeout = null)
        => new(
            "tenants",
            new RateLimitOptions
            {
                Algorithm = RateLimitAlgorithm.FixedWindow,
                PermitLimit = permitLimit,
                Window = window ?? TimeSpan.FromSeconds(1),
                QueueLimit = queueLimit,
                KeyIdleTimeout = keyIdleTimeout ?? TimeSpan.FromMinutes(1),
            },
            _time);
}
