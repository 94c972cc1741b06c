using System.Globalization;

namespace Resilience;

/// <summary>Settings of a <see cref="HedgeStrategy"/>. Read and validated once, at construction.</summary>
public sealed class HedgeOptions : IEquatable<HedgeOptions>
{
    /// <summary>The <see cref="Delay"/> that hedges only when an attempt fails: <see cref="Timeout.InfiniteTimeSpan"/> (-1 ms).</summary>
    public static readonly TimeSpan OnlyOnFailure = System.Threading.Timeout.InfiniteTimeSpan;

    /// <summary>
    /// How long the latest attempt may go unanswered before another starts. Default 2 s; <see cref="TimeSpan.Zero"/>
    /// starts every attempt at once; <see cref="OnlyOnFailure"/> (-1 ms) hedges only when an attempt fails. At most
    /// <see cref="int.MaxValue"/> ms.
    /// </summary>
    public TimeSpan Delay { get; set; } = TimeSpan.FromMilliseconds(HedgeDefaults.DelayMs);

    /// <summary>Attempts beyond the first, from 1 to 10. Default 1.</summary>
    public int MaxHedges { get; set; } = HedgeDefaults.MaxHedges;

    /// <summary>Whether a failed attempt starts the next one at once (when any are left). Default <see langword="true"/>.</summary>
    public bool OnFailure { get; set; } = HedgeDefaults.OnFailure;

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the setting to change and the value it had, when a value is invalid.</summary>
    public void Validate()
    {
        if (Delay != OnlyOnFailure && (Delay < TimeSpan.Zero || Delay > TimeSpan.FromMilliseconds(int.MaxValue)))
        {
            throw new ArgumentOutOfRangeException(
                nameof(Delay),
                Invariant($"Delay must be in [0, {int.MaxValue}] ms, or -1 ms to hedge only on failure; got {Delay.TotalMilliseconds} ms."));
        }

        if (MaxHedges < 1 || MaxHedges > HedgeDefaults.MaxHedgesLimit)
        {
            throw new ArgumentOutOfRangeException(
                nameof(MaxHedges),
                Invariant($"MaxHedges must be in [1, {HedgeDefaults.MaxHedgesLimit}]; got {MaxHedges}."));
        }

        if (Delay == OnlyOnFailure && !OnFailure)
        {
            throw new ArgumentOutOfRangeException(
                nameof(OnFailure),
                "OnFailure must be true when Delay is -1 ms (hedge only on failure): otherwise no hedge is ever made.");
        }
    }

    /// <inheritdoc />
    public bool Equals(HedgeOptions? other)
        => other is not null && Delay == other.Delay && MaxHedges == other.MaxHedges && OnFailure == other.OnFailure;

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as HedgeOptions);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Delay, MaxHedges, OnFailure);

    /// <inheritdoc />
    public override string ToString() => Invariant($"Delay {Delay.TotalMilliseconds} ms, MaxHedges {MaxHedges}, OnFailure {OnFailure}");

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
