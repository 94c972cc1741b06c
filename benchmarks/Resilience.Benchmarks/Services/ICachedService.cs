namespace Resilience.Benchmarks.Services;

/// <summary>How a price is sold; part of the cache key.</summary>
public enum PriceTier
{
    /// <summary>To consumers.</summary>
    Retail,

    /// <summary>To resellers.</summary>
    Wholesale,
}

/// <summary>Scenario "cache fallback": a key of a string, an int, an enum and a Guid.</summary>
public interface ICachedService
{
    /// <summary>Fresh for an hour: every call after the first is a hit.</summary>
    [CacheFallback(TtlMs = 3_600_000)]
    int Price(string sku, int region, PriceTier tier, Guid tenant);

    /// <summary>Stale answers only: every call reaches the inner service and stores its result under the same key.</summary>
    [CacheFallback(StaleTtlMs = 3_600_000)]
    int Quote(string sku, int region, PriceTier tier, Guid tenant);
}

/// <summary>Answers 42 at once.</summary>
public sealed class CachedService : ICachedService
{
    /// <inheritdoc />
    public int Price(string sku, int region, PriceTier tier, Guid tenant) => 42;

    /// <inheritdoc />
    public int Quote(string sku, int region, PriceTier tier, Guid tenant) => 42;
}
