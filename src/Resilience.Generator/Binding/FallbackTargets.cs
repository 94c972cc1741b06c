using System.Collections.Generic;
using Microsoft.CodeAnalysis;

namespace Resilience.Generator.Binding;

/// <summary>
/// The fallback targets of an interface: methods named by a <c>[Fallback]</c> without a handler type, on the interface
/// or on one of its methods. They receive no interface-level defaults (a fallback must not be wrapped by the strategies
/// it stands in for). One rule for the generator and the analyzers.
/// </summary>
internal static class FallbackTargets
{
    /// <summary>
    /// The targets, as original definitions. <paramref name="interfaceFallback"/> is the method name of the
    /// interface-level handler-less <c>[Fallback]</c>, if any; each of <paramref name="methods"/> comes with the method
    /// name of its own handler-less <c>[Fallback]</c>, if any. A method-level name binds like the generator binds it
    /// (so an overload is picked); one that does not bind marks every method of that name, as a name does.
    /// </summary>
    public static HashSet<IMethodSymbol> Find(
        INamedTypeSymbol type,
        string? interfaceFallback,
        IReadOnlyList<(IMethodSymbol Method, string? Fallback)> methods,
        Compilation compilation)
    {
        var targets = new HashSet<IMethodSymbol>(SymbolEqualityComparer.Default);
        AddByName(targets, methods, interfaceFallback);
        foreach (var (method, fallback) in methods)
        {
            if (fallback is null)
            {
                continue;
            }

            var resolution = FallbackResolver.Resolve(method, type, null, fallback, compilation);
            if (resolution.IsBound && resolution.Fallback is { } bound)
            {
                targets.Add(bound.OriginalDefinition);
            }
            else
            {
                AddByName(targets, methods, fallback);
            }
        }

        return targets;
    }

    private static void AddByName(HashSet<IMethodSymbol> targets, IReadOnlyList<(IMethodSymbol Method, string? Fallback)> methods, string? name)
    {
        if (name is null)
        {
            return;
        }

        foreach (var (method, _) in methods)
        {
            if (method.Name == name)
            {
                targets.Add(method.OriginalDefinition);
            }
        }
    }
}
