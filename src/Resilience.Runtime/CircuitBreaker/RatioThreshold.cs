using System.Globalization;

namespace Resilience;

/// <summary>
/// The ratio and minimum throughput of <see cref="FailureRatioTripPolicy"/> and <see cref="TimeoutRatioTripPolicy"/>,
/// which differ only in which count they divide by the requests: validated once, compared by value.
/// </summary>
internal readonly struct RatioThreshold : IEquatable<RatioThreshold>
{
    /// <exception cref="ArgumentOutOfRangeException">
    /// <paramref name="ratio"/> is outside (0, 1] or <paramref name="minimumThroughput"/> is below 1.
    /// </exception>
    public RatioThreshold(double ratio, int minimumThroughput)
    {
        if (!(ratio > 0 && ratio <= 1))
        {
            throw new ArgumentOutOfRangeException(
                nameof(ratio),
                string.Create(CultureInfo.InvariantCulture, $"The ratio must be in (0, 1]; got {ratio}."));
        }

        if (minimumThroughput < 1)
        {
            throw new ArgumentOutOfRangeException(
                nameof(minimumThroughput),
                string.Create(CultureInfo.InvariantCulture, $"The minimum throughput must be at least 1; got {minimumThroughput}."));
        }

        Ratio = ratio;
        MinimumThroughput = minimumThroughput;
    }

    /// <summary>Count / requests at or above which the threshold is reached, in (0, 1].</summary>
    public double Ratio { get; }

    /// <summary>Requests needed before the ratio is looked at; at least 1.</summary>
    public int MinimumThroughput { get; }

    /// <summary>
    /// True when at least <see cref="MinimumThroughput"/> requests were recorded and <paramref name="count"/> /
    /// <paramref name="requests"/> is at least <see cref="Ratio"/>.
    /// </summary>
    public bool IsReachedBy(long count, long requests)
        => requests >= MinimumThroughput && (double)count / requests >= Ratio;

    public bool Equals(RatioThreshold other) => other.Ratio.Equals(Ratio) && other.MinimumThroughput == MinimumThroughput;

    public override bool Equals(object? obj) => obj is RatioThreshold other && Equals(other);

    public override int GetHashCode() => HashCode.Combine(Ratio, MinimumThroughput);
}
