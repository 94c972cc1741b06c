using System.Globalization;

namespace Resilience;

/// <summary>Settings of a <see cref="Bulkhead"/>. Read and validated once, at construction.</summary>
public sealed class BulkheadOptions : IEquatable<BulkheadOptions>
{
    /// <summary>Calls allowed to run at once; at least 1. Default 10. For <see cref="BulkheadKind.WorkerPool"/>, also the number of worker threads.</summary>
    public int MaxConcurrency { get; set; } = BulkheadDefaults.MaxConcurrency;

    /// <summary>Calls allowed to wait for a slot, served oldest first; 0 (the default) rejects at once when full.</summary>
    public int MaxQueue { get; set; } = BulkheadDefaults.MaxQueue;

    /// <summary>
    /// How long a call may wait in the queue before it is rejected with <see cref="BulkheadRejectedException"/>
    /// (<see cref="BulkheadRejectionReason.WaitLimitExceeded"/>); measured on the registry's <see cref="TimeProvider"/>.
    /// <see langword="null"/> (the default) or <see cref="TimeSpan.Zero"/>: wait until a slot is free or the caller's
    /// token is cancelled. Must not be negative.
    /// </summary>
    public TimeSpan? MaxWait { get; set; }

    /// <summary>
    /// Whether admitted calls run on the caller's thread (<see cref="BulkheadKind.Semaphore"/>, the default) or on the
    /// bulkhead's own worker threads (<see cref="BulkheadKind.WorkerPool"/>). Fixed when the bulkhead is created.
    /// </summary>
    public BulkheadKind Kind { get; set; } = BulkheadDefaults.Kind;

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

        if (MaxWait is { } wait && (wait < TimeSpan.Zero || wait.TotalMilliseconds > uint.MaxValue - 1))
        {
            throw new ArgumentOutOfRangeException(nameof(MaxWait), wait, string.Create(CultureInfo.InvariantCulture, $"MaxWait must be null or 0 (wait until cancelled) or a positive time span of at most {uint.MaxValue - 1} ms; got {wait}."));
        }

        if (Kind is not (BulkheadKind.Semaphore or BulkheadKind.WorkerPool))
        {
            throw new ArgumentOutOfRangeException(nameof(Kind), Kind, string.Create(CultureInfo.InvariantCulture, $"Kind must be Semaphore or WorkerPool; got {(int)Kind}."));
        }
    }

    /// <summary>The wait limit in effect: <see langword="null"/> when there is none (<see cref="MaxWait"/> null or zero).</summary>
    internal TimeSpan? EffectiveMaxWait => MaxWait is { } wait && wait > TimeSpan.Zero ? wait : null;

    /// <inheritdoc />
    public bool Equals(BulkheadOptions? other) =>
        other is not null && MaxConcurrency == other.MaxConcurrency && MaxQueue == other.MaxQueue
        && EffectiveMaxWait == other.EffectiveMaxWait && Kind == other.Kind;

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as BulkheadOptions);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(MaxConcurrency, MaxQueue, EffectiveMaxWait, Kind);
}
