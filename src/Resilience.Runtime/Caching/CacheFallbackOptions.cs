namespace Resilience;

/// <summary>Settings of a <see cref="CacheFallbackStrategy"/>. Read and validated once, at construction.</summary>
public sealed class CacheFallbackOptions : IEquatable<CacheFallbackOptions>
{
    /// <summary>How long a result is fresh (returned without calling); <see cref="TimeSpan.Zero"/> (the default) means only as a stale fallback.</summary>
    public TimeSpan Ttl { get; set; } = TimeSpan.FromMilliseconds(CacheFallbackDefaults.TtlMs);

    /// <summary>How long after <see cref="Ttl"/> a result may answer a failed call. Default 5 minutes.</summary>
    public TimeSpan StaleTtl { get; set; } = TimeSpan.FromMilliseconds(CacheFallbackDefaults.StaleTtlMs);

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the setting to change when a value is invalid.</summary>
    public void Validate()
    {
        if (Ttl < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(Ttl), Ttl, $"Ttl must be zero or positive; got {Ttl}.");
        }

        if (StaleTtl < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(StaleTtl), StaleTtl, $"StaleTtl must be zero or positive; got {StaleTtl}.");
        }

        if (Ttl == TimeSpan.Zero && StaleTtl == TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(
                nameof(StaleTtl),
                StaleTtl,
                "Ttl and StaleTtl are both zero, so no result would ever be used; make Ttl or StaleTtl positive.");
        }

        if (Ttl > TimeSpan.MaxValue - StaleTtl)
        {
            throw new ArgumentOutOfRangeException(nameof(StaleTtl), StaleTtl, $"Ttl + StaleTtl must not exceed {TimeSpan.MaxValue}; got Ttl {Ttl} and StaleTtl {StaleTtl}.");
        }
    }

    /// <inheritdoc />
    public bool Equals(CacheFallbackOptions? other)
        => other is not null && Ttl == other.Ttl && StaleTtl == other.StaleTtl;

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as CacheFallbackOptions);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Ttl, StaleTtl);

    /// <summary>The settings, for messages: <c>Ttl = …, StaleTtl = …</c>.</summary>
    public override string ToString() => $"Ttl = {Ttl}, StaleTtl = {StaleTtl}";
}
