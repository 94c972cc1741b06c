using System.Collections.Generic;
using Microsoft.CodeAnalysis;

namespace Resilience.Generator.Parsing;

/// <summary>
/// An interface's own attributes (defaults for its methods) and its fallback targets: methods named by a
/// <c>[Fallback]</c> without a handler type, which receive no interface-level defaults. Matches the analyzers' rule.
/// </summary>
internal sealed class InterfaceDefaults
{
    private InterfaceDefaults(Dictionary<ResilienceKind, StrategySettings> settings, HashSet<IMethodSymbol> targets)
    {
        Settings = settings;
        Targets = targets;
    }

    public Dictionary<ResilienceKind, StrategySettings> Settings { get; }

    private HashSet<IMethodSymbol> Targets { get; }

    public bool IsFallbackTarget(IMethodSymbol method) => Targets.Contains(method.OriginalDefinition);

    public static InterfaceDefaults Read(INamedTypeSymbol type, KnownTypes known)
    {
        var settings = ReadAll(type, type, isInterfaceLevel: true, known);
        var targets = new HashSet<IMethodSymbol>(SymbolEqualityComparer.Default);
        var methods = new List<IMethodSymbol>();
        foreach (var member in type.GetMembers())
        {
            if (member is IMethodSymbol { MethodKind: MethodKind.Ordinary, IsStatic: false } method)
            {
                methods.Add(method);
            }
        }

        if (settings.TryGetValue(ResilienceKind.Fallback, out var interfaceFallback) && interfaceFallback.HandlerType is null)
        {
            AddByName(targets, methods, interfaceFallback.MethodName);
        }

        foreach (var method in methods)
        {
            var own = ReadAll(method, type, isInterfaceLevel: false, known);
            if (!own.TryGetValue(ResilienceKind.Fallback, out var fallback) || fallback.HandlerType is not null || fallback.MethodName is null)
            {
                continue;
            }

            var resolution = FallbackResolver.Resolve(method, type, null, fallback.MethodName, known.Compilation);
            if (resolution.IsBound && resolution.Fallback is { } bound)
            {
                targets.Add(bound.OriginalDefinition);
            }
            else
            {
                AddByName(targets, methods, fallback.MethodName);
            }
        }

        return new InterfaceDefaults(settings, targets);
    }

    /// <summary>The resilience attributes on <paramref name="symbol"/>, by kind (the first of each kind).</summary>
    public static Dictionary<ResilienceKind, StrategySettings> ReadAll(ISymbol symbol, INamedTypeSymbol declaring, bool isInterfaceLevel, KnownTypes known)
    {
        var result = new Dictionary<ResilienceKind, StrategySettings>();
        foreach (var data in symbol.GetAttributes())
        {
            if (known.TryGetKind(data, out var kind) && !result.ContainsKey(kind))
            {
                result.Add(kind, AttributeReader.Read(data, kind, declaring, isInterfaceLevel, known));
            }
        }

        return result;
    }

    private static void AddByName(HashSet<IMethodSymbol> targets, List<IMethodSymbol> methods, string? name)
    {
        foreach (var method in methods)
        {
            if (method.Name == name)
            {
                targets.Add(method.OriginalDefinition);
            }
        }
    }
}
