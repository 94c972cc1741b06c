namespace Resilience.Runtime.Tests.CircuitBreaker;

public sealed class TripPolicyTests
{
    [Theory]
    [InlineData(3, 2, false)]
    [InlineData(3, 3, true)]
    [InlineData(3, 4, true)]
    [InlineData(1, 1, true)]
    public void ConsecutiveFailures_TripsAtTheThreshold(int threshold, int consecutiveFailures, bool trips)
    {
        var policy = new ConsecutiveFailuresTripPolicy(threshold);

        // Window totals do not matter to this policy, only the streak.
        Assert.Equal(trips, policy.ShouldTrip(new CircuitCounts { Requests = 1000, Failures = 1000, ConsecutiveFailures = consecutiveFailures }));
    }

    [Theory]
    [InlineData(9, 9, 0, false)]    // below minimum throughput, even at 100 %
    [InlineData(10, 4, 0, false)]
    [InlineData(10, 5, 0, true)]
    [InlineData(10, 5, 5, true)]    // timeouts are failures too
    [InlineData(10, 10, 0, true)]
    public void FailureRatio_NeedsMinimumThroughputAndTheRatio(long requests, long failures, long timeouts, bool trips)
    {
        var policy = new FailureRatioTripPolicy(0.5, 10);

        Assert.Equal(trips, policy.ShouldTrip(new CircuitCounts { Requests = requests, Successes = requests - failures, Failures = failures, Timeouts = timeouts }));
    }

    [Theory]
    [InlineData(9, 9, false)]
    [InlineData(10, 2, false)]
    [InlineData(10, 3, true)]
    public void TimeoutRatio_LooksAtTimeoutsOnly(long requests, long timeouts, bool trips)
    {
        var policy = new TimeoutRatioTripPolicy(0.3, 10);

        Assert.Equal(trips, policy.ShouldTrip(new CircuitCounts { Requests = requests, Failures = requests, Timeouts = timeouts }));
    }

    [Fact]
    public void Constructors_RejectInvalidArguments()
    {
        Assert.Equal("threshold", Assert.Throws<ArgumentOutOfRangeException>(() => new ConsecutiveFailuresTripPolicy(0)).ParamName);
        Assert.Equal("ratio", Assert.Throws<ArgumentOutOfRangeException>(() => new FailureRatioTripPolicy(0, 1)).ParamName);
        Assert.Equal("ratio", Assert.Throws<ArgumentOutOfRangeException>(() => new FailureRatioTripPolicy(1.01, 1)).ParamName);
        Assert.Equal("ratio", Assert.Throws<ArgumentOutOfRangeException>(() => new TimeoutRatioTripPolicy(double.NaN, 1)).ParamName);
        Assert.Equal("minimumThroughput", Assert.Throws<ArgumentOutOfRangeException>(() => new TimeoutRatioTripPolicy(0.5, 0)).ParamName);
        Assert.Contains("must be in (0, 1]; got 1.01", Assert.Throws<ArgumentOutOfRangeException>(() => new FailureRatioTripPolicy(1.01, 1)).Message, StringComparison.Ordinal);
    }
}
