using Resilience.Generator.Tests.Analyzers;
using Resilience.Generator.Tests.Infrastructure;
using static Microsoft.CodeAnalysis.DiagnosticSeverity;

namespace Resilience.Generator.Tests;

/// <summary>
/// The breaker's SuccessThreshold, IntervalMs and HandleException, and the rate limit's SlidingWindowExact: the options
/// they emit, and their analyzer checks (RES0005, RES0027–RES0029).
/// </summary>
public sealed class SeedKnobsTests
{
    private const string Usings = """
        using System;
        using System.Threading;
        using System.Threading.Tasks;
        using Resilience;

        """;

    [Fact]
    public void Breaker_settings_are_emitted_as_options_and_the_predicate_as_a_method_group()
    {
        var text = GeneratorHarness.RunClean(Usings + """
            namespace Shop;
            [CircuitBreaker(SuccessThreshold = 3, IntervalMs = 10_000, HandleException = nameof(IsTransient))]
            public interface IApi
            {
                Task<int> GetAsync(CancellationToken cancellationToken);
                static bool IsTransient(Exception exception) => exception is TimeoutException;
            }
            """).Single();

        Assert.Contains(
            "new global::Resilience.CircuitBreakerOptions { SuccessThreshold = 3, Interval = global::System.TimeSpan.FromMilliseconds(10000), "
            + "HandleException = global::Shop.IApi.IsTransient }",
            GeneratedSyntax.Unwrapped(text));
    }

    [Fact]
    public void A_predicate_of_a_generic_interface_or_taking_object_compiles()
    {
        GeneratorHarness.RunClean(Usings + """
            namespace Data;
            public interface IRepository<T>
            {
                [CircuitBreaker(HandleException = nameof(Counts))]
                Task<T> GetAsync(int id);
                internal static bool Counts(object error) => error is not ArgumentException;
            }
            """);
    }

    [Fact]
    public void Exact_sliding_window_is_emitted_by_its_enum_name()
    {
        var text = GeneratorHarness.RunClean(Usings + """
            namespace Shop;
            public interface IApi
            {
                [RateLimit(PermitLimit = 1_000, Algorithm = RateLimitAlgorithm.SlidingWindowExact)]
                Task<int> GetAsync();
            }
            """).Single();

        Assert.Contains(
            "new global::Resilience.RateLimitOptions { PermitLimit = 1000, Algorithm = global::Resilience.RateLimitAlgorithm.SlidingWindowExact }",
            GeneratedSyntax.Unwrapped(text));
    }

    [Theory]
    [InlineData("CircuitBreaker({|RES0005:SuccessThreshold = 0|})", "SuccessThreshold must be at least 1; got 0")]
    [InlineData("CircuitBreaker({|RES0005:IntervalMs = -1|})", "IntervalMs must be 0 or more; got -1")]
    [InlineData("RateLimit({|RES0005:PermitLimit = 1_001|}, Algorithm = RateLimitAlgorithm.SlidingWindowExact)", "SlidingWindowExact keeps one timestamp per permit, so PermitLimit must be at most 1000 with it; got 1001; use SlidingWindow (segmented) for larger limits")]
    [InlineData("RateLimit(Algorithm = RateLimitAlgorithm.SlidingWindowExact, {|RES0005:PermitLimit = 5_000|})", "use SlidingWindow")]
    public async Task RES0005_out_of_range_values_are_reported_on_their_argument(string attribute, string message)
    {
        var diagnostics = await AnalyzerVerifier.VerifyAsync(OnMethod(attribute), ("RES0005", Error));

        Assert.Contains(message, diagnostics.Single().GetMessage());
    }

    [Theory]
    [InlineData("CircuitBreaker(SuccessThreshold = 1, IntervalMs = 0)")]
    [InlineData("CircuitBreaker(SuccessThreshold = 10, IntervalMs = int.MaxValue)")]
    [InlineData("RateLimit(PermitLimit = 1_000, Algorithm = RateLimitAlgorithm.SlidingWindowExact)")]
    [InlineData("RateLimit(Algorithm = RateLimitAlgorithm.SlidingWindowExact)")]
    [InlineData("RateLimit(PermitLimit = 5_000, Algorithm = RateLimitAlgorithm.SlidingWindow)")]
    public async Task Values_in_range_are_valid(string attribute)
    {
        await AnalyzerVerifier.VerifyAsync(OnMethod(attribute));
    }

    [Fact]
    public async Task RES0027_a_name_the_interface_does_not_declare()
    {
        var diagnostics = await AnalyzerVerifier.VerifyAsync("""
            [CircuitBreaker({|RES0027:HandleException = "IsTransient"|})]
            public interface IService
            {
                Task<int> GetAsync(CancellationToken cancellationToken);
            }
            """,
            ("RES0027", Error));

        Assert.Equal(
            "HandleException of the [CircuitBreaker] names no method: 'IService' declares no method named 'IsTransient'; "
            + "declare 'static bool IsTransient(Exception exception)' on it, or fix the name",
            diagnostics.Single().GetMessage());
    }

    [Fact]
    public async Task RES0027_a_method_of_a_base_interface_is_not_searched()
    {
        await AnalyzerVerifier.VerifyAsync("""
            public interface IBase
            {
                static bool IsTransient(Exception exception) => true;
            }

            public interface IService : IBase
            {
                [CircuitBreaker({|RES0027:HandleException = "IsTransient"|})]
                Task<int> GetAsync(CancellationToken cancellationToken);
            }
            """,
            ("RES0027", Error));
    }

    [Fact]
    public async Task RES0028_an_instance_method()
    {
        var diagnostics = await AnalyzerVerifier.VerifyAsync("""
            public interface IService
            {
                [CircuitBreaker({|RES0028:HandleException = "IsTransient"|})]
                Task<int> GetAsync(CancellationToken cancellationToken);
                bool IsTransient(Exception exception);
            }
            """,
            ("RES0028", Error));

        Assert.Equal(
            "HandleException of the [CircuitBreaker] names a method that is not static: 'IService.IsTransient' is an instance or static abstract "
            + "method; make it 'static bool IsTransient(Exception exception)' with a body",
            diagnostics.Single().GetMessage());
    }

    [Fact]
    public async Task RES0028_a_static_abstract_method()
    {
        await AnalyzerVerifier.VerifyAsync("""
            public interface {|RES0014:IService|}<TSelf> where TSelf : IService<TSelf>
            {
                [CircuitBreaker({|RES0028:HandleException = "IsTransient"|})]
                Task<int> GetAsync(CancellationToken cancellationToken);
                static abstract bool IsTransient(Exception exception);
            }
            """,
            ("RES0028", Error),
            ("RES0014", Error));
    }

    [Theory]
    [InlineData("static int IsTransient(Exception exception) => 0;")]
    [InlineData("static bool IsTransient(InvalidOperationException exception) => true;")]
    [InlineData("static bool IsTransient(in Exception exception) => true;")]
    [InlineData("static bool IsTransient(Exception exception, int attempt) => true;")]
    [InlineData("static bool IsTransient<T>(Exception exception) => true;")]
    [InlineData("private static bool IsTransient(Exception exception) => true;")]
    [InlineData("static bool IsTransient() => true;")]
    public async Task RES0029_a_static_method_of_another_shape(string declaration)
    {
        var diagnostics = await AnalyzerVerifier.VerifyAsync($$"""
            public interface IService
            {
                [CircuitBreaker({|RES0029:HandleException = "IsTransient"|})]
                Task<int> GetAsync(CancellationToken cancellationToken);
                {{declaration}}
            }
            """,
            ("RES0029", Error));

        Assert.StartsWith(
            "HandleException of the [CircuitBreaker] names a method with the wrong signature: no 'IService.IsTransient' is 'static bool IsTransient(Exception exception)'",
            diagnostics.Single().GetMessage());
    }

    [Fact]
    public async Task One_usable_overload_among_others_binds()
    {
        await AnalyzerVerifier.VerifyAsync("""
            public interface IService
            {
                [CircuitBreaker(HandleException = nameof(IsTransient))]
                Task<int> GetAsync(CancellationToken cancellationToken);
                static bool IsTransient(int code) => code >= 500;
                static bool IsTransient(Exception exception) => exception is TimeoutException;
            }
            """);
    }

    [Fact]
    public void A_breaker_with_an_invalid_HandleException_is_not_applied()
    {
        var run = GeneratorHarness.Run(Usings + """
            namespace Shop;
            public interface IApi
            {
                [CircuitBreaker(HandleException = "Missing")]
                Task<int> GetAsync();
            }
            """);

        Assert.DoesNotContain("CircuitBreaker", run.Single(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RES0011_shared_names_compare_the_new_settings()
    {
        await AnalyzerVerifier.VerifyAsync("""
            public interface IOne
            {
                [CircuitBreaker(Name = "db", SuccessThreshold = 2, HandleException = nameof(Counts))]
                Task GetAsync();
                static bool Counts(Exception exception) => true;
            }

            public interface ITwo
            {
                [{|RES0011:CircuitBreaker(Name = "db", SuccessThreshold = 2, HandleException = nameof(Counts))|}]
                Task GetAsync();
                static bool Counts(Exception exception) => true;
            }

            public interface IThree
            {
                [{|RES0011:CircuitBreaker(Name = "db", SuccessThreshold = 3)|}]
                Task GetAsync();
            }
            """,
            ("RES0011", Error));
    }

    private static string OnMethod(string attribute) => $$"""
        public interface IService
        {
            [{{attribute}}]
            Task<int> GetAsync(string host, CancellationToken cancellationToken);
        }
        """;
}
