using Microsoft.Extensions.Time.Testing;

namespace Resilience.Runtime.Tests.CircuitBreaker;

using CircuitBreaker = global::Resilience.CircuitBreaker;

[Collection(AllocationCollection.Name)]
public sealed class KeyedCircuitBreakerTests
{
    private static readonly TimeSpan Break = TimeSpan.FromSeconds(30);
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public void One_failing_key_opens_only_its_own_circuit()
    {
        using var breakers = Create(threshold: 3);
        for (int i = 0; i < 3; i++)
        {
            breakers.Acquire("db-1").RecordFailure();
            breakers.Acquire("db-2").RecordSuccess();
        }

        var rejected = Assert.Throws<BrokenCircuitException>(() => breakers.Acquire("db-1"));
        Assert.Equal("hosts", rejected.InstanceName);
        Assert.Equal(Break, rejected.RetryAfter);
        Assert.False(breakers.TryAcquire("db-1", out _));

        Assert.True(breakers.TryAcquire("db-2", out CircuitBreakerLease other));
        other.RecordSuccess();
        breakers.Acquire("db-3").RecordSuccess();

        Assert.True(breakers.TryGet("db-1", out CircuitBreaker? failing));
        Assert.Equal(CircuitState.Open, failing.State);
        Assert.True(breakers.TryGet("db-2", out CircuitBreaker? healthy));
        Assert.Equal(CircuitState.Closed, healthy.State);
        Assert.Equal(3, breakers.KeyCount);

        _time.Advance(Break);
        breakers.Acquire("db-1").RecordSuccess(); // the probe closes it
        Assert.Equal(CircuitState.Closed, failing.State);
    }

    [Fact]
    public void Null_is_a_key_of_its_own_and_TryGet_creates_nothing()
    {
        using var breakers = Create(threshold: 1);
        Assert.False(breakers.TryGet(null, out _));
        Assert.Equal(0, breakers.KeyCount);

        breakers.Acquire(null).RecordFailure();
        Assert.Throws<BrokenCircuitException>(() => breakers.Acquire(null));
        breakers.Acquire(string.Empty).RecordSuccess();

        Assert.True(breakers.TryGet(null, out CircuitBreaker? nullKey));
        Assert.Equal(CircuitState.Open, nullKey.State);
        Assert.Equal(2, breakers.KeyCount);
    }

    [Fact]
    public void A_million_distinct_keys_keep_KeyCount_within_MaxKeys_and_memory_bounded()
    {
        const int maxKeys = 1_000;
        using var breakers = new KeyedCircuitBreaker<int>("per-host", new CircuitBreakerOptions { MaxKeys = maxKeys }, _time);
        for (int i = 0; i < 2 * maxKeys; i++)
        {
            breakers.Acquire(-i - 1).RecordSuccess(); // warm up: fill and evict once, so buffers exist
        }

        long before = GC.GetTotalMemory(forceFullCollection: true);
        int most = 0;
        for (int key = 0; key < 1_000_000; key++)
        {
            if (!breakers.TryAcquire(key, out CircuitBreakerLease lease))
            {
                Assert.Fail($"key {key} is new, so its circuit must be closed");
            }

            lease.RecordFailure();
            int count = breakers.KeyCount;
            if (count > most)
            {
                most = count;
            }
        }

        long after = GC.GetTotalMemory(forceFullCollection: true);

        Assert.True(most <= maxKeys, $"KeyCount reached {most}");
        Assert.True(breakers.KeyCount >= maxKeys * 9 / 10, "eviction should keep most of MaxKeys, not flush everything");
        Assert.True(after - before < 8 * 1024 * 1024, $"memory grew by {(after - before) / 1024} KiB over a million keys");
    }

    [Fact]
    public void Beyond_MaxKeys_the_least_recently_used_keys_are_evicted_even_when_open()
    {
        using var breakers = new KeyedCircuitBreaker<int>("lru", new CircuitBreakerOptions { FailureThreshold = 1, BreakDuration = TimeSpan.FromHours(1), MaxKeys = 10 }, _time);
        for (int key = 0; key < 10; key++)
        {
            breakers.Acquire(key).RecordFailure(); // every key is open now
            _time.Advance(TimeSpan.FromMilliseconds(1));
        }

        Assert.False(breakers.TryAcquire(0, out _)); // touch key 0: now key 1 is the least recently used
        _time.Advance(TimeSpan.FromMilliseconds(1));

        breakers.Acquire(10).RecordSuccess();

        Assert.Equal(10, breakers.KeyCount);       // 90 % of 10 = 9 kept, plus the new one
        Assert.False(breakers.TryAcquire(0, out _)); // kept, still open
        Assert.False(breakers.TryAcquire(2, out _)); // kept, still open
        Assert.True(breakers.TryAcquire(1, out _));  // evicted: the hard bound wins, it starts afresh
    }

    [Fact]
    public void Idle_keys_are_swept_once_fake_time_passes_KeyIdleTimeout()
    {
        using var breakers = Create(threshold: 5, keyIdleTimeout: TimeSpan.FromSeconds(10));
        for (int i = 0; i < 100; i++)
        {
            breakers.Acquire("k" + i).RecordSuccess();
        }

        _time.Advance(TimeSpan.FromSeconds(4));
        breakers.Acquire("k0").RecordSuccess(); // k0 stays in use
        _time.Advance(TimeSpan.FromSeconds(5)); // t = 9 s: nobody is idle for 10 s yet (a sweep ran at 5 s)
        Assert.Equal(100, breakers.KeyCount);

        _time.Advance(TimeSpan.FromSeconds(1)); // t = 10 s: sweep; k1..k99 idle for 10 s
        Assert.Equal(1, breakers.KeyCount);
        Assert.False(breakers.TryGet("k1", out _));

        _time.Advance(TimeSpan.FromSeconds(5)); // t = 15 s: k0 idle for 11 s
        Assert.Equal(0, breakers.KeyCount);
    }

    [Fact]
    public void Idle_eviction_never_evicts_an_open_circuit()
    {
        using var breakers = Create(threshold: 2, breakDuration: TimeSpan.FromMinutes(10), keyIdleTimeout: TimeSpan.FromSeconds(10));
        breakers.Acquire("down").RecordFailure();
        breakers.Acquire("down").RecordFailure();
        breakers.Acquire("up").RecordSuccess();

        _time.Advance(TimeSpan.FromMinutes(5)); // both idle by time; "down" is open
        Assert.Equal(1, breakers.KeyCount);
        Assert.False(breakers.TryGet("up", out _));
        Assert.True(breakers.TryGet("down", out CircuitBreaker? down));
        Assert.Throws<BrokenCircuitException>(() => breakers.Acquire("down")); // evicting would have closed it early

        _time.Advance(TimeSpan.FromMinutes(5)); // break over: the next call is a probe of the same breaker
        breakers.Acquire("down").RecordSuccess();
        Assert.True(breakers.TryGet("down", out CircuitBreaker? after));
        Assert.Same(down, after);
        Assert.Equal(CircuitState.Closed, after.State);

        _time.Advance(TimeSpan.FromSeconds(20)); // closed and idle now: swept
        Assert.Equal(0, breakers.KeyCount);
    }

    [Fact]
    public void Idle_eviction_waits_for_leases_in_flight()
    {
        using var breakers = Create(threshold: 1, keyIdleTimeout: TimeSpan.FromSeconds(10));
        CircuitBreakerLease slow = breakers.Acquire("slow");
        Assert.True(breakers.TryGet("slow", out CircuitBreaker? original));

        _time.Advance(TimeSpan.FromMinutes(1)); // idle by time, but a call is in flight
        Assert.Equal(1, breakers.KeyCount);

        slow.RecordFailure(); // its outcome counts on the key's breaker, which opens
        Assert.Equal(CircuitState.Open, original.State);
        Assert.Throws<BrokenCircuitException>(() => breakers.Acquire("slow"));
        _time.Advance(TimeSpan.FromSeconds(20));
        Assert.Equal(1, breakers.KeyCount);
    }

    [Fact]
    public void A_lease_given_back_unrecorded_after_a_rejection_does_not_pin_the_key()
    {
        using var breakers = Create(threshold: 1, breakDuration: TimeSpan.FromSeconds(5), keyIdleTimeout: TimeSpan.FromSeconds(10));
        breakers.Acquire("k").RecordFailure();
        Assert.False(breakers.TryAcquire("k", out _)); // rejected while open
        _time.Advance(TimeSpan.FromSeconds(5));
        breakers.Acquire("k").RecordException(new InvalidOperationException(), CancellationToken.None); // failed probe: open again
        _time.Advance(TimeSpan.FromSeconds(5));
        CancellationToken cancelled = CancelledToken();
        CircuitBreakerLease probe = breakers.Acquire("k");
        probe.RecordException(new OperationCanceledException(cancelled), cancelled); // the caller's cancellation: neutral, slot given back
        breakers.Acquire("k").RecordSuccess();

        _time.Advance(TimeSpan.FromSeconds(20));
        Assert.Equal(0, breakers.KeyCount);
    }

    [Fact]
    public void Existing_keys_acquire_and_record_without_allocating()
    {
        using var breakers = new KeyedCircuitBreaker<string>("alloc", new CircuitBreakerOptions { FailureThreshold = int.MaxValue }, _time);
        string[] keys = ["a", "b", "c", "d"];
        var failure = new InvalidOperationException();
        for (int i = 0; i < 1_000; i++)
        {
            Cycle(breakers, keys[i % keys.Length], failure, i);
        }

        long allocated = AllocationProbe.Least(() =>
        {
            for (int i = 0; i < 10_000; i++)
            {
                Cycle(breakers, keys[i % keys.Length], failure, i);
            }
        });

        Assert.Equal(0, allocated);

        static void Cycle(KeyedCircuitBreaker<string> breakers, string key, Exception failure, int i)
        {
            if (breakers.TryAcquire(key, out CircuitBreakerLease lease))
            {
                lease.RecordSuccess();
            }

            switch (i % 3)
            {
                case 0:
                    breakers.Acquire(key).RecordSuccess();
                    break;
                case 1:
                    breakers.Acquire(key).RecordFailure();
                    break;
                default:
                    breakers.Acquire(key).RecordException(failure, CancellationToken.None);
                    break;
            }
        }
    }

    [Fact]
    public void Concurrent_calls_racing_idle_sweeps_never_fail_and_leak_no_lease()
    {
        using var breakers = Create(threshold: 1_000_000, keyIdleTimeout: TimeSpan.FromSeconds(1));
        const int threads = 4;
        const int perThread = 20_000;
        int granted = 0;
        Parallel.For(0, threads + 1, worker =>
        {
            if (worker == threads)
            {
                for (int i = 0; i < 200; i++)
                {
                    _time.Advance(TimeSpan.FromSeconds(1)); // sweeps run on this thread, racing the callers
                }

                return;
            }

            for (int i = 0; i < perThread; i++)
            {
                string key = "k" + (i % 16);
                CircuitBreakerLease lease = breakers.Acquire(key);
                Interlocked.Increment(ref granted);
                lease.RecordFailure();
            }
        });

        Assert.Equal(threads * perThread, granted);
        Assert.True(breakers.KeyCount <= 16);

        // Once quiet, every key is closed with no lease outstanding, so all are swept: no lease count leaked.
        _time.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(0, breakers.KeyCount);
    }

    [Fact]
    public void Dispose_forgets_every_key_and_fails_later_calls()
    {
        var breakers = Create(threshold: 1);
        breakers.Acquire("a").RecordSuccess();
        breakers.Dispose();
        breakers.Dispose();

        Assert.Equal(0, breakers.KeyCount);
        Assert.Throws<ObjectDisposedException>(() => breakers.Acquire("a"));
        Assert.Throws<ObjectDisposedException>(() => breakers.TryAcquire("b", out _));
    }

    [Fact]
    public void Invalid_options_name_the_setting()
    {
        var maxKeys = Assert.Throws<ArgumentOutOfRangeException>(() => new KeyedCircuitBreaker<string>("x", new CircuitBreakerOptions { MaxKeys = 0 }, _time));
        Assert.Equal("MaxKeys", maxKeys.ParamName);
        Assert.Contains("MaxKeys must be at least 1; got 0.", maxKeys.Message, StringComparison.Ordinal);

        var idle = Assert.Throws<ArgumentOutOfRangeException>(() => new KeyedCircuitBreaker<string>("x", new CircuitBreakerOptions { KeyIdleTimeout = TimeSpan.Zero }, _time));
        Assert.Equal("KeyIdleTimeout", idle.ParamName);
    }

    [Fact]
    public void Options_changed_after_creation_do_not_affect_the_keys()
    {
        var options = new CircuitBreakerOptions { FailureThreshold = 1 };
        using var breakers = new KeyedCircuitBreaker<string>("copy", options, _time);
        options.FailureThreshold = 100;

        breakers.Acquire("a").RecordFailure();
        Assert.False(breakers.TryAcquire("a", out _));
    }

    private static CancellationToken CancelledToken()
    {
        using var source = new CancellationTokenSource();
        source.Cancel();
        return source.Token;
    }

    private KeyedCircuitBreaker<string> Create(int threshold, TimeSpan? breakDuration = null, TimeSpan? keyIdleTimeout = null)
        => new("hosts", new CircuitBreakerOptions
        {
            FailureThreshold = threshold,
            BreakDuration = breakDuration ?? Break,
            KeyIdleTimeout = keyIdleTimeout ?? TimeSpan.FromMinutes(1),
        }, _time);
}
