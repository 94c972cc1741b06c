using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Resilience.Generator.Diagnostics;
using Resilience.Generator.Validation;

namespace Resilience.Generator.Analyzers;

/// <summary>
/// Reports attributes on members a strategy cannot apply to (RES0010) and <c>[CacheFallback]</c> on methods without
/// a result (RES0015): the members the generator forwards without any strategy.
/// </summary>
/// <remarks>
/// Only attributes written on the member are reported. An interface-level attribute is skipped for the methods it
/// cannot apply to (see <see cref="ResilientInterface"/>), so one streaming or void method does not forbid it.
/// </remarks>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class MemberShapeAnalyzer : DiagnosticAnalyzer
{
    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(
        DiagnosticDescriptors.StrategyNotApplicable,
        DiagnosticDescriptors.CacheFallbackWithoutResult);

    /// <inheritdoc />
    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        ResilienceAnalysis.RegisterPerInterface(context, Analyze);
    }

    private static void Analyze(SymbolAnalysisContext context, ResilientInterface resilient, ResilienceSymbols symbols)
    {
        foreach (var misplaced in resilient.Misplaced)
        {
            context.ReportDiagnostic(Diagnostic.Create(
                DiagnosticDescriptors.StrategyNotApplicable,
                AttributeLocations.Attribute(misplaced.Attribute.Data, context.CancellationToken),
                misplaced.Attribute.Name,
                $"'{misplaced.Member.Name}'",
                misplaced.Problem));
        }

        foreach (var method in resilient.Methods)
        {
            foreach (var attribute in method.Applied)
            {
                var problem = MethodShape.GetProblem(method.Symbol, method.Shape, attribute.Kind, symbols);
                if (problem is not null)
                {
                    context.ReportDiagnostic(Diagnostic.Create(
                        DiagnosticDescriptors.StrategyNotApplicable,
                        DiagnosticText.Where(method, attribute, context.CancellationToken),
                        attribute.Name,
                        DiagnosticText.Subject(method, attribute),
                        problem));
                }
                else if (attribute.Kind == AttributeKind.CacheFallback && !method.Shape.HasResult)
                {
                    context.ReportDiagnostic(Diagnostic.Create(
                        DiagnosticDescriptors.CacheFallbackWithoutResult,
                        DiagnosticText.Where(method, attribute, context.CancellationToken),
                        DiagnosticText.Subject(method, attribute)));
                }
            }
        }
    }
}
