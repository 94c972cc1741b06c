using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Resilience.Generator.Binding;
using Resilience.Generator.Diagnostics;

namespace Resilience.Generator.Analyzers;

/// <summary>
/// Reports attribute settings out of their documented range (RES0005), policy types that cannot be created
/// (RES0008) and per-key settings on an attribute without <c>KeyParameter</c> (RES0017, a warning), wherever the
/// attribute is written: the binder's <see cref="AttributeProblems"/>, per symbol.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class AttributeValueAnalyzer : DiagnosticAnalyzer
{
    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(
        DiagnosticDescriptors.InvalidAttributeValue,
        DiagnosticDescriptors.PolicyTypeInvalid,
        DiagnosticDescriptors.KeyedSettingWithoutKey);

    /// <inheritdoc />
    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        ResilienceAnalysis.RegisterCompilationStart(
            context,
            static (start, symbols) => start.RegisterSymbolAction(
                context =>
                {
                    var problems = Problems.Collect();
                    AttributeProblems.Describe(context.Symbol, symbols, problems, context.CancellationToken);
                    foreach (var problem in problems.List)
                    {
                        context.ReportDiagnostic(problem.ToDiagnostic());
                    }
                },
                SymbolKind.NamedType,
                SymbolKind.Method));
    }
}
