using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Resilience.Generator.Binding;
using Resilience.Generator.Diagnostics;

namespace Resilience.Generator.Analyzers;

/// <summary>
/// Reports what the binder finds wrong with an interface that carries resilience attributes: everything that makes
/// the generator leave a method plain delegation or write no decorator, and the warnings about bound strategies.
/// It decides nothing itself: it runs <see cref="InterfaceBinder.Bind"/> (the generator's binder) per interface and
/// reports its <see cref="Problem"/>s.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class ResilientInterfaceAnalyzer : DiagnosticAnalyzer
{
    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(
        DiagnosticDescriptors.FallbackNotFound,
        DiagnosticDescriptors.FallbackReturnTypeMismatch,
        DiagnosticDescriptors.FallbackParameterMismatch,
        DiagnosticDescriptors.FallbackExceptionParameterInvalid,
        DiagnosticDescriptors.KeyParameterNotFound,
        DiagnosticDescriptors.HandleResultInvalid,
        DiagnosticDescriptors.RetryDelaysExceedTimeout,
        DiagnosticDescriptors.StrategyNotApplicable,
        DiagnosticDescriptors.TimeoutWithoutCancellationToken,
        DiagnosticDescriptors.BlockingOnSynchronousMethod,
        DiagnosticDescriptors.InterfaceCannotBeImplemented,
        DiagnosticDescriptors.CacheFallbackWithoutResult,
        DiagnosticDescriptors.FallbackAmbiguous,
        DiagnosticDescriptors.DecoratorNameClash,
        DiagnosticDescriptors.FallbackNullabilityMismatch,
        DiagnosticDescriptors.CacheKeyWithoutValueIdentity,
        DiagnosticDescriptors.InitOnlyPropertyNotForwarded,
        DiagnosticDescriptors.WorkerPoolOnSynchronousMethod,
        DiagnosticDescriptors.HedgeOnSynchronousMethod,
        DiagnosticDescriptors.HedgeWithoutCancellationToken,
        DiagnosticDescriptors.HedgeDelayReachesTimeout);

    /// <inheritdoc />
    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        ResilienceAnalysis.RegisterCompilationStart(
            context,
            static (start, symbols) => start.RegisterSymbolAction(
                symbolContext =>
                {
                    var result = InterfaceBinder.Bind((INamedTypeSymbol)symbolContext.Symbol, symbols, buildModel: false, Problems.Collect(), symbolContext.CancellationToken);
                    foreach (var problem in result.Problems)
                    {
                        symbolContext.ReportDiagnostic(problem.ToDiagnostic());
                    }
                },
                SymbolKind.NamedType));
    }
}
