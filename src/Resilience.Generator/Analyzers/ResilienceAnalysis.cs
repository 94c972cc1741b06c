using System;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace Resilience.Generator.Analyzers;

/// <summary>
/// The registration every resilience analyzer shares: the <see cref="ResilienceSymbols"/> resolved once per
/// compilation, with nothing registered when the compilation does not reference the runtime.
/// </summary>
/// <remarks>
/// A static helper rather than a base class: the analyzers are public, so an internal base class cannot be theirs.
/// Each analyzer still calls <c>EnableConcurrentExecution</c> and <c>ConfigureGeneratedCodeAnalysis</c> in its own
/// <c>Initialize</c>, where RS1025 and RS1026 look for them.
/// </remarks>
internal static class ResilienceAnalysis
{
    /// <summary>
    /// Calls <paramref name="onCompilationStart"/> once for each compilation that references the runtime, to register
    /// its actions.
    /// </summary>
    public static void RegisterCompilationStart(AnalysisContext context, Action<CompilationStartAnalysisContext, ResilienceSymbols> onCompilationStart)
    {
        context.RegisterCompilationStartAction(start =>
        {
            var symbols = ResilienceSymbols.Create(start.Compilation);
            if (symbols is not null)
            {
                onCompilationStart(start, symbols);
            }
        });
    }

    /// <summary>
    /// Calls <paramref name="analyze"/> for each interface with resilience attributes (each type for which <see cref="ResilientInterface.Create"/> is not null).
    /// </summary>
    public static void RegisterPerInterface(AnalysisContext context, Action<SymbolAnalysisContext, ResilientInterface, ResilienceSymbols> analyze)
        => RegisterCompilationStart(context, (start, symbols) => start.RegisterSymbolAction(
            symbolContext =>
            {
                var resilient = ResilientInterface.Create((INamedTypeSymbol)symbolContext.Symbol, symbols, symbolContext.CancellationToken);
                if (resilient is not null)
                {
                    analyze(symbolContext, resilient, symbols);
                }
            },
            SymbolKind.NamedType));
}
