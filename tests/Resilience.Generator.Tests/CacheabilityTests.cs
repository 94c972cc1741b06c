using System.Collections;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Resilience.Generator.Helpers;
using Resilience.Generator.Tests.Infrastructure;

namespace Resilience.Generator.Tests;

/// <summary>The pipeline caches: models are equatable, hold no compiler objects, and only real edits re-emit.</summary>
public sealed class CacheabilityTests
{
    private const string Service = """
        using System;
        using System.Threading;
        using System.Threading.Tasks;
        using Resilience;

        namespace Shop;

        [CircuitBreaker]
        public interface IOrders
        {
            [Retry(MaxRetries = 2)]
            [Timeout(1_000)]
            [Hedge(DelayMs = 500)]
            Task<int> CountAsync(string filter, CancellationToken cancellationToken);

            [Fallback(nameof(Fallback))]
            ValueTask<string> NameAsync(int id);
            ValueTask<string> Fallback(int id, Exception error);

            [RateLimit(KeyParameter = "tenant")]
            [Bulkhead]
            [CacheFallback]
            Task<string> TenantAsync(string tenant);
        }
        """;

    private const string Unrelated = """
        namespace Shop;

        public sealed class Calculator
        {
            public int Add(int a, int b) => a + b;
        }
        """;

    /// <summary>A closed generic registration, so that the registration-site steps run.</summary>
    private const string ClosedRegistration = """
        using Microsoft.Extensions.DependencyInjection;
        using Resilience;

        namespace Data;

        public sealed class Customer : IEntity { public int Id => 1; }

        public static class Startup
        {
            public static void Configure(IServiceCollection services)
                => services.AddResilientDecorator<IRepository<Customer, int>>();
        }
        """;

    private static readonly IncrementalStepRunReason[] CachedReasons = { IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged };

    private static CSharpCompilation Compilation(params string[] sources) => GeneratorHarness.CreateCompilation(sources);

    [Fact]
    public void Second_run_on_a_cloned_compilation_is_fully_cached()
    {
        var compilation = Compilation(Service, Corpus.Cases["Members"], Corpus.Cases["Generics"], ClosedRegistration, Unrelated);
        var driver = GeneratorHarness.CreateDriver().RunGenerators(compilation);
        var second = driver.RunGenerators(compilation.Clone()).GetRunResult().Results.Single();

        foreach (var name in TrackingNames.All)
        {
            Assert.True(second.TrackedSteps.ContainsKey(name), $"Tracked step '{name}' was not recorded.");
            AssertReasons(second, name, CachedReasons);
        }

        Assert.All(second.TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(s => s.Outputs), o => Assert.Contains(o.Reason, CachedReasons));
    }

    [Fact]
    public void Tracked_outputs_hold_no_compilation_symbol_syntax_or_location()
    {
        var compilation = Compilation(Service, Corpus.Cases["Members"], Corpus.Cases["Fallbacks"], Corpus.Cases["KeysAndCaching"], Corpus.Cases["Generics"], ClosedRegistration);
        var result = GeneratorHarness.CreateDriver().RunGenerators(compilation).GetRunResult().Results.Single();

        var walked = 0;
        foreach (var name in TrackingNames.All)
        {
            foreach (var step in result.TrackedSteps[name])
            {
                foreach (var (value, _) in step.Outputs)
                {
                    walked += Walk(value, $"{name}", new HashSet<object>(ReferenceEqualityComparer.Instance));
                }
            }
        }

        Assert.True(walked > 100, $"Walked only {walked} values; the walk is not reaching the models.");
    }

    [Fact]
    public void The_same_source_in_two_compilations_gives_equal_models()
    {
        var first = Models(Compilation(Service));
        var second = Models(Compilation(Service));
        Assert.NotEmpty(first);
        Assert.Equal(first, second);
        Assert.Equal(first.Select(m => m.GetHashCode()), second.Select(m => m.GetHashCode()));
    }

    [Fact]
    public void Unrelated_edit_in_another_file_leaves_the_output_cached()
    {
        var compilation = Compilation(Service, Unrelated);
        var driver = GeneratorHarness.CreateDriver().RunGenerators(compilation);

        var oldTree = compilation.SyntaxTrees.Last();
        var newTree = oldTree.WithChangedText(Microsoft.CodeAnalysis.Text.SourceText.From(Unrelated.Replace("a + b", "b + a + 0", StringComparison.Ordinal)));
        var result = driver.RunGenerators(compilation.ReplaceSyntaxTree(oldTree, newTree)).GetRunResult().Results.Single();

        AssertReasons(result, TrackingNames.CircuitBreakerInterfaces, CachedReasons);
        AssertReasons(result, TrackingNames.RetryInterfaces, CachedReasons);
        AssertReasons(result, TrackingNames.AllInterfaces, CachedReasons);
        AssertReasons(result, TrackingNames.Interfaces, CachedReasons);
        AssertReasons(result, TrackingNames.Output, CachedReasons);
    }

    [Fact]
    public void Unrelated_edit_in_the_same_file_leaves_the_output_cached()
    {
        var compilation = Compilation(Service + "\n" + Unrelated.Replace("namespace Shop;", string.Empty, StringComparison.Ordinal));
        var driver = GeneratorHarness.CreateDriver().RunGenerators(compilation);

        var oldTree = compilation.SyntaxTrees.Single();
        var edited = oldTree.GetText().ToString().Replace("a + b", "a - -b", StringComparison.Ordinal);
        var result = driver.RunGenerators(compilation.ReplaceSyntaxTree(oldTree, oldTree.WithChangedText(Microsoft.CodeAnalysis.Text.SourceText.From(edited)))).GetRunResult().Results.Single();

        AssertReasons(result, TrackingNames.Interfaces, CachedReasons);
        AssertReasons(result, TrackingNames.Output, CachedReasons);
    }

    [Fact]
    public void Attribute_argument_edit_modifies_the_output()
    {
        var compilation = Compilation(Service, Unrelated);
        var driver = GeneratorHarness.CreateDriver().RunGenerators(compilation);

        var oldTree = compilation.SyntaxTrees.First();
        var edited = Service.Replace("MaxRetries = 2", "MaxRetries = 5", StringComparison.Ordinal);
        var next = driver.RunGenerators(compilation.ReplaceSyntaxTree(oldTree, oldTree.WithChangedText(Microsoft.CodeAnalysis.Text.SourceText.From(edited))));
        var result = next.GetRunResult().Results.Single();

        Assert.Contains(result.TrackedSteps[TrackingNames.Interfaces].SelectMany(s => s.Outputs), o => o.Reason == IncrementalStepRunReason.Modified);
        Assert.Contains(result.TrackedSteps[TrackingNames.Output].SelectMany(s => s.Outputs), o => o.Reason == IncrementalStepRunReason.Modified);
        Assert.Contains("MaxRetries = 5", Assert.Single(result.GeneratedSources).SourceText.ToString());
    }

    [Fact]
    public void Adding_a_second_interface_keeps_the_first_output_cached()
    {
        var compilation = Compilation(Service);
        var driver = GeneratorHarness.CreateDriver().RunGenerators(compilation);
        // Interfaces are ordered by hint name; one sorted after "Shop." leaves the first in its place.
        var added = compilation.AddSyntaxTrees(CSharpSyntaxTree.ParseText(
            "namespace Zoo; [Resilience.Retry] public interface IKeeper { System.Threading.Tasks.Task FeedAsync(); }",
            GeneratorHarness.ParseOptions));
        var result = driver.RunGenerators(added).GetRunResult().Results.Single();

        var outputs = result.TrackedSteps[TrackingNames.Output].SelectMany(s => s.Outputs).ToList();
        Assert.Contains(outputs, o => o.Reason == IncrementalStepRunReason.New);
        Assert.Contains(outputs, o => o.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged);
    }

    [Fact]
    public void Each_interface_is_parsed_once_per_run()
    {
        var compilation = Compilation("""
            using System.Threading.Tasks;
            using Resilience;
            namespace Shop;
            public interface IMany
            {
                [Retry] Task A();
                [Retry] Task B();
                [Retry] [Timeout(10)] Task C();
            }
            [Retry]
            public interface IDefaults
            {
                [Retry(MaxRetries = 1)] Task A();
            }
            """);
        var result = GeneratorHarness.CreateDriver().RunGenerators(compilation).GetRunResult().Results.Single();

        // One output per node carrying the kind; a model only from each interface's representative.
        var retry = result.TrackedSteps[TrackingNames.RetryInterfaces].SelectMany(s => s.Outputs).ToList();
        Assert.Equal(5, retry.Count);
        Assert.Equal(2, retry.Count(o => o.Value is not null));
        Assert.Null(Assert.Single(result.TrackedSteps[TrackingNames.TimeoutInterfaces].SelectMany(s => s.Outputs)).Value);
        Assert.Equal(2, result.TrackedSteps[TrackingNames.Interfaces].SelectMany(s => s.Outputs).Count());
    }

    private static List<Model.InterfaceModel> Models(Compilation compilation)
        => GeneratorHarness.CreateDriver().RunGenerators(compilation).GetRunResult().Results.Single()
            .TrackedSteps[TrackingNames.Interfaces]
            .SelectMany(s => s.Outputs)
            .Select(o => (Model.InterfaceModel)o.Value)
            .ToList();

    private static void AssertReasons(GeneratorRunResult result, string name, IncrementalStepRunReason[] allowed)
    {
        var outputs = result.TrackedSteps[name].SelectMany(s => s.Outputs).ToList();
        foreach (var (_, reason) in outputs)
        {
            Assert.True(allowed.Contains(reason), $"Step '{name}' produced an output with reason {reason}; expected {string.Join(" or ", allowed)}.");
        }
    }

    /// <summary>Walks a value's object graph; fails on any compiler object. Returns the number of values seen.</summary>
    private static int Walk(object? value, string path, HashSet<object> seen)
    {
        if (value is null)
        {
            return 0;
        }

        var type = value.GetType();
        Assert.False(value is Compilation || value is ISymbol || value is SyntaxNode || value is Location || value is SemanticModel || value is SyntaxTree, $"{path} holds a {type.Name}.");
        if (type.IsPrimitive || type.IsEnum || value is string or decimal)
        {
            return 1;
        }

        if (!type.IsValueType && !seen.Add(value))
        {
            return 0;
        }

        var count = 1;
        if (value is IEnumerable items)
        {
            var i = 0;
            foreach (var item in items)
            {
                count += Walk(item, $"{path}[{i++}]", seen);
            }

            return count;
        }

        foreach (var field in type.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic))
        {
            count += Walk(field.GetValue(value), $"{path}.{field.Name}", seen);
        }

        return count;
    }
}
