namespace Resilience;

/// <summary>Settings of a <see cref="CacheFallbackStrategy"/>. Read and validated once, at construction.</summary>
public sealed class CacheFallbackOptions : IEquatable<CacheFallbackOptions>
{
    /// <summary>How long a result is fresh (returned without calling); <see cref="TimeSpan.Zero"/> (the default) means only as a stale fallback.</summary>
    public TimeSpan Ttl { get; set; }

    /// <summary>How long after <see cref="Ttl"/> a result may answer a failed call. Default 5 minutes.</summary>
    public TimeSpan StaleTtl { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the setting to change when a value is invalid.</summary>
    public void Validate() => throw new NotImplementedException();

    /// <inheritdoc />
    public bool Equals(CacheFallbackOptions? other) => throw new NotImplementedException();

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as CacheFallbackOptions);

    /// <inheritdoc />
    public override int GetHashCode() => throw new NotImplementedException();
}
