using System.Diagnostics.Metrics;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Logging;

namespace Resilience.Caching;

/// <summary>
/// An <see cref="ICacheFallbackStore"/> that shares <c>[CacheFallback]</c> results between processes through an
/// <see cref="IDistributedCache"/> (Redis, SQL Server, …), with an in-memory tier in front: a stale entry written by
/// one process answers a failure in another. See docs/caching.md for what it guarantees.
/// </summary>
/// <remarks>
/// A fresh hit in the in-memory tier allocates nothing and makes no round trip. Reads of the shared cache block the
/// call at most <see cref="SharedCacheFallbackStoreOptions.OperationTimeout"/>; writes never block it. When the shared
/// cache fails, calls go on with the in-memory tier alone until a background check finds it back.
/// </remarks>
public sealed class DistributedCacheFallbackStore : SharedCacheFallbackStore
{
    /// <summary>Creates the store.</summary>
    /// <param name="cache">The shared cache.</param>
    /// <param name="options">Settings; validated here (<see cref="SharedCacheFallbackStoreOptions.TypeInfoResolver"/> is required).</param>
    /// <param name="timeProvider">The clock of entry times and of <see cref="SharedCacheFallbackStoreOptions.RetryInterval"/>; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    /// <param name="loggerFactory">Where changes of the shared cache's availability are logged (category <c>Resilience.Caching</c>), if anywhere.</param>
    /// <param name="meterFactory">Creates the <c>Resilience.Caching</c> meter; a meter of its own when <see langword="null"/>.</param>
    public DistributedCacheFallbackStore(
        IDistributedCache cache,
        SharedCacheFallbackStoreOptions options,
        TimeProvider? timeProvider = null,
        ILoggerFactory? loggerFactory = null,
        IMeterFactory? meterFactory = null)
        : base(new Tier(cache ?? throw new ArgumentNullException(nameof(cache))), options, timeProvider, loggerFactory, meterFactory)
    {
    }

    private sealed class Tier(IDistributedCache cache) : ISharedTier
    {
        public string Kind => "distributed_cache";

        public Task<byte[]?> GetAsync(string key) => cache.GetAsync(key);

        public Task SetAsync(string key, byte[] value, TimeSpan timeToLive)
            => cache.SetAsync(key, value, timeToLive >= SharedTierLimits.LongestExpiry
                ? new DistributedCacheEntryOptions()
                : new DistributedCacheEntryOptions { AbsoluteExpirationRelativeToNow = timeToLive });
    }
}

/// <summary>Limits both shared tiers apply.</summary>
internal static class SharedTierLimits
{
    /// <summary>Entries meant to live longer than this are written without an expiry.</summary>
    public static readonly TimeSpan LongestExpiry = TimeSpan.FromDays(3650);
}
