using System.Globalization;

namespace Resilience;

/// <summary>Argument checks shared by the ratio trip policies.</summary>
internal static class TripPolicyArguments
{
    public static void ValidateRatio(double ratio, string parameterName)
    {
        if (!(ratio > 0 && ratio <= 1))
        {
            throw new ArgumentOutOfRangeException(
                parameterName,
                string.Create(CultureInfo.InvariantCulture, $"The ratio must be in (0, 1]; got {ratio}."));
        }
    }

    public static void ValidateMinimumThroughput(int minimumThroughput, string parameterName)
    {
        if (minimumThroughput < 1)
        {
            throw new ArgumentOutOfRangeException(
                parameterName,
                string.Create(CultureInfo.InvariantCulture, $"The minimum throughput must be at least 1; got {minimumThroughput}."));
        }
    }
}
