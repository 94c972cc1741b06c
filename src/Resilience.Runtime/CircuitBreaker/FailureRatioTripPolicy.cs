namespace Resilience;

/// <summary>
/// Opens the circuit when, over the breaker's rolling sampling window, at least <see cref="MinimumThroughput"/> calls
/// were recorded and the share of failures (timeouts included) is at least <see cref="Ratio"/>.
/// </summary>
public sealed class FailureRatioTripPolicy : ITripPolicy, IEquatable<FailureRatioTripPolicy>
{
    /// <summary>Creates the policy.</summary>
    /// <param name="ratio">Failures / requests that opens the circuit, in (0, 1].</param>
    /// <param name="minimumThroughput">Requests in the window before the ratio is looked at; at least 1.</param>
    /// <exception cref="ArgumentOutOfRangeException">An argument is outside its range.</exception>
    public FailureRatioTripPolicy(double ratio, int minimumThroughput)
    {
        TripPolicyArguments.ValidateRatio(ratio, nameof(ratio));
        TripPolicyArguments.ValidateMinimumThroughput(minimumThroughput, nameof(minimumThroughput));
        Ratio = ratio;
        MinimumThroughput = minimumThroughput;
    }

    /// <summary>Failures / requests that opens the circuit, in (0, 1].</summary>
    public double Ratio { get; }

    /// <summary>Requests in the window before the ratio is looked at.</summary>
    public int MinimumThroughput { get; }

    /// <inheritdoc />
    public bool ShouldTrip(in CircuitCounts counts)
        => counts.Requests >= MinimumThroughput && (double)counts.Failures / counts.Requests >= Ratio;

    /// <summary>Two policies are equal when their ratios and minimum throughputs are.</summary>
    /// <param name="other">The policy to compare with.</param>
    public bool Equals(FailureRatioTripPolicy? other)
        => other is not null && other.Ratio.Equals(Ratio) && other.MinimumThroughput == MinimumThroughput;

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as FailureRatioTripPolicy);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(typeof(FailureRatioTripPolicy), Ratio, MinimumThroughput);
}
