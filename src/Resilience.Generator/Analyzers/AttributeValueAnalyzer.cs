using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Resilience.Generator.Binding;
using Resilience.Generator.Diagnostics;

namespace Resilience.Generator.Analyzers;

/// <summary>
/// Reports attribute settings out of their documented range (RES0005), policy types that cannot be created
/// (RES0008), a <c>HandleException</c> that names no usable static predicate (RES0027–RES0029) and per-key settings on
/// an attribute without <c>KeyParameter</c> (RES0017, a warning), wherever the
/// attribute is written: the binder's <see cref="AttributeProblems"/>, per symbol. Also reports attributes where no
/// decorator reads them (RES0022, <see cref="IgnoredAttributes"/>): on methods of classes and structs, local functions
/// and lambdas.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class AttributeValueAnalyzer : DiagnosticAnalyzer
{
    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(
        DiagnosticDescriptors.InvalidAttributeValue,
        DiagnosticDescriptors.PolicyTypeInvalid,
        DiagnosticDescriptors.KeyedSettingWithoutKey,
        DiagnosticDescriptors.AttributeIgnoredOutsideInterface,
        DiagnosticDescriptors.HandleExceptionNotFound,
        DiagnosticDescriptors.HandleExceptionNotStatic,
        DiagnosticDescriptors.HandleExceptionSignatureInvalid,
        DiagnosticDescriptors.RetryBudgetNameInvalid,
        DiagnosticDescriptors.RetryBudgetNeverUsed,
        DiagnosticDescriptors.RetryBudgetNotConfigurable);

    /// <inheritdoc />
    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        ResilienceAnalysis.RegisterCompilationStart(
            context,
            static (start, symbols) =>
            {
                start.RegisterSymbolAction(
                    context =>
                    {
                        var problems = Problems.Collect();
                        AttributeProblems.Describe(context.Symbol, symbols, problems, context.CancellationToken);
                        if (context.Symbol is IMethodSymbol method)
                        {
                            IgnoredAttributes.Describe(method, symbols, problems, context.CancellationToken);
                        }

                        Report(problems, context.ReportDiagnostic);
                    },
                    SymbolKind.NamedType,
                    SymbolKind.Method);

                // Local functions and lambdas get no symbol action.
                start.RegisterSyntaxNodeAction(
                    context =>
                    {
                        var symbol = context.Node is LocalFunctionStatementSyntax
                            ? context.SemanticModel.GetDeclaredSymbol(context.Node, context.CancellationToken)
                            : context.SemanticModel.GetSymbolInfo(context.Node, context.CancellationToken).Symbol;
                        if (symbol is IMethodSymbol function)
                        {
                            var problems = Problems.Collect();
                            IgnoredAttributes.Describe(function, symbols, problems, context.CancellationToken);
                            Report(problems, context.ReportDiagnostic);
                        }
                    },
                    SyntaxKind.LocalFunctionStatement,
                    SyntaxKind.ParenthesizedLambdaExpression,
                    SyntaxKind.SimpleLambdaExpression);
            });
    }

    private static void Report(Problems problems, System.Action<Diagnostic> report)
    {
        foreach (var problem in problems.List)
        {
            report(problem.ToDiagnostic());
        }
    }
}
