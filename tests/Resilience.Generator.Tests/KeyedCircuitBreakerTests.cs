using System.Text.RegularExpressions;
using Resilience.Generator.Tests.Infrastructure;

namespace Resilience.Generator.Tests;

/// <summary>[CircuitBreaker(KeyParameter = ...)] gives one breaker per argument value: a keyed breaker field acquired with the argument.</summary>
public sealed class KeyedCircuitBreakerTests
{
    private const string Usings = """
        using System;
        using System.Threading;
        using System.Threading.Tasks;
        using Resilience;

        """;

    [Fact]
    public void Interface_level_keyed_breaker_is_one_field_shared_by_every_method_and_acquired_with_the_key()
    {
        var text = GeneratorHarness.RunClean(Usings + """
            namespace Hosts;
            [CircuitBreaker(FailureThreshold = 2, KeyParameter = "host")]
            public interface IClient
            {
                Task<string> GetAsync(string host, CancellationToken cancellationToken);
                void Post(int port, string host);
                ValueTask<int> CountAsync(string host);
            }
            """).Single();

        Assert.Single(Regex.Matches(text, "private readonly global::Resilience.KeyedCircuitBreaker<string> "));
        Assert.DoesNotContain("global::Resilience.CircuitBreaker ", GeneratedSyntax.Unwrapped(text));
        Assert.Contains("_clientCircuitBreaker = _registry.GetOrAddKeyedCircuitBreaker<string>(\"Hosts.IClient\", new global::Resilience.CircuitBreakerOptions { FailureThreshold = 2 });", GeneratedSyntax.Unwrapped(text));
        Assert.Equal(3, Regex.Matches(text, Regex.Escape("_clientCircuitBreaker.TryAcquire(host, out __lease, out var __rejection)")).Count);
        Assert.DoesNotContain(".TryAcquire(out ", GeneratedSyntax.Unwrapped(text));
    }

    [Theory]
    [InlineData("string host", "host", "string")]
    [InlineData("int tenant", "tenant", "int")]
    [InlineData("in long tenant", "tenant", "long")]
    [InlineData("Guid? tenant", "tenant", "object")]
    [InlineData("string? host", "host", "string")]
    [InlineData("global::System.Collections.Generic.List<int> ids", "ids", "global::System.Collections.Generic.List<int>")]
    public void The_key_type_is_chosen_as_for_keyed_rate_limits(string parameter, string name, string keyType)
    {
        var text = GeneratorHarness.RunClean(Usings + $$"""
            namespace Keys;
            public interface IService
            {
                [CircuitBreaker(KeyParameter = "{{name}}")]
                [RateLimit(KeyParameter = "{{name}}")]
                Task RunAsync({{parameter}});
            }
            """).Single();

        Assert.Contains($"private readonly global::Resilience.KeyedCircuitBreaker<{keyType}> _runAsyncCircuitBreaker;", GeneratedSyntax.Unwrapped(text));
        Assert.Contains($"private readonly global::Resilience.KeyedRateLimitStrategy<{keyType}> _runAsyncRateLimit;", GeneratedSyntax.Unwrapped(text));
        Assert.Contains($"_runAsyncCircuitBreaker.TryAcquire({name}, out __lease, out var __rejection)", GeneratedSyntax.Unwrapped(text));
    }

    [Fact]
    public void Method_type_parameter_keys_use_object_and_unkeyed_overrides_stay_plain_breakers()
    {
        var text = GeneratorHarness.RunClean(Usings + """
            namespace Keys;
            [CircuitBreaker(KeyParameter = "key")]
            public interface IStore
            {
                Task SaveAsync<T>(T key);

                [CircuitBreaker(Name = "plain")]
                Task PlainAsync(string key);
            }
            """).Single();

        Assert.Contains("global::Resilience.KeyedCircuitBreaker<object>", GeneratedSyntax.Unwrapped(text));
        Assert.Contains("_storeCircuitBreaker.TryAcquire(key, out __lease, out var __rejection)", GeneratedSyntax.Unwrapped(text));
        Assert.Contains("_registry.GetOrAddCircuitBreaker(\"plain\", new global::Resilience.CircuitBreakerOptions())", GeneratedSyntax.Unwrapped(text));
        Assert.Contains("_plainCircuitBreaker.TryAcquire(out __lease, out var __rejection)", GeneratedSyntax.Unwrapped(text));
    }

    [Fact]
    public void MaxKeys_and_KeyIdleTimeoutMs_go_into_the_options_initializer_only_when_set()
    {
        var text = GeneratorHarness.RunClean(Usings + """
            namespace Hosts;
            public interface IBounded
            {
                [CircuitBreaker(KeyParameter = "host", MaxKeys = 2, KeyIdleTimeoutMs = 5_000)]
                Task<string> GetAsync(string host);

                [CircuitBreaker(KeyParameter = "host", FailureThreshold = 3, KeyIdleTimeoutMs = 250)]
                Task<string> PutAsync(string host);

                [CircuitBreaker(KeyParameter = "host")]
                Task<string> DeleteAsync(string host);
            }
            """).Single();

        Assert.Contains("GetOrAddKeyedCircuitBreaker<string>(\"Hosts.IBounded.GetAsync\", new global::Resilience.CircuitBreakerOptions { MaxKeys = 2, KeyIdleTimeout = global::System.TimeSpan.FromMilliseconds(5000) });", GeneratedSyntax.Unwrapped(text));
        Assert.Contains("GetOrAddKeyedCircuitBreaker<string>(\"Hosts.IBounded.PutAsync\", new global::Resilience.CircuitBreakerOptions { FailureThreshold = 3, KeyIdleTimeout = global::System.TimeSpan.FromMilliseconds(250) });", GeneratedSyntax.Unwrapped(text));
        Assert.Contains("GetOrAddKeyedCircuitBreaker<string>(\"Hosts.IBounded.DeleteAsync\", new global::Resilience.CircuitBreakerOptions());", GeneratedSyntax.Unwrapped(text));
    }

    [Fact]
    public void A_keyed_setting_without_KeyParameter_is_only_a_warning_so_the_breaker_is_still_applied()
    {
        // RES0017 warns that MaxKeys does nothing here; unlike an out-of-range value it does not turn the method into
        // plain delegation. The value is passed on (the options accept it; a plain breaker ignores it).
        var text = GeneratorHarness.RunClean(Usings + """
            namespace Hosts;
            public interface IPlain
            {
                [CircuitBreaker(MaxKeys = 5)]
                Task<string> GetAsync(string host);
            }
            """).Single();

        Assert.Contains("_registry.GetOrAddCircuitBreaker(\"Hosts.IPlain.GetAsync\", new global::Resilience.CircuitBreakerOptions { MaxKeys = 5 })", GeneratedSyntax.Unwrapped(text));
        Assert.Contains("_getAsyncCircuitBreaker.TryAcquire(out __lease, out var __rejection)", GeneratedSyntax.Unwrapped(text));
    }

    [Theory]
    [InlineData("MaxKeys = 0")]
    [InlineData("KeyIdleTimeoutMs = 0")]
    [InlineData("KeyIdleTimeoutMs = -5")]
    public void A_non_positive_keyed_setting_leaves_the_method_plain_delegation(string setting)
    {
        var text = GeneratorHarness.Run(Usings + $$"""
            namespace Hosts;
            public interface IInvalid
            {
                [CircuitBreaker(KeyParameter = "host", {{setting}})]
                Task<string> GetAsync(string host);

                [CircuitBreaker(KeyParameter = "host", MaxKeys = 1, KeyIdleTimeoutMs = 1)]
                Task<string> PutAsync(string host);
            }
            """).Single();

        Assert.DoesNotContain("_getAsyncCircuitBreaker", GeneratedSyntax.Unwrapped(text));
        Assert.Contains("new global::Resilience.CircuitBreakerOptions { MaxKeys = 1, KeyIdleTimeout = global::System.TimeSpan.FromMilliseconds(1) }", GeneratedSyntax.Unwrapped(text));
        Assert.Contains("_putAsyncCircuitBreaker.TryAcquire(host, out __lease, out var __rejection)", GeneratedSyntax.Unwrapped(text));
    }
}
