using Microsoft.Extensions.Time.Testing;

namespace Resilience.Runtime.Tests.RateLimiting;

/// <summary>
/// A keyed rate limit over a million distinct keys stays within <c>MaxKeys</c> and its memory stays flat. The memory is
/// read with <see cref="GC.GetTotalMemory(bool)"/>, which counts the whole process: the class runs in the serial
/// collection, after the parallel tests, so that no other test's objects are counted (in parallel with the rest of the
/// project one CI run saw 13 MiB "grow" here).
/// </summary>
[Collection(StressCollection.Name)]
public sealed class KeyedRateLimitMemoryTests
{
    [Fact]
    public void A_million_distinct_keys_keep_KeyCount_within_MaxKeys_and_memory_bounded()
    {
        var time = new FakeTimeProvider();
        const int maxKeys = 1_000;
        using var limit = new KeyedRateLimitStrategy<int>("per-user", new RateLimitOptions { PermitLimit = 5, MaxKeys = maxKeys }, time);
        for (int i = 0; i < 2 * maxKeys; i++)
        {
            time.Advance(TimeSpan.FromMilliseconds(1)); // see below
            Assert.True(limit.TryAcquire(-i - 1)); // warm up: fill and evict once, so buffers exist
        }

        time.Advance(TimeSpan.FromSeconds(1));
        long before = GC.GetTotalMemory(forceFullCollection: true);
        int most = 0;
        for (int key = 0; key < 1_000_000; key++)
        {
            // 100 ms per 100 keys: a key's token is back 200 ms after its use, long before ~MaxKeys newer keys make
            // it the least recently used, so nothing is evicted with state and every new key has its full budget.
            if (key % 100 == 0)
            {
                time.Advance(TimeSpan.FromMilliseconds(100));
            }

            if (!limit.TryAcquire(key))
            {
                Assert.Fail($"key {key} is new, so it must have a full budget");
            }

            int count = limit.KeyCount;
            if (count > most)
            {
                most = count;
            }
        }

        long after = GC.GetTotalMemory(forceFullCollection: true);

        Assert.True(most <= maxKeys, $"KeyCount reached {most}");
        Assert.True(limit.KeyCount >= maxKeys * 9 / 10, "eviction should keep most of MaxKeys, not flush everything");
        Assert.True(after - before < 8 * 1024 * 1024, $"memory grew by {(after - before) / 1024} KiB over a million keys");
    }
}
