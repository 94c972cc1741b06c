using Microsoft.Extensions.Time.Testing;

namespace Resilience.Runtime.Tests.Registry;

/// <summary>Invalid settings asked for under a name that already exists report the invalid value, as for a new name.</summary>
public sealed class InvalidOptionsTests
{
    private readonly ResilienceRegistry _registry = new(new FakeTimeProvider());

    [Fact]
    public void A_breaker_names_the_invalid_setting_and_value_not_a_disagreement()
    {
        _registry.GetOrAddCircuitBreaker("db", new CircuitBreakerOptions());

        AssertInvalid(() => _registry.GetOrAddCircuitBreaker("db", new CircuitBreakerOptions { FailureThreshold = 0 }), "FailureThreshold", "got 0");
        AssertInvalid(() => _registry.GetOrAddKeyedCircuitBreaker<string>("db", new CircuitBreakerOptions { HalfOpenMaxCalls = -2 }), "HalfOpenMaxCalls", "got -2");
    }

    [Fact]
    public void Every_kind_names_the_invalid_setting_and_value_under_an_existing_name()
    {
        _registry.GetOrAddRetry("r", new RetryOptions());
        _registry.GetOrAddBulkhead("b", new BulkheadOptions());
        _registry.GetOrAddRateLimit("l", new RateLimitOptions());
        _registry.GetOrAddCacheFallback("c", new CacheFallbackOptions());
        _registry.GetOrAddTimeout("t", TimeSpan.FromSeconds(1));

        AssertInvalid(() => _registry.GetOrAddRetry("r", new RetryOptions { MaxRetries = -1 }), "MaxRetries", "got -1");
        AssertInvalid(() => _registry.GetOrAddBulkhead("b", new BulkheadOptions { MaxConcurrency = 0 }), "MaxConcurrency", "got 0");
        AssertInvalid(() => _registry.GetOrAddRateLimit("l", new RateLimitOptions { PermitLimit = 0 }), "PermitLimit", "got 0");
        AssertInvalid(() => _registry.GetOrAddKeyedRateLimit<int>("l", new RateLimitOptions { PermitLimit = -5 }), "PermitLimit", "got -5");
        AssertInvalid(() => _registry.GetOrAddCacheFallback("c", new CacheFallbackOptions { Ttl = TimeSpan.FromSeconds(-1) }), "Ttl", "got -00:00:01");
        AssertInvalid(() => _registry.GetOrAddTimeout("t", TimeSpan.Zero), "timeout", "got 0 ms");
    }

    [Fact]
    public void Valid_but_different_settings_still_report_the_disagreement()
    {
        _registry.GetOrAddRetry("r", new RetryOptions { MaxRetries = 3 });

        var error = Assert.Throws<InvalidOperationException>(() => _registry.GetOrAddRetry("r", new RetryOptions { MaxRetries = 4 }));
        Assert.Contains("disagree", error.Message, StringComparison.Ordinal);
    }

    private static void AssertInvalid(Func<object> lookup, string setting, string value)
    {
        ArgumentException error = Assert.ThrowsAny<ArgumentException>(lookup);
        Assert.Equal(setting, error.ParamName);
        Assert.Contains(value, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("disagree", error.Message, StringComparison.Ordinal);
    }
}
