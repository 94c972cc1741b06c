namespace Resilience.Caching;

/// <summary>The shared cache behind the in-memory tier: raw bytes under a key, with an absolute expiry.</summary>
internal interface ISharedTier
{
    /// <summary>What the shared cache is, for logs and the telemetry tag: <c>distributed_cache</c> or <c>hybrid_cache</c>.</summary>
    string Kind { get; }

    /// <summary>Reads the bytes under <paramref name="key"/>; <see langword="null"/> when there are none.</summary>
    Task<byte[]?> GetAsync(string key);

    /// <summary>Writes <paramref name="value"/> under <paramref name="key"/>, to expire after <paramref name="timeToLive"/>.</summary>
    Task SetAsync(string key, byte[] value, TimeSpan timeToLive);
}
