using Microsoft.Extensions.Time.Testing;
using static Resilience.Runtime.Tests.CircuitBreaker.BreakerTestKit;

namespace Resilience.Runtime.Tests.CircuitBreaker;

using CircuitBreaker = global::Resilience.CircuitBreaker;

/// <summary>
/// Public contracts mutation testing (docs/testing.md, sixth pass) found unchecked: trip-policy equality with
/// <see langword="null"/>, a coordinator's defaults, and the lease's argument check.
/// </summary>
public sealed class CircuitBreakerContractMutationTests
{
    [Fact]
    public void A_failure_ratio_policy_equals_an_equal_one_and_never_null()
    {
        var policy = new FailureRatioTripPolicy(0.5, 10);

        Assert.False(policy.Equals(null));
        Assert.False(policy.Equals((object?)null));
        Assert.True(policy.Equals(new FailureRatioTripPolicy(0.5, 10)));
        Assert.False(policy.Equals(new FailureRatioTripPolicy(0.5, 11)));
    }

    [Fact]
    public void A_timeout_ratio_policy_equals_an_equal_one_and_never_null()
    {
        var policy = new TimeoutRatioTripPolicy(0.3, 10);

        Assert.False(policy.Equals(null));
        Assert.False(policy.Equals((object?)null));
        Assert.True(policy.Equals(new TimeoutRatioTripPolicy(0.3, 10)));
        Assert.False(policy.Equals(new TimeoutRatioTripPolicy(0.4, 10)));
    }

    [Fact]
    public void A_coordinator_shares_no_key_and_grants_every_probe_unless_it_says_otherwise()
    {
        var coordinator = new MinimalCoordinator();
        CircuitBreaker breaker = Create(Consecutive(1), out FakeTimeProvider _);

        Assert.False(coordinator.SharesKey(null));
        Assert.False(coordinator.SharesKey("tenant-a"));
        Assert.True(coordinator.TryAcquireProbe(breaker, null));
        Assert.True(coordinator.TryAcquireProbe(breaker, "tenant-a"));
    }

    [Fact]
    public void Recording_a_null_exception_throws_naming_the_parameter()
    {
        CircuitBreaker breaker = Create(Consecutive(1), out FakeTimeProvider _);
        CircuitBreakerLease lease = breaker.Acquire();

        ArgumentNullException error = Assert.Throws<ArgumentNullException>(() => lease.RecordException(null!, CancellationToken.None));

        Assert.Equal("exception", error.ParamName);
        Assert.Equal(CircuitState.Closed, breaker.State);
    }

    private sealed class MinimalCoordinator : CircuitBreakerCoordinator
    {
        public override void OnStateChanged(CircuitBreaker breaker, CircuitStateChangedEventArgs change)
        {
        }
    }
}
