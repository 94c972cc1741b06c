using System.Collections.Generic;
using Microsoft.CodeAnalysis;
using Resilience.Generator.Validation;

namespace Resilience.Generator.Parsing;

/// <summary>
/// An interface's own attributes (defaults for its methods) and its fallback targets: methods named by a
/// <c>[Fallback]</c> without a handler type, which receive no interface-level defaults (<see cref="FallbackTargets"/>,
/// shared with the analyzers).
/// </summary>
internal sealed class InterfaceDefaults
{
    private InterfaceDefaults(Dictionary<AttributeKind, StrategySettings> settings, HashSet<IMethodSymbol> targets)
    {
        Settings = settings;
        Targets = targets;
    }

    public Dictionary<AttributeKind, StrategySettings> Settings { get; }

    private HashSet<IMethodSymbol> Targets { get; }

    public bool IsFallbackTarget(IMethodSymbol method) => Targets.Contains(method.OriginalDefinition);

    public static InterfaceDefaults Read(INamedTypeSymbol type, KnownTypes known)
    {
        var settings = ReadAll(type, type, isInterfaceLevel: true, known);
        var methods = new List<(IMethodSymbol Method, string? Fallback)>();
        foreach (var member in type.GetMembers())
        {
            if (member is IMethodSymbol { MethodKind: MethodKind.Ordinary, IsStatic: false } method)
            {
                var own = ReadAll(method, type, isInterfaceLevel: false, known);
                methods.Add((method, own.TryGetValue(AttributeKind.Fallback, out var fallback) && fallback.HandlerType is null ? fallback.MethodName : null));
            }
        }

        var interfaceFallback = settings.TryGetValue(AttributeKind.Fallback, out var onInterface) && onInterface.HandlerType is null ? onInterface.MethodName : null;
        var targets = FallbackTargets.Find(type, interfaceFallback, methods, known.Compilation);
        return new InterfaceDefaults(settings, targets);
    }

    /// <summary>The resilience attributes on <paramref name="symbol"/>, by kind (the first of each kind).</summary>
    public static Dictionary<AttributeKind, StrategySettings> ReadAll(ISymbol symbol, INamedTypeSymbol declaring, bool isInterfaceLevel, KnownTypes known)
    {
        var result = new Dictionary<AttributeKind, StrategySettings>();
        foreach (var data in symbol.GetAttributes())
        {
            if (known.TryGetKind(data, out var kind) && !result.ContainsKey(kind))
            {
                result.Add(kind, AttributeReader.Read(data, kind, declaring, isInterfaceLevel, known));
            }
        }

        return result;
    }
}
