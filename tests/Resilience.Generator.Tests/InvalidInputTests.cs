using Resilience.Generator.Tests.Infrastructure;

namespace Resilience.Generator.Tests;

/// <summary>
/// What the analyzers reject still generates code that compiles: the member concerned becomes plain delegation (no
/// cascading compiler errors), and an interface that cannot be implemented gets nothing.
/// </summary>
public sealed class InvalidInputTests
{
    private const string Usings = """
        using System;
        using System.Collections.Generic;
        using System.Threading;
        using System.Threading.Tasks;
        using Resilience;

        namespace A;

        """;

    private static void AssertPlain(string source, string method)
    {
        var text = GeneratorHarness.RunClean(Usings + source).Single();
        Assert.True(
            GeneratedSyntax.IsPlainDelegation(GeneratedSyntax.Method(text, method)),
            $"'{method}' should be plain delegation:\n{text}");
        Assert.DoesNotContain("_registry.GetOrAdd", GeneratedSyntax.Unwrapped(text));
    }

    [Fact]
    public void Unbindable_fallback_name_gives_plain_delegation()
        => AssertPlain("""
            public interface IStore { [Retry] [Fallback("Missing")] Task<int> CountAsync(); }
            """, "CountAsync");

    [Fact]
    public void Fallback_with_a_mismatched_return_type_gives_plain_delegation()
        => AssertPlain("""
            public interface IStore { [Retry] [Fallback(nameof(Other))] Task<int> CountAsync(); string Other(); }
            """, "CountAsync");

    [Fact]
    public void Fallback_with_an_unknown_parameter_gives_plain_delegation()
        => AssertPlain("""
            public interface IStore { [Retry] [Fallback(nameof(Other))] Task<int> CountAsync(string filter); int Other(string query); }
            """, "CountAsync");

    [Fact]
    public void Ambiguous_fallback_gives_plain_delegation()
        => AssertPlain("""
            public static class Handler { public static int Other(Exception e) => 0; public static int Other(ArgumentException e) => 1; }
            public interface IStore { [Retry] [Fallback(typeof(Handler), nameof(Handler.Other))] int Count(); }
            """, "Count");

    [Fact]
    public void Key_parameter_naming_no_parameter_gives_plain_delegation()
        => AssertPlain("""
            public interface IStore { [Retry] [RateLimit(KeyParameter = "tenant")] Task<int> CountAsync(string filter); }
            """, "CountAsync");

    [Fact]
    public void Breaker_key_parameter_naming_no_parameter_gives_plain_delegation()
        => AssertPlain("""
            public interface IStore { [CircuitBreaker(KeyParameter = "host")] Task<int> CountAsync(string filter); }
            """, "CountAsync");

    [Fact]
    public void Cache_key_parameters_naming_no_parameter_give_plain_delegation()
        => AssertPlain("""
            public interface IStore { [CacheFallback(KeyParameters = new[] { "filter", "nope" })] Task<int> CountAsync(string filter); }
            """, "CountAsync");

    [Fact]
    public void Async_enumerable_with_retry_gives_plain_delegation()
        => AssertPlain("""
            public interface IStore { [Retry] IAsyncEnumerable<int> StreamAsync(CancellationToken cancellationToken); }
            """, "StreamAsync");

    [Fact]
    public void Ref_parameter_with_retry_gives_plain_delegation()
        => AssertPlain("""
            public interface IStore { [Retry] int Next(ref int cursor); }
            """, "Next");

    [Fact]
    public void Ref_struct_parameter_on_an_async_method_gives_plain_delegation()
        => AssertPlain("""
            public interface IStore { [Bulkhead] Task<int> Next(int start, Span<int> buffer); }
            """, "Next");

    [Fact]
    public void Out_parameter_on_an_async_method_gives_plain_delegation()
        => AssertPlain("""
            public interface IStore { [Bulkhead] Task<int> Next(int start, out int end); }
            """, "Next");

    [Fact]
    public void Cache_fallback_on_a_method_without_result_gives_plain_delegation()
        => AssertPlain("""
            public interface IStore { [CacheFallback] Task SaveAsync(string key); }
            """, "SaveAsync");

    [Fact]
    public void Handle_result_naming_no_predicate_gives_plain_delegation()
        => AssertPlain("""
            public interface IStore { [Retry(HandleResult = "IsBad")] Task<int> CountAsync(); }
            """, "CountAsync");

    [Fact]
    public void Handle_result_with_a_wrong_parameter_type_gives_plain_delegation()
        => AssertPlain("""
            public interface IStore { static bool IsBad(string value) => false; [Retry(HandleResult = nameof(IsBad))] Task<int> CountAsync(); }
            """, "CountAsync");

    [Fact]
    public void Handle_result_on_a_method_without_result_gives_plain_delegation()
        => AssertPlain("""
            public interface IStore { static bool IsBad(int value) => false; [CircuitBreaker(HandleResult = nameof(IsBad))] Task SaveAsync(); }
            """, "SaveAsync");

    [Fact]
    public void Interface_level_handle_result_is_not_applied_to_methods_without_a_result()
    {
        var text = GeneratorHarness.RunClean(Usings + """
            [Retry(HandleResult = nameof(IsBad), DelayMs = 0)]
            [CircuitBreaker(HandleResult = nameof(IsBad))]
            public interface IStore
            {
                static bool IsBad(int value) => value < 0;
                Task<int> CountAsync();
                Task SaveAsync();
                ValueTask FlushAsync();
                void Reset();
            }
            """).Single();
        Assert.False(GeneratedSyntax.IsPlainDelegation(GeneratedSyntax.Method(text, "CountAsync")));
        Assert.Contains("global::A.IStore.IsBad(", GeneratedSyntax.Unwrapped(text));
        // A Task method's pipeline is in its core.
        foreach (var name in new[] { "__Core_SaveAsync", "FlushAsync", "Reset" })
        {
            var method = GeneratedSyntax.Method(text, name);
            Assert.False(GeneratedSyntax.IsPlainDelegation(method), $"'{name}' should keep the interface-level retry and breaker:\n{text}");
            Assert.Contains("_storeRetry", method.ToString());
            Assert.Contains("_storeCircuitBreaker", method.ToString());
            Assert.DoesNotContain("IsBad", method.ToString());
        }
    }

    [Fact]
    public void Policy_type_not_implementing_the_interface_gives_plain_delegation()
        => AssertPlain("""
            public sealed class NotAPolicy { }
            public interface IStore { [Retry(Policy = typeof(NotAPolicy))] Task<int> CountAsync(); }
            """, "CountAsync");

    [Theory]
    [InlineData("[Retry(MaxRetries = -1)]")]
    [InlineData("[Retry(Jitter = 1.5)]")]
    [InlineData("[Retry(Multiplier = 0.5)]")]
    [InlineData("[Retry(Multiplier = double.PositiveInfinity)]")]
    [InlineData("[Retry(DelayMs = 500, MaxDelayMs = 100)]")]
    [InlineData("[Retry(RetryOn = new[] { typeof(string) })]")]
    [InlineData("[CircuitBreaker(FailureRatio = 2)]")]
    [InlineData("[CircuitBreaker(BreakDurationMs = 0)]")]
    [InlineData("[CircuitBreaker(Name = \" \")]")]
    [InlineData("[RateLimit(PermitLimit = 0)]")]
    [InlineData("[RateLimit(Algorithm = (RateLimitAlgorithm)9)]")]
    [InlineData("[Bulkhead(MaxConcurrency = 0)]")]
    [InlineData("[Timeout(0)]")]
    [InlineData("[CacheFallback(TtlMs = 0, StaleTtlMs = 0)]")]
    public void Invalid_values_give_plain_delegation(string attribute)
        => AssertPlain($$"""
            public interface IStore { {{attribute}} Task<int> CountAsync(); }
            """, "CountAsync");

    [Theory]
    [InlineData("[CacheFallback(KeyMethod = \"KeyOf\")]")]
    [InlineData("[CacheFallback(KeyMethod = nameof(WrongKeyOf))]")]
    public void Unbound_key_method_gives_plain_delegation(string attribute)
        => AssertPlain($$"""
            public interface IStore { static string WrongKeyOf(int filter) => ""; {{attribute}} Task<int> CountAsync(string filter); }
            """, "CountAsync");

    [Fact]
    public void Invalid_interface_level_attribute_leaves_every_method_plain()
    {
        var text = GeneratorHarness.RunClean(Usings + """
            [Bulkhead(MaxConcurrency = -1)]
            public interface IStore { [Retry] Task<int> CountAsync(); Task SaveAsync(); }
            """).Single();
        Assert.True(GeneratedSyntax.IsPlainDelegation(GeneratedSyntax.Method(text, "CountAsync")));
        Assert.True(GeneratedSyntax.IsPlainDelegation(GeneratedSyntax.Method(text, "SaveAsync")));
    }

    [Fact]
    public void Only_the_invalid_method_is_plain()
    {
        var text = GeneratorHarness.RunClean(Usings + """
            public interface IStore { [Retry] [Fallback("Missing")] Task<int> CountAsync(); [Retry] Task SaveAsync(); }
            """).Single();
        Assert.True(GeneratedSyntax.IsPlainDelegation(GeneratedSyntax.Method(text, "CountAsync")));
        Assert.False(GeneratedSyntax.IsPlainDelegation(GeneratedSyntax.Method(text, "SaveAsync")));
        Assert.DoesNotContain("_countAsyncRetry", GeneratedSyntax.Unwrapped(text));
    }

    [Fact]
    public void Unbound_handler_does_not_add_a_constructor_parameter()
    {
        var text = GeneratorHarness.RunClean(Usings + """
            public sealed class Handler { public int Count(Exception error) => 0; }
            public interface IStore { [Fallback(typeof(Handler), nameof(Handler.Count))] [CacheFallback(KeyParameters = new[] { "nope" })] int Count(); }
            """).Single();
        Assert.DoesNotContain("Handler handler", GeneratedSyntax.Unwrapped(text));
        Assert.DoesNotContain("__handler", GeneratedSyntax.Unwrapped(text));
    }

    [Theory]
    [InlineData("public class Outer { private interface IHidden { [Retry] Task RunAsync(); } }")]
    [InlineData("public class Outer { protected interface IHidden { [Retry] Task RunAsync(); } }")]
    [InlineData("public class Outer { private protected interface IHidden { [Retry] Task RunAsync(); } }")]
    [InlineData("file interface IHidden { [Retry] Task RunAsync(); }")]
    [InlineData("public interface IHidden { [Retry] Task RunAsync(); static abstract IHidden Create(); }")]
    [InlineData("public interface IBase { static abstract int Zero { get; } } public interface IHidden : IBase { [Retry] Task RunAsync(); }")]
    [InlineData("public class NotAnInterface { [Retry] public Task RunAsync() => Task.CompletedTask; }")]
    public void Interfaces_that_cannot_be_implemented_get_nothing(string source)
    {
        var run = GeneratorHarness.RunClean(Usings + source);
        Assert.Empty(run.Sources);
    }
}
