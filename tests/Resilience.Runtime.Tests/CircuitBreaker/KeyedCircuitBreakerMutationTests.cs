using Microsoft.Extensions.Time.Testing;

namespace Resilience.Runtime.Tests.CircuitBreaker;

/// <summary>Keyed-breaker behaviour mutation testing (docs/testing.md, sixth pass) found unchecked.</summary>
public sealed class KeyedCircuitBreakerMutationTests
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public void A_key_that_trips_raises_StateChanged_naming_the_key()
    {
        using var breakers = new KeyedCircuitBreaker<string>("hosts", new CircuitBreakerOptions { FailureThreshold = 1 }, _time);
        var changes = new List<CircuitStateChangedEventArgs>();
        breakers.StateChanged += (_, change) => changes.Add(change);

        breakers.Acquire("db-1").RecordSuccess();
        breakers.Acquire("db-1").RecordFailure();

        CircuitStateChangedEventArgs opened = Assert.Single(changes);
        Assert.Equal("hosts", opened.Name);
        Assert.Equal("db-1", opened.Key);
        Assert.Equal(CircuitState.Closed, opened.OldState);
        Assert.Equal(CircuitState.Open, opened.NewState);
    }

    [Fact]
    public void Reconfiguring_with_invalid_options_throws_and_keeps_the_old_settings()
    {
        using var breakers = new KeyedCircuitBreaker<string>("hosts", new CircuitBreakerOptions { FailureThreshold = 2 }, _time);

        var error = Assert.Throws<ArgumentOutOfRangeException>(
            () => ((IKeyedCircuitBreaker)breakers).Reconfigure(new CircuitBreakerOptions { FailureThreshold = 0 }));
        Assert.Equal(nameof(CircuitBreakerOptions.FailureThreshold), error.ParamName);

        // A new key still gets the old threshold of two.
        breakers.Acquire("db-1").RecordFailure();
        Assert.True(breakers.TryAcquire("db-1", out CircuitBreakerLease lease));
        lease.RecordFailure();
        Assert.False(breakers.TryAcquire("db-1", out _));
    }

    [Fact]
    public void The_constructor_rejects_a_null_name_or_options_naming_the_parameter()
    {
        var options = new CircuitBreakerOptions();

        Assert.Equal("name", Assert.Throws<ArgumentNullException>(() => new KeyedCircuitBreaker<string>(null!, options, _time)).ParamName);
        Assert.Equal("options", Assert.Throws<ArgumentNullException>(() => new KeyedCircuitBreaker<string>("hosts", null!, _time)).ParamName);
    }
}
