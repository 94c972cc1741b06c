using System.Collections.Concurrent;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Resilience.Generator.Binding;
using Resilience.Generator.Diagnostics;

namespace Resilience.Generator.Analyzers;

/// <summary>
/// Reports a <c>Name</c> shared by two <c>[CircuitBreaker]</c>, <c>[RateLimit]</c> or <c>[Bulkhead]</c> declarations
/// with different settings (RES0011, the binder's <see cref="SharedNames"/>). It compares declarations across the
/// whole compilation, so it runs at the end of it, and some IDE hosts show it only on build.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class SharedNameAnalyzer : DiagnosticAnalyzer
{
    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(
        DiagnosticDescriptors.ConflictingSharedName);

    /// <inheritdoc />
    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        ResilienceAnalysis.RegisterCompilationStart(
            context,
            static (start, symbols) =>
            {
                var declarations = new ConcurrentQueue<SharedNames.Declaration>();
                start.RegisterSymbolAction(
                    context =>
                    {
                        foreach (var declaration in SharedNames.Read(context.Symbol, symbols, context.CancellationToken))
                        {
                            declarations.Enqueue(declaration);
                        }
                    },
                    SymbolKind.NamedType,
                    SymbolKind.Method);
                start.RegisterCompilationEndAction(context =>
                {
                    var problems = Problems.Collect();
                    SharedNames.Compare(declarations, problems);
                    foreach (var problem in problems.List)
                    {
                        context.ReportDiagnostic(problem.ToDiagnostic());
                    }
                });
            });
    }
}
