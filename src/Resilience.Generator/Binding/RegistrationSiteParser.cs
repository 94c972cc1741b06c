using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Resilience.Generator.Helpers;
using Resilience.Generator.Model;

namespace Resilience.Generator.Binding;

/// <summary>
/// Finds the calls <c>AddResilient&lt;TService, TImplementation&gt;()</c> and <c>AddResilientDecorator&lt;TService&gt;()</c>
/// whose <c>TService</c> is a closed generic interface (<c>IRepo&lt;Customer&gt;</c>). A generic interface's own module
/// cannot register a factory per closed type, as it does not know them; the project that writes the closed type does.
/// </summary>
internal static class RegistrationSiteParser
{
    private const string ExtensionsType = "ResilienceServiceCollectionExtensions";

    /// <summary>Syntax only: a call of a generic method named <c>AddResilient</c> or <c>AddResilientDecorator</c>.</summary>
    public static bool IsCandidate(SyntaxNode node)
    {
        if (node is not InvocationExpressionSyntax invocation)
        {
            return false;
        }

        var name = invocation.Expression switch
        {
            MemberAccessExpressionSyntax access => access.Name,
            MemberBindingExpressionSyntax binding => binding.Name,
            SimpleNameSyntax simple => simple,
            _ => null,
        };
        return name is GenericNameSyntax { Identifier.ValueText: "AddResilient" or "AddResilientDecorator" };
    }

    /// <summary>The registration a call asks for, or <see langword="null"/> when it is not one of ours or needs none.</summary>
    public static ClosedGenericRegistrationModel? Parse(GeneratorSyntaxContext context, CancellationToken cancellationToken)
    {
        if (context.SemanticModel.GetSymbolInfo(context.Node, cancellationToken).Symbol is not IMethodSymbol called)
        {
            return null;
        }

        var method = called.ReducedFrom ?? called;
        if (method.ContainingType is not { Name: ExtensionsType, ContainingNamespace: { Name: "Resilience", ContainingNamespace.IsGlobalNamespace: true } }
            || called.TypeArguments.Length == 0
            || called.TypeArguments[0] is not INamedTypeSymbol { TypeKind: TypeKind.Interface } service)
        {
            return null;
        }

        var arguments = AllTypeArguments(service);
        var compilation = context.SemanticModel.Compilation;
        if (arguments.Count == 0 || !arguments.All(a => IsNameable(a, compilation)))
        {
            // Not generic; or open (a type parameter of an enclosing method): the runtime explains what to write instead.
            return null;
        }

        var definition = service.OriginalDefinition;
        var renderedArguments = arguments.Select(TypeNames.RenderNoNullable).ToEquatableArray();
        var attributes = AttributeRenderer.RenderMarkers(definition.GetAttributes());
        if (!definition.DeclaringSyntaxReferences.IsEmpty)
        {
            return new ClosedGenericRegistrationModel(
                TypeNames.RenderNoNullable(service),
                TypeNames.Render(definition),
                renderedArguments,
                TypeNames.NamespaceOf(definition),
                InterfaceBinder.ClassNameOf(definition),
                EquatableArray<string>.Empty,
                attributes);
        }

        return FromReference(service, definition, arguments, renderedArguments, attributes, compilation);
    }

    /// <summary>
    /// An interface from a referenced assembly: its decorator is there too, generated when that project was built. Only
    /// a decorator this generator wrote, with a constructor this compilation may call, is registered.
    /// </summary>
    private static ClosedGenericRegistrationModel? FromReference(
        INamedTypeSymbol service,
        INamedTypeSymbol definition,
        IReadOnlyList<ITypeSymbol> arguments,
        EquatableArray<string> renderedArguments,
        EquatableArray<AttributeModel> attributes,
        Compilation compilation)
    {
        var ns = TypeNames.NamespaceOf(definition);
        var className = InterfaceBinder.ClassNameOf(definition);
        var metadataName = (ns.Length > 0 ? ns + "." : string.Empty) + className + "`" + arguments.Count.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var decorator = compilation.GetTypeByMetadataName(metadataName);
        if (decorator is null
            || decorator.Arity != arguments.Count
            || !decorator.GetAttributes().Any(a => a.AttributeClass is { Name: "GeneratedCodeAttribute" } && a.ConstructorArguments.Length > 0 && a.ConstructorArguments[0].Value is "Resilience.Generator")
            || !compilation.IsSymbolAccessibleWithin(decorator, compilation.Assembly))
        {
            return null;
        }

        var constructed = decorator.Construct(arguments.ToArray());
        foreach (var constructor in constructed.InstanceConstructors)
        {
            var parameters = constructor.Parameters;
            if (parameters.Length >= 2
                && compilation.IsSymbolAccessibleWithin(constructor, compilation.Assembly)
                && SymbolEqualityComparer.Default.Equals(parameters[0].Type, service)
                && parameters[parameters.Length - 1].Type is INamedTypeSymbol { Name: "ResilienceRegistry" })
            {
                var handlers = parameters.Skip(1).Take(parameters.Length - 2).Select(p => p.Type).ToList();
                if (!handlers.All(h => IsNameable(h, compilation)))
                {
                    return null;
                }

                return new ClosedGenericRegistrationModel(
                    TypeNames.RenderNoNullable(service),
                    string.Empty,
                    renderedArguments,
                    ns,
                    className,
                    handlers.Select(TypeNames.RenderNoNullable).ToEquatableArray(),
                    attributes);
            }
        }

        return null;
    }

    /// <summary>The type arguments of <paramref name="type"/> and its containing types, outermost first.</summary>
    private static List<ITypeSymbol> AllTypeArguments(INamedTypeSymbol type)
    {
        var chain = new List<INamedTypeSymbol>();
        for (var current = type; current is not null; current = current.ContainingType)
        {
            chain.Insert(0, current);
        }

        return chain.SelectMany(t => t.TypeArguments).ToList();
    }

    /// <summary>Whether generated code in another file of this compilation can write <paramref name="type"/>.</summary>
    private static bool IsNameable(ITypeSymbol type, Compilation compilation)
    {
        switch (type)
        {
            case ITypeParameterSymbol or IErrorTypeSymbol or IPointerTypeSymbol or IFunctionPointerTypeSymbol:
                return false;
            case IArrayTypeSymbol array:
                return IsNameable(array.ElementType, compilation);
            case INamedTypeSymbol named:
                if (named.IsAnonymousType || named.IsUnboundGenericType || !compilation.IsSymbolAccessibleWithin(named, compilation.Assembly))
                {
                    return false;
                }

                for (var current = named; current is not null; current = current.ContainingType)
                {
                    if (current.IsFileLocal || !current.TypeArguments.All(a => IsNameable(a, compilation)))
                    {
                        return false;
                    }
                }

                return true;
            default:
                return true;
        }
    }
}
