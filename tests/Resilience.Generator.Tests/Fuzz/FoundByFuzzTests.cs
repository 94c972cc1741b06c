using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Resilience.Generator.Tests.Infrastructure;

namespace Resilience.Generator.Tests.Fuzz;

/// <summary>
/// One test per generator bug the fuzz (<see cref="GeneratorFuzzTests"/>) found or the issue listed: each input is
/// checked under every setting of <see cref="GeneratorFuzzTests.Settings"/> (nullable on with warnings as errors,
/// nullable off, C# 12 unless the input needs C# 13) and either compiles with no diagnostic at all, or is rejected
/// with the expected RES error and no problem in generated code.
/// </summary>
public sealed class FoundByFuzzTests
{
    private const string Usings = """
        using System;
        using System.Collections.Generic;
        using System.Diagnostics.CodeAnalysis;
        using System.Runtime.CompilerServices;
        using System.Runtime.InteropServices;
        using System.Threading;
        using System.Threading.Tasks;
        using Resilience;

        """;

    [Theory]
    [InlineData("[CircuitBreaker]")]
    [InlineData("[Timeout(1000)]")]
    [InlineData("[Bulkhead]")]
    [InlineData("[RateLimit]")]
    public void Synchronous_method_with_an_out_parameter_under_a_strategy_compiles(string attribute)
    {
        var text = Clean($$"""
            namespace Caching;
            public interface IMemoryCacheLike
            {
                {{attribute}}
                bool TryGetValue(object key, out object? value);
                {{attribute}}
                bool TryGet(string key, out string? value);
            }
            """, "RES0013").Single(s => s.HintName.StartsWith("Caching.IMemoryCacheLike", StringComparison.Ordinal)).Text;
        Assert.Contains("value = default!;", text);
    }

    [Fact]
    public void Params_ReadOnlySpan_is_not_emitted_as_scoped_params()
    {
        var text = Clean("""
            namespace Spans;
            public interface ISum { [CircuitBreaker] int Sum(params ReadOnlySpan<int> values); }
            """).Single().Text;
        Assert.Contains("params global::System.ReadOnlySpan<int> values", text);
        Assert.DoesNotContain("scoped params", text);
    }

    [Fact]
    public void Scoped_and_ref_readonly_parameters_and_allows_ref_struct_type_parameters_compile()
    {
        var text = Clean("""
            namespace Spans;
            public interface IParser
            {
                [CircuitBreaker] int Parse(scoped ReadOnlySpan<char> text, ref readonly int start);
                [Bulkhead] void Visit<T>(T item) where T : allows ref struct;
                int Length<T>(scoped ref T item) where T : struct, allows ref struct;
            }
            """).Single().Text;
        Assert.Contains("where T : allows ref struct", text);
    }

    [Fact]
    public void A_ref_struct_result_with_an_in_parameter_is_forwarded_but_cannot_take_a_strategy()
    {
        Clean("""
            namespace Spans;
            public interface ISlicer { [Retry] Task RunAsync(); ReadOnlySpan<int> Slice(in int start, ReadOnlySpan<int> all); }
            """);
        Rejected("""
            namespace Spans;
            public interface ISlicer { [Bulkhead] ReadOnlySpan<int> Slice(in int start, ReadOnlySpan<int> all); }
            """, "RES0010");
    }

    [Fact]
    public void Dynamic_parameters_bind_statically()
    {
        var text = Clean("""
            namespace Dyn;
            public interface IDyn
            {
                [CircuitBreaker] int Run(dynamic payload, in int count);
                ref int Slot(dynamic key);
                [CacheFallback(KeyMethod = nameof(KeyOf))] Task<int> CountAsync(dynamic filter);
                static string KeyOf(object filter) => filter.ToString() ?? "";
            }
            """).Single().Text;
        Assert.Contains("(object)payload", text);
        Assert.Contains("global::Resilience.CacheKey.Of(\"Dyn.IDyn.CountAsync\", global::Dyn.IDyn.KeyOf((object)filter))", text);
    }

    [Fact]
    public void Pointers_in_an_unsafe_interface_make_only_those_members_unsafe()
    {
        var text = Clean("""
            namespace Native;
            public unsafe interface INative { [CircuitBreaker] int Read(byte* buffer, int length); [Retry] Task FlushAsync(); }
            """).Single().Text;
        Assert.Contains("public unsafe int Read(byte* buffer, int length)", text);
        Assert.DoesNotContain("unsafe sealed", text);
        Rejected("""
            namespace Native;
            public unsafe interface INative { [Retry] Task<int> ReadAsync(byte* buffer, int length); }
            """, "RES0010");
    }

    [Fact]
    public void Parameters_named_like_contextual_keywords_or_the_decorators_own_names_compile()
    {
        var text = Clean("""
            namespace Names;
            public interface INames
            {
                [Retry] [Timeout(60000)] [CircuitBreaker] Task<int> RunAsync(int await, string __inner, int value, int result, int error, int attempt, int lease, int timeout, CancellationToken cancellationToken);
                [Bulkhead] int Get(int var, int __error, int __result, int __call);
                [Retry] Task<TAwait> GetAsync<TAwait>(TAwait @async);
            }
            """, "RES0013").Single().Text;
        Assert.Contains("int @await", text);
        Assert.Contains("this._inner", text);
    }

    [Fact]
    public void A_type_parameter_named_await_is_escaped()
    {
        var text = Clean("""
            namespace Names;
            public interface IGeneric<await> { [Retry] Task<await> GetAsync(); }
            """).Single().Text;
        Assert.Contains("global::System.Threading.Tasks.Task<@await>", text);
    }

    [Theory]
    [InlineData("public interface IReserved<__inner> { [Retry] Task<__inner> GetAsync(); }")]
    [InlineData("public interface IReserved { [Retry] Task<__result> GetAsync<__result>(); }")]
    [InlineData("public interface IReserved<var> { [Retry] Task<var> GetAsync(); }")]
    public void Type_parameters_named_like_the_decorators_own_names_are_rejected(string source)
        => Rejected("namespace Names;\n" + source, "RES0014");

    [Theory]
    [InlineData("[Obsolete(\"gone\", error: true)]", "[global::System.ObsoleteAttribute(\"gone\", true)]")]
    [InlineData("[Experimental(\"SHOP001\")]", "[global::System.Diagnostics.CodeAnalysis.ExperimentalAttribute(\"SHOP001\")]")]
    public void Obsolete_and_Experimental_on_the_interface_a_member_or_an_accessor_compile(string marker, string repeated)
    {
        var sources = Clean($$"""
            namespace Markers;
            {{marker}}
            public interface IWhole { [Retry] Task RunAsync(); int Count { get; } }
            public interface IParts
            {
                {{marker}} [Retry] Task<int> RunAsync();
                {{marker}} [CircuitBreaker] int Run();
                int Count { {{marker}} get; set; }
                ref int Slot { {{marker}} get; }
                {{marker}} event EventHandler? Changed;
            }
            """);
        Assert.All(sources, s => Assert.Contains(repeated, s.Text));
    }

    [Fact]
    public void Protected_abstract_members_are_rejected_and_protected_default_members_are_kept()
    {
        Rejected("""
            namespace Access;
            public interface IHidden { [Retry] Task RunAsync(); protected int Secret(); }
            """, "RES0014");
        Clean("""
            namespace Access;
            public interface IHidden { [Retry] Task RunAsync(); protected int Secret() => 1; internal int Internal(); }
            """);
    }

    [Fact]
    public void DateTimeConstant_and_DecimalConstant_defaults_are_carried_over()
    {
        var text = Clean("""
            namespace Defaults;
            public interface IDefaults
            {
                [Retry] Task RunAsync([Optional, DateTimeConstant(630822816000000000L)] DateTime since, [Optional, DecimalConstant(2, 0, 0u, 0u, 150u)] decimal price);
            }
            """).Single().Text;
        Assert.Contains("[global::System.Runtime.InteropServices.Optional, global::System.Runtime.CompilerServices.DateTimeConstant(630822816000000000L)] global::System.DateTime since", GeneratedSyntax.Unwrapped(text));
        Assert.Contains("decimal price = 1.50M", text);
    }

    [Fact]
    public void An_escaped_keyword_namespace_gets_a_hint_name_without_the_at_sign()
    {
        var sources = Clean("""
            namespace Shop.@event;
            public interface ITickets { [Retry] Task RunAsync(); }
            """);
        Assert.Equal("Shop.event.ITickets.Resilient.g.cs", Assert.Single(sources).HintName);
    }

    // ---- RES0018: the generator never throws ------------------------------------------------------------------

    [Theory]
    [InlineData("parse:")]
    [InlineData("emit:")]
    public void An_exception_inside_the_generator_becomes_RES0018_on_that_interface_only(string phase)
    {
        const string source = """
            namespace Boom;
            public interface IExploding { [Retry] Task RunAsync(); }
            public interface IFine { [Retry] Task RunAsync(); }
            """;
        try
        {
            ResilienceGenerator.FailureHookForTests = name =>
            {
                if (name == phase + "global::Boom.IExploding")
                {
                    throw new InvalidOperationException("forced by the test");
                }
            };
            var run = GeneratorHarness.RunWithAnalyzers(Usings + source, GeneratorFuzzTests.Settings[0]);

            var failure = Assert.Single(run.GeneratorDiagnostics);
            Assert.Equal("RES0018", failure.Id);
            Assert.Equal(DiagnosticSeverity.Error, failure.Severity);
            Assert.Contains("'Boom.IExploding'", failure.GetMessage());
            Assert.Contains("System.InvalidOperationException: forced by the test", failure.GetMessage());
            Assert.Empty(run.Exceptions);
            Assert.Equal("Boom.IFine.Resilient.g.cs", Assert.Single(run.Sources).HintName);
        }
        finally
        {
            ResilienceGenerator.FailureHookForTests = null;
        }
    }

    [Fact]
    public void A_base_interfaces_generic_method_with_a_type_parameter_named_like_the_decorators_is_renamed()
    {
        var text = Clean("""
            namespace Clash;
            public interface IBase
            {
                [Retry] Task<TValue> GetAsync<TValue>(TValue seed) where TValue : IComparable<TValue>;
                [CacheFallback] ValueTask<List<TKey>> ListAsync<TKey, TKey1>(TKey key, TKey1 other);
                [CircuitBreaker] TValue? Find<TValue>(TValue? value) where TValue : class;
            }
            public interface IGeneric<TKey> { [Retry] Task<TKey> ReadAsync<TValue>(TValue value); }
            public interface IStore<TKey, TValue> : IBase, IGeneric<TValue> { [Bulkhead] Task PutAsync(TKey key, TValue value); }
            """).Single(s => s.HintName.StartsWith("Clash.IStore", StringComparison.Ordinal)).Text;
        Assert.Contains("GetAsync<TValue1>(TValue1 seed)", text);
        Assert.Contains("where TValue1 : global::System.IComparable<TValue1>", text);
        Assert.Contains("ListAsync<TKey2, TKey1>(TKey2 key, TKey1 other)", GeneratedSyntax.Unwrapped(text));
        Assert.Contains("ReadAsync<TValue1>(TValue1 value)", text);
    }

    [Fact]
    public void Type_parameters_members_and_parameters_named_like_the_decorators_fields_compile()
    {
        var text = Clean("""
            namespace Fields;
            [CircuitBreaker]
            public interface IClash<_inner, _registry>
            {
                [Retry] Task<_inner> GetAsync(_registry _usersCircuitBreaker, CancellationToken cancellationToken);
                [Bulkhead(Name = "get async")] Task<int> _getAsyncRetry(int _inner2);
                [Bulkhead] _registry _clashCircuitBreaker<_getAsyncTelemetry>(_getAsyncTelemetry _registry2, _inner value);
                int _inner3 { get; }
                event EventHandler? _registry3;
            }
            """).Single().Text;
        // Type parameters and members are never a field's name; a parameter may be: 'this.' reaches the field then.
        Assert.Contains("private readonly global::Fields.IClash<_inner, _registry> _inner2;", text);
        Assert.Contains("private readonly global::Resilience.ResilienceRegistry _registry2;", text);
        Assert.Contains("private readonly global::Resilience.CircuitBreaker _clashCircuitBreaker2;", text);
        Assert.Contains("private readonly global::Resilience.RetryStrategy _getAsyncRetry2;", text);
        Assert.Contains("this._inner2.GetAsync(", text);
        Assert.Contains("this._inner2._getAsyncRetry(_inner2)", text);
    }

    [Fact]
    public void A_pointer_in_a_cache_key_is_a_RES_error_not_CS0306_in_generated_code()
        => Rejected("""
            namespace Native;
            public unsafe interface IReader
            {
                [CacheFallback] int Read(byte* buffer, int length);
                [CacheFallback] int Call(delegate*<int, int> callback, int value);
            }
            """, "RES0006");

    [Fact]
    public void A_pointer_left_out_of_the_cache_key_compiles()
        => Clean("""
            namespace Native;
            public unsafe interface IReader
            {
                [CacheFallback(KeyParameters = new[] { "length" })] int Read(byte* buffer, int length);
            }
            """);

    [Fact]
    public void A_dynamic_argument_beside_a_span_reaches_the_fallback_statically()
        // Fuzz seed 31, case 650: the fallback call passed the dynamic parameter as is, so the call was dynamically
        // dispatched, and a Span<byte> argument cannot be (CS1978).
        => Clean("""
            namespace Shop;
            public interface IParser
            {
                [Fallback(nameof(ParseFallback))]
                bool Parse(dynamic options, Span<byte> buffer);

                bool ParseFallback(dynamic options, Span<byte> buffer, Exception failure);
            }
            """);

    [Theory]
    [InlineData("[RateLimit(KeyParameter = \"key\")]")]
    [InlineData("[CircuitBreaker(KeyParameter = \"key\")]")]
    public void A_dynamic_key_parameter_binds_statically(string attribute)
        // Fuzz seed 31, case 7517: a dynamic rate-limit key made Acquire(key, default) a dynamic call, where the
        // default literal has no target type (CS8716).
        => Clean($$"""
            namespace Shop;
            public interface IKeyed
            {
                {{attribute}}
                int? Run(ref readonly dynamic key);
            }
            """, "RES0013");

        [Theory]
    [InlineData("RateLimit")]
    [InlineData("CircuitBreaker")]
    public void A_pointer_key_parameter_of_a_keyed_strategy_is_rejected(string attribute)
        // Fuzz seed 41, case 1847: a pointer KeyParameter became a type argument of the keyed strategy (CS0306).
        => Rejected($$"""
            namespace Native;
            public unsafe interface IReader
            {
                [{{attribute}}(KeyParameter = "buffer")] int Read(int* buffer, int length);
            }
            """, "RES0006");

    [Fact]
    public void A_type_parameter_that_allows_ref_structs_is_not_part_of_a_cache_key()
        // Fuzz seed 51, case 1415: such a parameter was formatted into the default cache key, and the key builder's
        // AppendFormatted<T> does not allow ref structs (CS9244).
        => Rejected("""
            namespace Spans;
            public interface IStore
            {
                [CacheFallback(TtlMs = 100)] bool Save<T>(int id, T item) where T : allows ref struct;
            }
            """, "RES0006");

    [Fact]
    public void A_type_parameter_that_allows_ref_structs_left_out_of_the_cache_key_compiles()
        => Clean("""
            namespace Spans;
            public interface IStore
            {
                [CacheFallback(TtlMs = 100, KeyParameters = new[] { "id" })] bool Save<T>(int id, T item) where T : allows ref struct;
            }
            """);

    [Theory]
    [InlineData("RateLimit")]
    [InlineData("CircuitBreaker")]
    public void A_key_parameter_whose_type_allows_ref_structs_is_rejected(string attribute)
        => Rejected($$"""
            namespace Spans;
            public interface IStore
            {
                [{{attribute}}(KeyParameter = "key")] int Run<T>(T key) where T : allows ref struct;
            }
            """, "RES0006");

    [Fact]
    public void An_async_method_taking_a_type_parameter_that_allows_ref_structs_cannot_take_a_strategy()
        => Rejected("""
            namespace Spans;
            public interface IStore
            {
                [Retry] Task SaveAsync<T>(T item) where T : allows ref struct;
            }
            """, "RES0010");

    // ---- helpers ---------------------------------------------------------------------------------------------------

    /// <summary>Asserts no problem under every setting (except the RES warnings in <paramref name="allowed"/>); returns the generated files.</summary>
    private static IReadOnlyList<(string HintName, string Text)> Clean(string source, params string[] allowed)
    {
        IReadOnlyList<(string HintName, string Text)> sources = Array.Empty<(string, string)>();
        foreach (var settings in ApplicableSettings(source))
        {
            var run = GeneratorHarness.RunWithAnalyzers(Usings + source, settings);
            var problems = run.Exceptions
                .Concat(run.GeneratorDiagnostics.Select(d => d.ToString()))
                .Concat(run.Diagnostics
                    .Where(d => d.Severity >= DiagnosticSeverity.Warning && !allowed.Contains(d.Id) && !(d.Id == "CS8632" && settings.Nullable == NullableContextOptions.Disable))
                    .Select(d => d.ToString()))
                .ToList();
            Assert.True(problems.Count == 0, $"[{settings.Name}]\n{string.Join("\n", problems)}\n{string.Join("\n", run.Sources.Select(s => s.Text))}");
            sources = run.Sources;
        }

        return sources;
    }

    /// <summary>Asserts the RES error <paramref name="id"/> and nothing wrong in generated code, under every setting.</summary>
    private static void Rejected(string source, string id)
    {
        foreach (var settings in ApplicableSettings(source))
        {
            var run = GeneratorHarness.RunWithAnalyzers(Usings + source, settings);
            Assert.Empty(run.Exceptions);
            Assert.Empty(run.GeneratorDiagnostics);
            Assert.Contains(run.Diagnostics, d => d.Id == id && d.Severity == DiagnosticSeverity.Error);
            Assert.DoesNotContain(run.Diagnostics, d => d.Severity >= DiagnosticSeverity.Warning && d.Location.SourceTree is { } tree && run.GeneratedTrees.Contains(tree));
        }
    }

    private static IEnumerable<CompilationSettings> ApplicableSettings(string source)
        => GeneratorFuzzTests.Settings.Where(s => s.LanguageVersion >= LanguageVersion.CSharp13 || !(source.Contains("params ReadOnlySpan", StringComparison.Ordinal) || source.Contains("allows ref struct", StringComparison.Ordinal)));
}
