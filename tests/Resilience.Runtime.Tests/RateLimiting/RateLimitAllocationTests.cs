using Microsoft.Extensions.Time.Testing;

namespace Resilience.Runtime.Tests.RateLimiting;

[Collection(AllocationCollection.Name)]
public sealed class RateLimitAllocationTests
{
    private const int WarmUp = 2_000;
    private const int Cycles = 10_000;
    private readonly FakeTimeProvider _time = new();

    [Theory]
    [InlineData(RateLimitAlgorithm.TokenBucket)]
    [InlineData(RateLimitAlgorithm.FixedWindow)]
    [InlineData(RateLimitAlgorithm.SlidingWindow)]
    public void TryAcquire_allocates_nothing_when_a_permit_is_available(RateLimitAlgorithm algorithm)
    {
        using var limit = new RateLimitStrategy("alloc", new RateLimitOptions { Algorithm = algorithm, PermitLimit = 1_000_000 }, _time);
        int failures = 0;
        for (int i = 0; i < WarmUp; i++)
        {
            failures += limit.TryAcquire() ? 0 : 1;
        }

        long allocated = AllocationProbe.Least(() =>
        {
            for (int i = 0; i < Cycles; i++)
            {
                failures += limit.TryAcquire() ? 0 : 1;
            }
        });

        Assert.Equal(0, failures);
        Assert.Equal(0, allocated);
    }

    [Theory]
    [InlineData(RateLimitAlgorithm.TokenBucket, 0)]
    [InlineData(RateLimitAlgorithm.TokenBucket, 10)]
    [InlineData(RateLimitAlgorithm.SlidingWindow, 10)]
    public void AcquireAsync_and_Acquire_allocate_nothing_on_the_synchronous_path(RateLimitAlgorithm algorithm, int queueLimit)
    {
        using var limit = new RateLimitStrategy("alloc", new RateLimitOptions { Algorithm = algorithm, PermitLimit = 1_000_000, QueueLimit = queueLimit }, _time);
        int pending = 0;
        for (int i = 0; i < WarmUp; i++)
        {
            pending += Cycle(limit);
        }

        long allocated = AllocationProbe.Least(() =>
        {
            for (int i = 0; i < Cycles; i++)
            {
                pending += Cycle(limit);
            }
        });

        Assert.Equal(0, pending);
        Assert.Equal(0, allocated);

        static int Cycle(RateLimitStrategy limit)
        {
            ValueTask acquired = limit.AcquireAsync(CancellationToken.None);
            if (!acquired.IsCompletedSuccessfully)
            {
                return 1;
            }

            acquired.GetAwaiter().GetResult();
            limit.Acquire(CancellationToken.None);
            return 0;
        }
    }

    [Fact]
    public void Keyed_AcquireAsync_and_TryAcquire_allocate_nothing_for_existing_keys()
    {
        using var limit = new KeyedRateLimitStrategy<string>("alloc", new RateLimitOptions { PermitLimit = 1_000_000, QueueLimit = 5 }, _time);
        string?[] keys = ["tenant-a", "tenant-b", "tenant-c", null];
        int pending = 0;
        for (int i = 0; i < WarmUp; i++)
        {
            pending += Cycle(limit, keys[i % keys.Length]);
        }

        long allocated = AllocationProbe.Least(() =>
        {
            for (int i = 0; i < Cycles; i++)
            {
                pending += Cycle(limit, keys[i % keys.Length]);
            }
        });

        Assert.Equal(0, pending);
        Assert.Equal(0, allocated);
        Assert.Equal(4, limit.KeyCount);

        static int Cycle(KeyedRateLimitStrategy<string> limit, string? key)
        {
            ValueTask acquired = limit.AcquireAsync(key, CancellationToken.None);
            if (!acquired.IsCompletedSuccessfully || !limit.TryAcquire(key))
            {
                return 1;
            }

            acquired.GetAwaiter().GetResult();
            return 0;
        }
    }

    [Fact]
    public void Keyed_TryAcquire_with_value_type_keys_allocates_nothing_for_existing_keys()
    {
        using var limit = new KeyedRateLimitStrategy<int>("alloc", new RateLimitOptions { PermitLimit = 1_000_000, Algorithm = RateLimitAlgorithm.FixedWindow }, _time);
        int failures = 0;
        for (int i = 0; i < WarmUp; i++)
        {
            failures += limit.TryAcquire(i % 16) ? 0 : 1;
        }

        long allocated = AllocationProbe.Least(() =>
        {
            for (int i = 0; i < Cycles; i++)
            {
                failures += limit.TryAcquire(i % 16) ? 0 : 1;
            }
        });

        Assert.Equal(0, failures);
        Assert.Equal(0, allocated);
    }
}
