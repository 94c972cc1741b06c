using Microsoft.Extensions.Time.Testing;

namespace Resilience.Runtime.Tests.RateLimiting;

/// <summary>
/// The key table behind the keyed strategies (<c>BoundedKeyTable</c>), through <see cref="KeyedRateLimitStrategy{TKey}"/>:
/// the sweep's cadence and its bounds, a reloaded idle timeout and MaxKeys, and how far an overflow evicts; written for the
/// edits that survived mutation testing (docs/testing.md).
/// </summary>
public sealed class KeyTableMutationTests
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public void The_sweep_runs_at_least_a_second_apart_so_a_short_idle_timeout_evicts_at_the_next_whole_second()
    {
        using var limit = Create(keyIdleTimeout: TimeSpan.FromSeconds(1.5));
        Assert.True(limit.TryAcquire("a"));

        // FakeTimeProvider runs a timer due during Advance at the end time of that Advance: step to each sweep.
        _time.Advance(TimeSpan.FromSeconds(1)); // sweep at 1 s: idle for 1 s only
        Assert.Equal(1, limit.KeyCount);
        _time.Advance(TimeSpan.FromMilliseconds(999));
        Assert.Equal(1, limit.KeyCount);
        _time.Advance(TimeSpan.FromMilliseconds(1)); // sweep at 2 s
        Assert.Equal(0, limit.KeyCount);
    }

    [Fact]
    public void The_sweep_runs_at_least_once_a_day_so_a_long_idle_timeout_evicts_at_the_next_whole_day()
    {
        using var limit = Create(keyIdleTimeout: TimeSpan.FromDays(2.5));
        Assert.True(limit.TryAcquire("a"));

        _time.Advance(TimeSpan.FromDays(1)); // sweeps at 1 and 2 days (stepping to each: see above)
        _time.Advance(TimeSpan.FromDays(1));
        Assert.Equal(1, limit.KeyCount);
        _time.Advance(TimeSpan.FromDays(1) - TimeSpan.FromMilliseconds(1));
        Assert.Equal(1, limit.KeyCount);
        _time.Advance(TimeSpan.FromMilliseconds(1)); // sweep at 3 days
        Assert.Equal(0, limit.KeyCount);
    }

    [Fact]
    public void A_reloaded_idle_timeout_restarts_the_sweep_at_its_own_cadence()
    {
        using var limit = Create(keyIdleTimeout: TimeSpan.FromMinutes(10));
        Assert.True(limit.TryAcquire("a"));
        _time.Advance(TimeSpan.FromMilliseconds(500));

        ((IKeyedRateLimit)limit).Reconfigure(Options(keyIdleTimeout: TimeSpan.FromSeconds(2))); // sweeps at 1.5 s, 2.5 s, ...

        _time.Advance(TimeSpan.FromSeconds(1)); // the sweep at 1.5 s: idle for 1.5 s
        Assert.Equal(1, limit.KeyCount);
        _time.Advance(TimeSpan.FromMilliseconds(999)); // 2.499 s
        Assert.Equal(1, limit.KeyCount);
        _time.Advance(TimeSpan.FromMilliseconds(1)); // 2.5 s: idle for 2.5 s
        Assert.Equal(0, limit.KeyCount);
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(10, 10)] // 9 kept, plus the new key
    [InlineData(100, 91)] // 90 kept, plus the new key
    public void A_new_key_beyond_MaxKeys_evicts_down_to_nine_tenths(int maxKeys, int expectedCount)
    {
        using var limit = Create(maxKeys: maxKeys, permitLimit: 1, window: TimeSpan.FromHours(1));
        for (int key = 0; key < maxKeys; key++)
        {
            Assert.True(limit.TryAcquire("k" + key)); // in use: not at rest, not idle
        }

        Assert.Equal(maxKeys, limit.KeyCount);

        // (Refused or not: a new key whose hash slot an evicted key with permits in use shares starts drained.)
        limit.TryAcquire("new");

        Assert.True(limit.IsHeld("new"));
        Assert.Equal(expectedCount, limit.KeyCount);
    }

    [Fact]
    public void A_MaxKeys_reloaded_below_the_keys_held_applies_at_the_next_new_key()
    {
        using var limit = Create(maxKeys: 100, permitLimit: 1, window: TimeSpan.FromHours(1));
        for (int key = 0; key < 20; key++)
        {
            Assert.True(limit.TryAcquire("k" + key));
        }

        ((IKeyedRateLimit)limit).Reconfigure(Options(maxKeys: 10, permitLimit: 1, window: TimeSpan.FromHours(1)));
        Assert.Equal(20, limit.KeyCount); // nothing is evicted by the reload itself

        limit.TryAcquire("new"); // (may be refused: see above)

        Assert.True(limit.IsHeld("new"));
        Assert.Equal(10, limit.KeyCount); // 9 kept (the most recent), plus the new key
        Assert.True(limit.IsHeld("k19"));
        Assert.False(limit.IsHeld("k10"));
    }

    private KeyedRateLimitStrategy<string> Create(int maxKeys = 1_000, TimeSpan? keyIdleTimeout = null, int permitLimit = 5, TimeSpan? window = null)
        => new("keys", Options(maxKeys, keyIdleTimeout, permitLimit, window), _time);

    private static RateLimitOptions Options(int maxKeys = 1_000, TimeSpan? keyIdleTimeout = null, int permitLimit = 5, TimeSpan? window = null) => new()
    {
        PermitLimit = permitLimit,
        Window = window ?? TimeSpan.FromMilliseconds(100),
        MaxKeys = maxKeys,
        KeyIdleTimeout = keyIdleTimeout ?? TimeSpan.FromMinutes(1),
    };
}
