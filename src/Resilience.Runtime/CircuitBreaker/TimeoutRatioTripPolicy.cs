namespace Resilience;

/// <summary>
/// Opens the circuit when, over the breaker's rolling sampling window, at least <see cref="MinimumThroughput"/> calls
/// were recorded and the share of timeouts is at least <see cref="Ratio"/>. A timeout is an
/// <see cref="OperationCanceledException"/> that is not the caller's own cancellation, or a <see cref="TimeoutException"/>
/// (such as <see cref="ResilienceTimeoutException"/>).
/// </summary>
public sealed class TimeoutRatioTripPolicy : ITripPolicy, IEquatable<TimeoutRatioTripPolicy>
{
    private readonly RatioThreshold _threshold;

    /// <summary>Creates the policy.</summary>
    /// <param name="ratio">Timeouts / requests that opens the circuit, in (0, 1].</param>
    /// <param name="minimumThroughput">Requests in the window before the ratio is looked at; at least 1.</param>
    /// <exception cref="ArgumentOutOfRangeException">An argument is outside its range.</exception>
    public TimeoutRatioTripPolicy(double ratio, int minimumThroughput)
        => _threshold = new RatioThreshold(ratio, minimumThroughput);

    /// <summary>Timeouts / requests that opens the circuit, in (0, 1].</summary>
    public double Ratio => _threshold.Ratio;

    /// <summary>Requests in the window before the ratio is looked at.</summary>
    public int MinimumThroughput => _threshold.MinimumThroughput;

    /// <inheritdoc />
    public bool ShouldTrip(in CircuitCounts counts)
        => _threshold.IsReachedBy(counts.Timeouts, counts.Requests);

    /// <summary>Two policies are equal when their ratios and minimum throughputs are.</summary>
    /// <param name="other">The policy to compare with.</param>
    public bool Equals(TimeoutRatioTripPolicy? other)
        => other is not null && other._threshold.Equals(_threshold);

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as TimeoutRatioTripPolicy);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(typeof(TimeoutRatioTripPolicy), Ratio, MinimumThroughput);
}
