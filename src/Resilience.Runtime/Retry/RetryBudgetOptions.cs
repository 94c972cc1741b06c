using System.Globalization;

namespace Resilience;

/// <summary>
/// Settings of a <see cref="RetryBudget"/>: retries may add <see cref="Ratio"/> of the calls made in the last
/// <see cref="Window"/>, plus <see cref="MinRetriesPerSecond"/> × <see cref="Window"/> (in seconds). In code through
/// <see cref="ResilienceOptions.RetryBudgets"/> or <see cref="ResilienceRegistry.GetOrAddRetryBudget"/>; in configuration
/// under <c>Resilience:RetryBudgets:&lt;name&gt;</c>. See docs/retry-budget.md.
/// </summary>
public sealed class RetryBudgetOptions : IEquatable<RetryBudgetOptions>
{
    /// <summary>Retries allowed per call of the window, in [0, 1]. Default 0.2 (retries add at most 20 % to the load).</summary>
    public double Ratio { get; set; } = RetryBudgetDefaults.Ratio;

    /// <summary>Retries allowed per second of the window whatever the traffic, 0 or more. Default 10.</summary>
    public int MinRetriesPerSecond { get; set; } = RetryBudgetDefaults.MinRetriesPerSecond;

    /// <summary>How far back calls and retries are counted, from 100 ms to 1 hour, in ten buckets. Default 10 s.</summary>
    public TimeSpan Window { get; set; } = TimeSpan.FromMilliseconds(RetryBudgetDefaults.WindowMs);

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the setting to change and the value it had, when a value is invalid.</summary>
    public void Validate()
    {
        if (!(Ratio >= 0 && Ratio <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(Ratio), Invariant($"Ratio must be in [0, 1]; got {Ratio}."));
        }

        if (MinRetriesPerSecond < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(MinRetriesPerSecond), Invariant($"MinRetriesPerSecond must be 0 or more; got {MinRetriesPerSecond}."));
        }

        if (Window < TimeSpan.FromMilliseconds(100) || Window > TimeSpan.FromHours(1))
        {
            throw new ArgumentOutOfRangeException(nameof(Window), Invariant($"Window must be from 100 ms to 1 hour; got {Window.TotalMilliseconds} ms."));
        }
    }

    /// <inheritdoc />
    public bool Equals(RetryBudgetOptions? other)
        => other is not null && Ratio.Equals(other.Ratio) && MinRetriesPerSecond == other.MinRetriesPerSecond && Window == other.Window;

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as RetryBudgetOptions);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Ratio, MinRetriesPerSecond, Window);

    internal RetryBudgetOptions Clone() => new() { Ratio = Ratio, MinRetriesPerSecond = MinRetriesPerSecond, Window = Window };

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
