using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Text;
using Resilience.Generator.Helpers;
using Resilience.Generator.Model;
using Resilience.Generator.Tests.Infrastructure;

namespace Resilience.Generator.Tests;

/// <summary>
/// Each interface is parsed once per run: of the nodes the seven per-kind pipelines see, only the interface's
/// representative (the first resilience attribute of the interface, else of its first attributed method) yields a
/// model; every other node yields null without parsing.
/// </summary>
public sealed class RepresentativeTests
{
    private static readonly string[] KindSteps =
    {
        TrackingNames.RetryInterfaces, TrackingNames.CircuitBreakerInterfaces, TrackingNames.RateLimitInterfaces,
        TrackingNames.BulkheadInterfaces, TrackingNames.TimeoutInterfaces, TrackingNames.FallbackInterfaces,
        TrackingNames.CacheFallbackInterfaces,
    };

    private const string Usings = """
        using System;
        using System.Threading;
        using System.Threading.Tasks;
        using Resilience;

        namespace Shop;

        """;

    [Fact]
    public void An_interface_using_all_seven_kinds_yields_one_model_from_the_seven_pipelines()
    {
        var run = GeneratorHarness.RunClean(Usings + """
            [CircuitBreaker]
            public interface IWithDefault
            {
                [Retry] [Timeout(1_000)] Task<int> CountAsync(CancellationToken cancellationToken);
                [Fallback(nameof(NameFallback))] [CacheFallback] ValueTask<string> NameAsync(int id);
                ValueTask<string> NameFallback(int id, Exception error);
                [RateLimit(KeyParameter = "tenant")] [Bulkhead] [CircuitBreaker(Name = "tenants")] Task<string> TenantAsync(string tenant);
            }

            public interface IWithoutDefault
            {
                [Retry] [Timeout(1_000)] Task<int> CountAsync(CancellationToken cancellationToken);
                [Fallback(nameof(NameFallback))] [CacheFallback] ValueTask<string> NameAsync(int id);
                ValueTask<string> NameFallback(int id, Exception error);
                [RateLimit(KeyParameter = "tenant")] [Bulkhead] [CircuitBreaker] Task<string> TenantAsync(string tenant);
            }

            public interface IFallbackFirst
            {
                [Fallback(nameof(NameFallback))] [Retry] [CacheFallback] ValueTask<string> NameAsync(int id);
                ValueTask<string> NameFallback(int id, Exception error);
                [Timeout(1_000)] [RateLimit] [Bulkhead] [CircuitBreaker] Task<int> CountAsync(CancellationToken cancellationToken);
            }
            """);

        var result = run.Result.Results.Single();
        var outputs = KindOutputs(result);

        // Every pipeline ran on every node carrying its kind (8 + 7 + 7 attributed nodes) ...
        Assert.Equal(22, outputs.Count);
        // ... and exactly one model per interface came out of all of them, from its representative's pipeline.
        var models = outputs.Where(o => o.Model is not null).ToList();
        Assert.Equal(3, models.Count);
        Assert.Equal(TrackingNames.CircuitBreakerInterfaces, Assert.Single(models, m => m.Model!.ClassName == "WithDefaultResilient").Step);
        Assert.Equal(TrackingNames.RetryInterfaces, Assert.Single(models, m => m.Model!.ClassName == "WithoutDefaultResilient").Step);
        Assert.Equal(TrackingNames.FallbackInterfaces, Assert.Single(models, m => m.Model!.ClassName == "FallbackFirstResilient").Step);
        Assert.Equal(3, run.Sources.Count);
    }

    [Fact]
    public void Interface_level_attributes_alone_yield_one_file_from_the_first_of_them()
    {
        var run = GeneratorHarness.RunClean(Usings + """
            [Timeout(500)]
            [Retry(MaxRetries = 2)]
            public interface IPlain
            {
                Task RunAsync(CancellationToken cancellationToken);
                int Count { get; }
            }
            """);

        var models = KindOutputs(run.Result.Results.Single()).Where(o => o.Model is not null).ToList();
        Assert.Equal(TrackingNames.TimeoutInterfaces, Assert.Single(models).Step);
        var text = run.Single();
        Assert.Contains("MaxRetries = 2", text, StringComparison.Ordinal);
        Assert.Contains("global::Resilience.TimeoutStrategy", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_partial_interface_with_attributes_in_two_files_yields_the_same_single_file_as_one_declaration(bool sameFile)
    {
        const string First = """
            public partial interface IParts
            {
                [Timeout(100)] Task AAsync(CancellationToken cancellationToken);
            }
            """;
        const string Second = """
            [CircuitBreaker(FailureThreshold = 3)]
            public partial interface IParts
            {
                [Retry(MaxRetries = 4)] Task BAsync();
            }
            """;
        var split = sameFile
            ? GeneratorHarness.RunClean(Usings + First + "\n" + Second)
            : GeneratorHarness.RunClean(Usings + First, Usings + Second);
        var whole = GeneratorHarness.RunClean(Usings + """
            [CircuitBreaker(FailureThreshold = 3)]
            public interface IParts
            {
                [Timeout(100)] Task AAsync(CancellationToken cancellationToken);
                [Retry(MaxRetries = 4)] Task BAsync();
            }
            """);

        var models = KindOutputs(split.Result.Results.Single()).Where(o => o.Model is not null).ToList();
        Assert.Equal(TrackingNames.CircuitBreakerInterfaces, Assert.Single(models).Step);
        Assert.Equal(whole.Single(), split.Single());
    }

    [Fact]
    public void A_partial_interface_with_interface_attributes_on_both_declarations_is_parsed_once()
    {
        var split = GeneratorHarness.RunClean(
            Usings + "[Retry(MaxRetries = 1)] public partial interface IParts { Task AAsync(); }",
            Usings + "[CircuitBreaker(FailureThreshold = 2)] public partial interface IParts { [Bulkhead] Task BAsync(); }");
        var whole = GeneratorHarness.RunClean(
            Usings + "[Retry(MaxRetries = 1)] [CircuitBreaker(FailureThreshold = 2)] public interface IParts { Task AAsync(); [Bulkhead] Task BAsync(); }");

        var outputs = KindOutputs(split.Result.Results.Single());
        Assert.Equal(3, outputs.Count);
        Assert.Equal(TrackingNames.RetryInterfaces, Assert.Single(outputs, o => o.Model is not null).Step);
        Assert.Equal(whole.Single(), split.Single());
    }

    [Fact]
    public void Attributes_on_accessors_and_other_namespaces_do_not_hide_the_first_attributed_method()
    {
        // Neither reaches a pipeline (an accessor is no method declaration; Other.RetryAttribute is not ours), so
        // neither may be taken for the representative, or no pipeline would produce the interface.
        var run = GeneratorHarness.Run(Usings + """
            public interface IProps
            {
                int Count { [Retry] get; }
                [Other.Retry] Task NotOursAsync();
                [Timeout(10)] Task RunAsync(CancellationToken cancellationToken);
            }
            """, """
            namespace Other;
            [System.AttributeUsage(System.AttributeTargets.Method)]
            public sealed class RetryAttribute : System.Attribute { }
            """);

        var models = KindOutputs(run.Result.Results.Single()).Where(o => o.Model is not null).ToList();
        Assert.Equal(TrackingNames.TimeoutInterfaces, Assert.Single(models).Step);
        Assert.Contains("class PropsResilient", run.Single(), StringComparison.Ordinal);
    }

    [Fact]
    public void An_attribute_added_to_a_later_method_modifies_the_one_output()
    {
        const string Before = """
            public interface ILate
            {
                [Retry] Task AAsync();
                Task BAsync(CancellationToken cancellationToken);
            }
            """;
        var (result, text, fresh) = Edit(Before, "    Task BAsync(", "    [Timeout(50)] Task BAsync(");

        Assert.Equal(fresh, text);
        Assert.Contains("global::Resilience.TimeoutStrategy", text, StringComparison.Ordinal);
        var output = Assert.Single(result.TrackedSteps[TrackingNames.Output].SelectMany(s => s.Outputs));
        Assert.Equal(IncrementalStepRunReason.Modified, output.Reason);
        var models = KindOutputs(result).Where(o => o.Model is not null).ToList();
        Assert.Equal(TrackingNames.RetryInterfaces, Assert.Single(models).Step);
    }

    [Theory]
    [InlineData("    Task AAsync(", "    [Timeout(50)] Task AAsync(", "TimeoutInterfaces")]   // a new first carrier
    [InlineData("    [Retry] Task BAsync(", "    Task BAsync(", "TimeoutInterfaces")]          // the carrier's attribute removed
    [InlineData("public interface", "[Bulkhead] public interface", "BulkheadInterfaces")]               // the interface becomes the carrier
    public void When_the_representative_moves_the_output_is_still_one_correct_file(string oldText, string newText, string step)
    {
        const string Before = """
            public interface IMoves
            {
                Task AAsync(CancellationToken cancellationToken);
                [Retry] Task BAsync();
                [Timeout(10)] Task CAsync(CancellationToken cancellationToken);
            }
            """;
        var (result, text, fresh) = Edit(Before, oldText, newText);

        Assert.Equal(fresh, text);
        var output = Assert.Single(result.TrackedSteps[TrackingNames.Output].SelectMany(s => s.Outputs));
        Assert.Equal(IncrementalStepRunReason.Modified, output.Reason);
        Assert.Equal(step, Assert.Single(KindOutputs(result), o => o.Model is not null).Step);
    }

    /// <summary>Runs a driver on <paramref name="before"/>, then again after replacing <paramref name="oldText"/>; returns the second run, its file, and a fresh driver's file for the edited source.</summary>
    private static (GeneratorRunResult Result, string Text, string Fresh) Edit(string before, string oldText, string newText)
    {
        Assert.Contains(oldText, before, StringComparison.Ordinal);
        var compilation = GeneratorHarness.CreateCompilation(Usings + before);
        var driver = GeneratorHarness.CreateDriver().RunGenerators(compilation);

        var oldTree = compilation.SyntaxTrees.Single();
        var edited = (Usings + before).Replace(oldText, newText, StringComparison.Ordinal);
        var next = compilation.ReplaceSyntaxTree(oldTree, oldTree.WithChangedText(SourceText.From(edited)));
        var result = driver.RunGenerators(next).GetRunResult().Results.Single();
        var fresh = GeneratorHarness.Run(GeneratorHarness.CreateCompilation(edited)).Single();
        return (result, Assert.Single(result.GeneratedSources).SourceText.ToString(), fresh);
    }

    /// <summary>Every current output of the seven per-kind steps (not those reported as removed): one per node carrying that kind, a model or null.</summary>
    private static List<(string Step, InterfaceModel? Model)> KindOutputs(GeneratorRunResult result)
    {
        var outputs = new List<(string, InterfaceModel?)>();
        foreach (var step in KindSteps)
        {
            if (result.TrackedSteps.TryGetValue(step, out var steps))
            {
                outputs.AddRange(steps.SelectMany(s => s.Outputs)
                    .Where(o => o.Reason != IncrementalStepRunReason.Removed)
                    .Select(o => (step, (InterfaceModel?)o.Value)));
            }
        }

        return outputs;
    }
}
