using System.Collections.Immutable;
using Microsoft.CodeAnalysis;

namespace Resilience.Generator.Binding;

/// <summary>
/// Picks the one (syntax node, attribute kind) pair that stands for an interface, so that the generator parses each
/// interface once per run although Roslyn calls it for every node that carries any of the resilience attributes.
/// </summary>
/// <remarks>
/// The representative is the first resilience attribute of the first carrier: the interface itself when any of its
/// declarations carries one (the attribute first in <see cref="ISymbol.GetAttributes"/>, i.e. in declaration order),
/// else the first method, in declaration order (<c>GetMembers()</c>), that carries one. Only
/// methods written as method declarations count, as only those reach the generator (properties, events and accessors
/// never do; the analyzers report attributes on them). Attributes are matched by name, exactly as
/// <c>ForAttributeWithMetadataName</c> matches them, so the representative's own pipeline always sees its node.
/// Everything here is symbol lookups the compilation caches; nothing is parsed.
/// </remarks>
internal static class Representative
{
    /// <summary>
    /// Whether <paramref name="node"/> (an interface or method declaration whose symbol is <paramref name="target"/>),
    /// seen by the pipeline of <paramref name="attributeClass"/>, is the representative of <paramref name="type"/>.
    /// </summary>
    public static bool Is(SyntaxNode node, ISymbol target, INamedTypeSymbol type, INamedTypeSymbol? attributeClass)
    {
        if (attributeClass is null || !TryFind(type, out var carrier, out var attribute))
        {
            return false;
        }

        if (!SymbolEqualityComparer.Default.Equals(carrier, target)
            || !SymbolEqualityComparer.Default.Equals(attribute.AttributeClass, attributeClass))
        {
            return false;
        }

        // A partial interface has one node per declaration: only the one that holds the attribute stands for it.
        var reference = attribute.ApplicationSyntaxReference;
        return reference is not null && reference.SyntaxTree == node.SyntaxTree && node.Span.Contains(reference.Span);
    }

    /// <summary>The first carrier of <paramref name="type"/> and its first resilience attribute.</summary>
    public static bool TryFind(INamedTypeSymbol type, out ISymbol carrier, out AttributeData attribute)
    {
        if (First(type.GetAttributes()) is { } own)
        {
            carrier = type;
            attribute = own;
            return true;
        }

        foreach (var member in type.GetMembers())
        {
            if (member is IMethodSymbol { MethodKind: MethodKind.Ordinary or MethodKind.ExplicitInterfaceImplementation } method
                && First(method.GetAttributes()) is { } found)
            {
                carrier = method;
                attribute = found;
                return true;
            }
        }

        carrier = null!;
        attribute = null!;
        return false;
    }

    private static AttributeData? First(ImmutableArray<AttributeData> attributes)
    {
        foreach (var attribute in attributes)
        {
            if (IsResilienceAttribute(attribute.AttributeClass))
            {
                return attribute;
            }
        }

        return null;
    }

    /// <summary>One of the resilience attributes, by metadata name <c>Resilience.{Kind}Attribute</c> (as <c>ForAttributeWithMetadataName</c> compares).</summary>
    private static bool IsResilienceAttribute(INamedTypeSymbol? type)
        => type is { ContainingType: null, Arity: 0, ContainingNamespace: { Name: "Resilience", ContainingNamespace.IsGlobalNamespace: true } }
            && type.Name is "RetryAttribute" or "CircuitBreakerAttribute" or "RateLimitAttribute" or "BulkheadAttribute"
                or "TimeoutAttribute" or "FallbackAttribute" or "CacheFallbackAttribute" or "HedgeAttribute";
}
