using System.Text.Json.Serialization.Metadata;

namespace Resilience.Caching;

/// <summary>Settings of <see cref="DistributedCacheFallbackStore"/> and <see cref="HybridCacheFallbackStore"/>. Validated once, at construction.</summary>
public sealed class SharedCacheFallbackStoreOptions
{
    /// <summary>
    /// Where the System.Text.Json metadata of the cached result types comes from: your source-generated
    /// <c>JsonSerializerContext</c> (e.g. <c>AppJsonContext.Default</c>) with a <c>[JsonSerializable(typeof(T))]</c> for each
    /// result type of a <c>[CacheFallback]</c> method. Required. Source-generated metadata keeps trimming and Native AOT
    /// working; a context's own options (naming policy and so on) are used.
    /// </summary>
    public IJsonTypeInfoResolver? TypeInfoResolver { get; set; }

    /// <summary>A prefix for every key written to the shared cache, so that several applications can share one. Default <c>resilience:cache:</c>.</summary>
    public string KeyPrefix { get; set; } = "resilience:cache:";

    /// <summary>
    /// How long one read of the shared cache may block a call before the call goes on with the in-memory tier; the
    /// shared cache is then treated as unavailable. Wall-clock time. Default 250 ms.
    /// </summary>
    public TimeSpan OperationTimeout { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// After the shared cache failed or timed out, how long calls use only the in-memory tier before one background
    /// read checks whether it is back (calls never wait for that check). Default 5 s.
    /// </summary>
    public TimeSpan RetryInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// The shortest time between two writes of the same key to the shared cache from this process: results of a key
    /// stored more often are kept in memory and written at most this often (zero writes every result). Default 1 s.
    /// </summary>
    public TimeSpan MinimumWriteInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The most entries the in-memory tier keeps (least recently used dropped first); at least 1. Default 10 000.</summary>
    public int LocalMaxEntries { get; set; } = 10_000;

    /// <summary>Throws <see cref="ArgumentException"/> naming the setting to change when a value is invalid.</summary>
    public void Validate()
    {
        if (TypeInfoResolver is null)
        {
            throw new ArgumentException(
                "SharedCacheFallbackStoreOptions.TypeInfoResolver is not set: set it to your source-generated JsonSerializerContext "
                + "(e.g. options.TypeInfoResolver = AppJsonContext.Default) with [JsonSerializable(typeof(T))] for each result type of a [CacheFallback] method.",
                nameof(TypeInfoResolver));
        }

        if (KeyPrefix is null)
        {
            throw new ArgumentException("SharedCacheFallbackStoreOptions.KeyPrefix must not be null; use \"\" for no prefix.", nameof(KeyPrefix));
        }

        if (OperationTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(OperationTimeout), OperationTimeout, $"OperationTimeout must be positive; got {OperationTimeout}.");
        }

        if (RetryInterval <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(RetryInterval), RetryInterval, $"RetryInterval must be positive; got {RetryInterval}.");
        }

        if (MinimumWriteInterval < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(
                nameof(MinimumWriteInterval), MinimumWriteInterval, $"MinimumWriteInterval must be zero or positive; got {MinimumWriteInterval}.");
        }

        if (LocalMaxEntries < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(LocalMaxEntries), LocalMaxEntries, $"LocalMaxEntries must be at least 1; got {LocalMaxEntries}.");
        }
    }
}
