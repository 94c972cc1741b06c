namespace Resilience;

/// <summary>
/// Opens the circuit when, over the breaker's rolling sampling window, at least <see cref="MinimumThroughput"/> calls
/// were recorded and the share of failures (timeouts included) is at least <see cref="Ratio"/>.
/// </summary>
public sealed class FailureRatioTripPolicy : ITripPolicy, IEquatable<FailureRatioTripPolicy>
{
    private readonly RatioThreshold _threshold;

    /// <summary>Creates the policy.</summary>
    /// <param name="ratio">Failures / requests that opens the circuit, in (0, 1].</param>
    /// <param name="minimumThroughput">Requests in the window before the ratio is looked at; at least 1.</param>
    /// <exception cref="ArgumentOutOfRangeException">An argument is outside its range.</exception>
    public FailureRatioTripPolicy(double ratio, int minimumThroughput)
        => _threshold = new RatioThreshold(ratio, minimumThroughput);

    /// <summary>Failures / requests that opens the circuit, in (0, 1].</summary>
    public double Ratio => _threshold.Ratio;

    /// <summary>Requests in the window before the ratio is looked at.</summary>
    public int MinimumThroughput => _threshold.MinimumThroughput;

    /// <inheritdoc />
    public bool ShouldTrip(in CircuitCounts counts)
        => _threshold.IsReachedBy(counts.Failures, counts.Requests);

    /// <summary>Two policies are equal when their ratios and minimum throughputs are.</summary>
    /// <param name="other">The policy to compare with.</param>
    public bool Equals(FailureRatioTripPolicy? other)
        => other is not null && other._threshold.Equals(_threshold);

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as FailureRatioTripPolicy);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(typeof(FailureRatioTripPolicy), Ratio, MinimumThroughput);
}
