using Resilience.EndToEnd.Tests.Infrastructure;

namespace Resilience.EndToEnd.Tests;

/// <summary>A generated breaker with SuccessThreshold, IntervalMs and HandleException; a generated exact sliding window.</summary>
[CircuitBreaker(FailureThreshold = 2, BreakDurationMs = 1_000, SuccessThreshold = 2, IntervalMs = 5_000, HandleException = nameof(Counts))]
public interface IKnobService
{
    string Call(string outcome);

    [RateLimit(PermitLimit = 2, WindowMs = 1_000, Algorithm = RateLimitAlgorithm.SlidingWindowExact)]
    int Limited();

    /// <summary>An argument error is the caller's fault: it does not count against the downstream.</summary>
    static bool Counts(Exception exception) => exception is not ArgumentException;
}

public sealed class KnobService : IKnobService
{
    public string Call(string outcome) => outcome switch
    {
        "ok" => "ok",
        "bad-argument" => throw new ArgumentException("bad"),
        _ => throw new InvalidOperationException(outcome),
    };

    public int Limited() => 1;
}

public sealed class SeedKnobsTests : IDisposable
{
    private readonly Clock _clock = new();
    private readonly KnobServiceResilient _proxy;

    public SeedKnobsTests() => _proxy = new KnobServiceResilient(new KnobService(), _clock.Registry);

    public void Dispose() => _clock.Dispose();

    private CircuitBreaker Breaker => _clock.Registry.TryGetCircuitBreaker("Resilience.EndToEnd.Tests.IKnobService", out CircuitBreaker? breaker)
        ? breaker
        : throw new InvalidOperationException("no breaker");

    [Fact]
    public void Exceptions_HandleException_declines_are_neutral()
    {
        for (int i = 0; i < 5; i++)
        {
            Assert.Throws<ArgumentException>(() => _proxy.Call("bad-argument"));
        }

        Assert.Equal(CircuitState.Closed, Breaker.State);
        Assert.Throws<InvalidOperationException>(() => _proxy.Call("down"));
        Assert.Throws<InvalidOperationException>(() => _proxy.Call("down"));
        Assert.Equal(CircuitState.Open, Breaker.State);
    }

    [Fact]
    public void The_interval_forgets_an_old_streak()
    {
        Assert.Throws<InvalidOperationException>(() => _proxy.Call("down"));
        _clock.Advance(5_000);
        Assert.Throws<InvalidOperationException>(() => _proxy.Call("down"));

        Assert.Equal(CircuitState.Closed, Breaker.State);
    }

    [Fact]
    public void Two_probe_successes_close_the_circuit()
    {
        Assert.Throws<InvalidOperationException>(() => _proxy.Call("down"));
        Assert.Throws<InvalidOperationException>(() => _proxy.Call("down"));
        _clock.Advance(1_000);

        Assert.Equal("ok", _proxy.Call("ok"));
        Assert.Equal(CircuitState.HalfOpen, Breaker.State);
        Assert.Equal("ok", _proxy.Call("ok"));
        Assert.Equal(CircuitState.Closed, Breaker.State);
    }

    [Fact]
    public void The_exact_window_returns_a_permit_one_window_after_it_was_taken()
    {
        Assert.Equal(1, _proxy.Limited());
        _clock.Advance(300);
        Assert.Equal(1, _proxy.Limited());
        Assert.Throws<RateLimitRejectedException>(() => _proxy.Limited());

        _clock.Advance(700);
        Assert.Equal(1, _proxy.Limited());
        Assert.Throws<RateLimitRejectedException>(() => _proxy.Limited());
    }
}
