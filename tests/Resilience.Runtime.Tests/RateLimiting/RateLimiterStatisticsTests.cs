using System.Threading.RateLimiting;
using Microsoft.Extensions.Time.Testing;

namespace Resilience.Runtime.Tests.RateLimiting;

/// <summary>
/// <see cref="RateLimiter.GetStatistics"/> counts every lease the limiter answered, by outcome, on each path a request
/// can fail (refused at once, queue full, reservation refused), and a keyed limit's drained fresh instance counts no
/// lease; a refused lease names its <c>RETRY_AFTER</c> metadata only when it has a value.
/// </summary>
public sealed class RateLimiterStatisticsTests
{
    private readonly FakeTimeProvider _time = new();

    [Theory]
    [InlineData(RateLimitAlgorithm.TokenBucket)]
    [InlineData(RateLimitAlgorithm.FixedWindow)]
    [InlineData(RateLimitAlgorithm.SlidingWindow)]
    [InlineData(RateLimitAlgorithm.SlidingWindowExact)]
    public async Task Every_failure_path_counts_one_failed_lease_and_every_grant_one_successful_lease(RateLimitAlgorithm algorithm)
    {
        using var limit = new RateLimitStrategy("stats", new RateLimitOptions { Algorithm = algorithm, PermitLimit = 2, Window = TimeSpan.FromSeconds(1) }, _time);
        RateLimiter limiter = limit.Limiter;

        using RateLimitLease first = limiter.AttemptAcquire();
        using RateLimitLease second = await limiter.AcquireAsync();
        using RateLimitLease refusedNow = limiter.AttemptAcquire();
        using RateLimitLease refusedQueueFull = await limiter.AcquireAsync(); // QueueLimit 0: the queue is full at once
        RateLimitReservation refusedReservation = limit.Reserve(1, TimeSpan.Zero);

        Assert.True(first.IsAcquired && second.IsAcquired);
        Assert.False(refusedNow.IsAcquired || refusedQueueFull.IsAcquired || refusedReservation.IsAcquired);
        RateLimiterStatistics statistics = limiter.GetStatistics()!;
        Assert.Equal(2, statistics.TotalSuccessfulLeases);
        Assert.Equal(3, statistics.TotalFailedLeases);
    }

    [Fact]
    public void A_drained_limiter_has_no_permit_left_and_counts_no_lease_for_the_drain()
    {
        using var limiter = new TimeProviderRateLimiter(new RateLimitOptions { PermitLimit = 5, Window = TimeSpan.FromSeconds(1) }, _time);
        using RateLimitLease taken = limiter.AttemptAcquire(2);

        limiter.Drain();

        RateLimiterStatistics statistics = limiter.GetStatistics()!;
        Assert.Equal(0, statistics.CurrentAvailablePermits);
        Assert.Equal(1, statistics.TotalSuccessfulLeases);
        Assert.Equal(0, statistics.TotalFailedLeases);
        Assert.False(limiter.AttemptAcquire().IsAcquired);
    }

    [Fact]
    public void A_refused_lease_lists_retry_after_among_its_metadata_names_only_when_it_carries_one()
    {
        using var limiter = new TimeProviderRateLimiter(new RateLimitOptions { PermitLimit = 1, Window = TimeSpan.FromSeconds(1) }, _time);
        using RateLimitLease taken = limiter.AttemptAcquire();

        using RateLimitLease refused = limiter.AttemptAcquire();

        Assert.False(refused.IsAcquired);
        Assert.Equal([MetadataName.RetryAfter.Name], refused.MetadataNames);
        Assert.True(refused.TryGetMetadata(MetadataName.RetryAfter, out TimeSpan retryAfter));
        Assert.Equal(TimeSpan.FromSeconds(1), retryAfter);
        Assert.Empty(taken.MetadataNames);
    }
}
