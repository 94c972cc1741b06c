using System;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Resilience.Generator.Binding;

namespace Resilience.Generator.Analyzers;

/// <summary>
/// The registration every resilience analyzer shares: the <see cref="KnownSymbols"/> resolved once per compilation,
/// with nothing registered when the compilation does not reference the runtime.
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
    public static void RegisterCompilationStart(AnalysisContext context, Action<CompilationStartAnalysisContext, KnownSymbols> onCompilationStart)
    {
        context.RegisterCompilationStartAction(start =>
        {
            var symbols = KnownSymbols.ForAnalysis(start.Compilation);
            if (symbols is not null)
            {
                onCompilationStart(start, symbols);
            }
        });
    }
}
