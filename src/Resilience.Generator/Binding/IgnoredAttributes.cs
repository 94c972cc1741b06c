using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Resilience.Generator.Diagnostics;

namespace Resilience.Generator.Binding;

/// <summary>
/// The rule of RES0022: a resilience attribute where nothing reads it, on a method of a class, struct or record (an
/// explicit interface implementation and an accessor included), on a local function or on a lambda. The binder
/// decorates interfaces only (<see cref="InterfaceBinder"/>). On a class itself the attributes are a compiler error
/// already (CS0592: their usage is <c>Method | Interface</c>).
/// </summary>
internal static class IgnoredAttributes
{
    /// <summary>Adds a problem for each resilience attribute on <paramref name="method"/> when no decorator reads it.</summary>
    public static void Describe(IMethodSymbol method, KnownSymbols symbols, Problems problems, CancellationToken cancellationToken)
    {
        string subject;
        string hint;
        switch (method.MethodKind)
        {
            case MethodKind.LocalFunction:
                subject = $"the local function '{method.Name}'";
                hint = "move the work into a method of an interface and put the attribute there";
                break;
            case MethodKind.AnonymousFunction:
                subject = "a lambda";
                hint = "move the work into a method of an interface and put the attribute there";
                break;
            default:
                if (method.ContainingType is not { TypeKind: TypeKind.Class or TypeKind.Struct } type)
                {
                    return;
                }

                var implemented = ImplementedInterfaceMethod(method, type);
                subject = $"'{type.Name}.{method.Name}'";
                hint = implemented is not null
                    ? $"put it on '{implemented.ContainingType.Name}.{implemented.Name}' in the interface, and register the class with AddResilient<{implemented.ContainingType.Name}, {type.Name}>()"
                    : "declare the method on an interface, put the attribute there and call the class through the generated decorator";
                break;
        }

        foreach (var attribute in method.GetAttributes())
        {
            if (symbols.TryGetKind(attribute, out var kind))
            {
                var location = AttributeLocations.Attribute(attribute, cancellationToken);
                if (location.IsInSource)
                {
                    problems.Add(DiagnosticDescriptors.AttributeIgnoredOutsideInterface, location, BoundAttribute.GetName(kind), subject, hint);
                }
            }
        }
    }

    /// <summary>The interface method <paramref name="method"/> implements (explicitly or implicitly), if any.</summary>
    private static IMethodSymbol? ImplementedInterfaceMethod(IMethodSymbol method, INamedTypeSymbol type)
    {
        if (!method.ExplicitInterfaceImplementations.IsEmpty)
        {
            return method.ExplicitInterfaceImplementations[0];
        }

        foreach (var @interface in type.AllInterfaces)
        {
            foreach (var member in @interface.GetMembers(method.Name).OfType<IMethodSymbol>())
            {
                if (SymbolEqualityComparer.Default.Equals(type.FindImplementationForInterfaceMember(member), method))
                {
                    return member;
                }
            }
        }

        return null;
    }
}
