using System.Globalization;

namespace Resilience;

/// <summary>Opens the circuit after <see cref="Threshold"/> failures in a row (no success in between).</summary>
public sealed class ConsecutiveFailuresTripPolicy : ITripPolicy, IEquatable<ConsecutiveFailuresTripPolicy>
{
    /// <summary>Creates the policy.</summary>
    /// <param name="threshold">Consecutive failures that open the circuit; at least 1.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="threshold"/> is less than 1.</exception>
    public ConsecutiveFailuresTripPolicy(int threshold)
    {
        if (threshold < 1)
        {
            throw new ArgumentOutOfRangeException(
                nameof(threshold),
                string.Create(CultureInfo.InvariantCulture, $"The failure threshold must be at least 1; got {threshold}."));
        }

        Threshold = threshold;
    }

    /// <summary>Consecutive failures that open the circuit.</summary>
    public int Threshold { get; }

    /// <inheritdoc />
    public bool ShouldTrip(in CircuitCounts counts) => counts.ConsecutiveFailures >= Threshold;

    /// <summary>Two policies are equal when their thresholds are.</summary>
    /// <param name="other">The policy to compare with.</param>
    public bool Equals(ConsecutiveFailuresTripPolicy? other) => other is not null && other.Threshold == Threshold;

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as ConsecutiveFailuresTripPolicy);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(typeof(ConsecutiveFailuresTripPolicy), Threshold);
}
