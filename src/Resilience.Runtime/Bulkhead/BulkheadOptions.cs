using System.Globalization;

namespace Resilience;

/// <summary>Settings of a <see cref="Bulkhead"/>. Read and validated once, at construction.</summary>
public sealed class BulkheadOptions : IEquatable<BulkheadOptions>
{
    /// <summary>Calls allowed to run at once; at least 1. Default 10.</summary>
    public int MaxConcurrency { get; set; } = BulkheadDefaults.MaxConcurrency;

    /// <summary>Calls allowed to wait for a slot, served oldest first; 0 (the default) rejects at once when full.</summary>
    public int MaxQueue { get; set; } = BulkheadDefaults.MaxQueue;

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the setting to change when a value is invalid.</summary>
    public void Validate()
    {
        if (MaxConcurrency < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxConcurrency), MaxConcurrency, string.Create(CultureInfo.InvariantCulture, $"MaxConcurrency must be at least 1; got {MaxConcurrency}."));
        }

        if (MaxQueue < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxQueue), MaxQueue, string.Create(CultureInfo.InvariantCulture, $"MaxQueue must be 0 (reject at once when full) or more; got {MaxQueue}."));
        }
    }

    /// <inheritdoc />
    public bool Equals(BulkheadOptions? other) =>
        other is not null && MaxConcurrency == other.MaxConcurrency && MaxQueue == other.MaxQueue;

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as BulkheadOptions);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(MaxConcurrency, MaxQueue);
}
