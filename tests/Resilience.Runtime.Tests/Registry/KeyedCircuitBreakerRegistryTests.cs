using Microsoft.Extensions.Time.Testing;

namespace Resilience.Runtime.Tests.Registry;

public sealed class KeyedCircuitBreakerRegistryTests
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public void Keyed_breakers_are_shared_by_name_and_must_agree_on_key_type_and_settings()
    {
        using var registry = new ResilienceRegistry(_time);
        KeyedCircuitBreaker<string> keyed = registry.GetOrAddKeyedCircuitBreaker<string>("hosts", new CircuitBreakerOptions { FailureThreshold = 2 });

        Assert.Same(keyed, registry.GetOrAddKeyedCircuitBreaker<string>("hosts", new CircuitBreakerOptions { FailureThreshold = 2 }));
        Assert.Equal("hosts", keyed.Name);

        var wrongKey = Assert.Throws<InvalidOperationException>(() => registry.GetOrAddKeyedCircuitBreaker<int>("hosts", new CircuitBreakerOptions { FailureThreshold = 2 }));
        Assert.Contains("System.String", wrongKey.Message, StringComparison.Ordinal);
        Assert.Contains("System.Int32", wrongKey.Message, StringComparison.Ordinal);

        var unkeyed = Assert.Throws<InvalidOperationException>(() => registry.GetOrAddCircuitBreaker("hosts", new CircuitBreakerOptions { FailureThreshold = 2 }));
        Assert.Contains("keyed by System.String", unkeyed.Message, StringComparison.Ordinal);

        var settings = Assert.Throws<InvalidOperationException>(() => registry.GetOrAddKeyedCircuitBreaker<string>("hosts", new CircuitBreakerOptions { FailureThreshold = 2, MaxKeys = 5 }));
        Assert.Contains("'hosts'", settings.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unkeyed_breaker_cannot_be_asked_for_keyed()
    {
        using var registry = new ResilienceRegistry(_time);
        registry.GetOrAddCircuitBreaker("db", new CircuitBreakerOptions());

        var keyed = Assert.Throws<InvalidOperationException>(() => registry.GetOrAddKeyedCircuitBreaker<string>("db", new CircuitBreakerOptions()));
        Assert.Contains("without a key", keyed.Message, StringComparison.Ordinal);
        Assert.False(registry.TryGetKeyedCircuitBreaker<string>("db", out _));
        Assert.True(registry.TryGetCircuitBreaker("db", out _));
    }

    [Fact]
    public void TryGet_finds_keyed_breakers_by_key_type_only()
    {
        using var registry = new ResilienceRegistry(_time);
        KeyedCircuitBreaker<string> keyed = registry.GetOrAddKeyedCircuitBreaker<string>("hosts", new CircuitBreakerOptions());

        Assert.True(registry.TryGetKeyedCircuitBreaker<string>("hosts", out KeyedCircuitBreaker<string>? found));
        Assert.Same(keyed, found);
        Assert.False(registry.TryGetKeyedCircuitBreaker<int>("hosts", out _));
        Assert.False(registry.TryGetCircuitBreaker("hosts", out _));
    }

    [Fact]
    public void Invalid_keyed_options_register_nothing_and_disposing_the_registry_disposes_keyed_breakers()
    {
        var registry = new ResilienceRegistry(_time);
        Assert.ThrowsAny<ArgumentException>(() => registry.GetOrAddKeyedCircuitBreaker<string>("hosts", new CircuitBreakerOptions { MaxKeys = 0 }));
        KeyedCircuitBreaker<string> keyed = registry.GetOrAddKeyedCircuitBreaker<string>("hosts", new CircuitBreakerOptions());
        keyed.Acquire("a").RecordSuccess();

        registry.Dispose();

        Assert.Throws<ObjectDisposedException>(() => keyed.Acquire("a"));
    }
}
