using System.Linq;
using Microsoft.CodeAnalysis;

namespace Resilience.Generator.Binding;

/// <summary>
/// Interface shapes the decorator cannot implement beyond accessibility and static abstract members: one rule for
/// the generator (which then skips the interface) and <c>InterfaceShapeAnalyzer</c> (which reports RES0014).
/// </summary>
internal static class ShapeProblems
{
    /// <summary>Why no decorator can be generated for <paramref name="type"/>, as "what is wrong; what to do", or <see langword="null"/>.</summary>
    public static string? Of(INamedTypeSymbol type)
    {
        foreach (var typeParameter in type.TypeParameters)
        {
            if (ReservedName(typeParameter) is { } problem)
            {
                return problem;
            }
        }

        foreach (var member in new[] { type }.Concat(type.AllInterfaces).SelectMany(i => i.GetMembers()))
        {
            if (!member.IsStatic && member.IsAbstract && IsProtected(member))
            {
                return $"it has the protected member '{member.ToDisplayString(SymbolDisplayFormat.CSharpShortErrorMessageFormat)}', which the decorator must implement but cannot call on the inner instance; make it public or internal, or give it a default implementation";
            }

            if (member is IMethodSymbol method && !method.IsStatic)
            {
                foreach (var typeParameter in method.TypeParameters)
                {
                    if (ReservedName(typeParameter) is { } problem)
                    {
                        return problem;
                    }
                }
            }
        }

        return null;
    }

    /// <summary>Protected or private protected: callable only through <c>this</c>, never on another instance.</summary>
    public static bool IsProtected(ISymbol member)
        => member.DeclaredAccessibility is Accessibility.Protected or Accessibility.ProtectedAndInternal;

    /// <summary>
    /// A type parameter named <c>var</c> (which would turn the decorator's <c>var</c> locals into that type) or starting
    /// with <c>__</c> (the prefix of the decorator's own fields and locals).
    /// </summary>
    private static string? ReservedName(ITypeParameterSymbol typeParameter)
        => typeParameter.Name == "var" || typeParameter.Name.StartsWith("__", System.StringComparison.Ordinal)
            ? $"its type parameter '{typeParameter.Name}' has a name the decorator reserves ('var', or starting with '__' like its own fields and locals); rename the type parameter"
            : null;
}
