namespace Resilience;

/// <summary>Settings of a <see cref="Bulkhead"/>. Read and validated once, at construction.</summary>
public sealed class BulkheadOptions : IEquatable<BulkheadOptions>
{
    /// <summary>Calls allowed to run at once; at least 1. Default 10.</summary>
    public int MaxConcurrency { get; set; } = 10;

    /// <summary>Calls allowed to wait for a slot; 0 (the default) rejects at once when full.</summary>
    public int MaxQueue { get; set; }

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the setting to change when a value is invalid.</summary>
    public void Validate() => throw new NotImplementedException();

    /// <inheritdoc />
    public bool Equals(BulkheadOptions? other) => throw new NotImplementedException();

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as BulkheadOptions);

    /// <inheritdoc />
    public override int GetHashCode() => throw new NotImplementedException();
}
