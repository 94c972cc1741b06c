using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Resilience.Benchmarks.Generator;

/// <summary>
/// The floor of <see cref="GeneratorBenchmarks"/>: a generator with the same <c>ForAttributeWithMetadataName</c>
/// pipelines as <c>ResilienceGenerator</c> (one per resilience attribute, the same syntax predicate) that does nothing
/// else. Its transform returns the target's name (a tiny equatable value) and its one output is a file with a count.
/// What Roslyn spends finding and binding the attributed nodes after an edit is spent here too; what the real
/// generator spends beyond this is its own.
/// </summary>
public sealed class TrivialGenerator : IIncrementalGenerator
{
    /// <summary>The attributes <c>ResilienceGenerator</c> has a pipeline for, by metadata name.</summary>
    public static readonly ImmutableArray<string> Attributes =
    [
        "Resilience.RetryAttribute", "Resilience.CircuitBreakerAttribute", "Resilience.RateLimitAttribute",
        "Resilience.BulkheadAttribute", "Resilience.TimeoutAttribute", "Resilience.FallbackAttribute",
        "Resilience.CacheFallbackAttribute", "Resilience.HedgeAttribute",
    ];

    /// <inheritdoc />
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        IncrementalValueProvider<int>? count = null;
        foreach (string attribute in Attributes)
        {
            IncrementalValueProvider<int> found = context.SyntaxProvider
                .ForAttributeWithMetadataName(
                    attribute,
                    static (node, _) => node is InterfaceDeclarationSyntax or MethodDeclarationSyntax { Parent: InterfaceDeclarationSyntax },
                    static (ctx, _) => ctx.TargetSymbol.Name)
                .Collect()
                .Select(static (names, _) => names.Length);
            count = count is { } sum ? sum.Combine(found).Select(static (pair, _) => pair.Left + pair.Right) : found;
        }

        context.RegisterSourceOutput(count!.Value, static (spc, n) => spc.AddSource("Trivial.g.cs", $"// {n} attributed nodes\n"));
    }
}
