using System.Diagnostics.Metrics;
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.Logging;

namespace Resilience.Caching;

/// <summary>
/// An <see cref="ICacheFallbackStore"/> that shares <c>[CacheFallback]</c> results between processes through a
/// <see cref="HybridCache"/> (its distributed tier: an <c>IDistributedCache</c> registered before <c>AddHybridCache</c>),
/// with an in-memory tier of decoded results in front. See docs/caching.md for what it guarantees.
/// </summary>
/// <remarks>
/// Entries are written as bytes (the format and the JSON come from this store, so no <c>IHybridCacheSerializer</c> is
/// needed) and bypass HybridCache's own in-memory cache, which would only hold a second copy. A fresh hit in this
/// store's in-memory tier allocates nothing and makes no round trip. Reads block the call at most
/// <see cref="SharedCacheFallbackStoreOptions.OperationTimeout"/>; writes never block it.
/// </remarks>
public sealed class HybridCacheFallbackStore : SharedCacheFallbackStore
{
    /// <summary>Creates the store.</summary>
    /// <param name="cache">The HybridCache.</param>
    /// <param name="options">Settings; validated here (<see cref="SharedCacheFallbackStoreOptions.TypeInfoResolver"/> is required).</param>
    /// <param name="timeProvider">The clock of entry times and of <see cref="SharedCacheFallbackStoreOptions.RetryInterval"/>; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    /// <param name="loggerFactory">Where changes of the shared cache's availability are logged (category <c>Resilience.Caching</c>), if anywhere.</param>
    /// <param name="meterFactory">Creates the <c>Resilience.Caching</c> meter; a meter of its own when <see langword="null"/>.</param>
    public HybridCacheFallbackStore(
        HybridCache cache,
        SharedCacheFallbackStoreOptions options,
        TimeProvider? timeProvider = null,
        ILoggerFactory? loggerFactory = null,
        IMeterFactory? meterFactory = null)
        : base(new Tier(cache ?? throw new ArgumentNullException(nameof(cache))), options, timeProvider, loggerFactory, meterFactory)
    {
    }

    private sealed class Tier(HybridCache cache) : ISharedTier
    {
        private static readonly HybridCacheEntryOptions ReadOptions = new()
        {
            Flags = HybridCacheEntryFlags.DisableLocalCache | HybridCacheEntryFlags.DisableDistributedCacheWrite | HybridCacheEntryFlags.DisableUnderlyingData,
        };

        public string Kind => "hybrid_cache";

        public Task<byte[]?> GetAsync(string key)
            => cache.GetOrCreateAsync<byte[]?>(key, static _ => ValueTask.FromResult<byte[]?>(null), ReadOptions).AsTask();

        public Task SetAsync(string key, byte[] value, TimeSpan timeToLive)
            => cache.SetAsync(key, value, new HybridCacheEntryOptions
            {
                Expiration = timeToLive >= SharedTierLimits.LongestExpiry ? null : timeToLive,
                Flags = HybridCacheEntryFlags.DisableLocalCache,
            }).AsTask();
    }
}
