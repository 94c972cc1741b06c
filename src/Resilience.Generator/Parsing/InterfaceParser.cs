using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Resilience.Generator.Helpers;
using Resilience.Generator.Model;
using Resilience.Generator.Validation;

namespace Resilience.Generator.Parsing;

/// <summary>Turns an interface with resilience attributes into the equatable <see cref="InterfaceModel"/>.</summary>
internal static class InterfaceParser
{
    private static readonly HashSet<string> ObjectMemberNames = new()
    {
        "Equals", "GetHashCode", "ToString", "GetType", "MemberwiseClone", "Finalize", "ReferenceEquals",
    };

    /// <summary>The model of <paramref name="type"/>, or <see langword="null"/> when no decorator can be generated for it.</summary>
    public static InterfaceModel? Parse(INamedTypeSymbol type, Compilation compilation, CancellationToken cancellationToken)
    {
        if (type.TypeKind != TypeKind.Interface || type.IsFileLocal || type.DeclaringSyntaxReferences.IsEmpty)
        {
            return null;
        }

        var accessibility = EffectiveAccessibility(type);
        if (accessibility is null || HasStaticAbstractMembers(type) || ShapeProblems.Of(type) is not null)
        {
            return null;
        }

        var className = ClassNameOf(type);
        if (FindClashingType(type, className) is not null)
        {
            // DecoratorNameAnalyzer reports RES0019.
            return null;
        }

        var known = new KnownTypes(compilation);
        var interfaceType = TypeNames.Render(type);
        var context = new ParseContext(type, className, known, cancellationToken);

        var methods = new List<MethodModel>();
        var properties = new List<PropertyModel>();
        var events = new List<EventModel>();

        foreach (var (declaring, isBase) in new[] { (type, false) }.Concat(type.AllInterfaces.Select(i => (i, true))))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var declaringName = TypeNames.Render(declaring);
            foreach (var member in declaring.GetMembers())
            {
                if (!IsImplementable(member))
                {
                    continue;
                }

                var isExplicit = isBase || member.DeclaredAccessibility != Accessibility.Public || IsClashing(member.Name, className);
                switch (member)
                {
                    case IMethodSymbol { MethodKind: MethodKind.Ordinary } method:
                        methods.Add(MethodParser.Parse(method, declaring, declaringName, isExplicit, isBase, context));
                        break;
                    case IPropertySymbol property:
                        properties.Add(new PropertyModel(
                            property.IsIndexer ? "this" : TypeNames.Escape(property.Name),
                            declaringName,
                            isExplicit,
                            isBase,
                            TypeNames.Render(property.Type),
                            property.ReturnsByRefReadonly ? "ref readonly " : property.ReturnsByRef ? "ref " : string.Empty,
                            SignatureReader.Parameters(property.Parameters, known),
                            property.GetMethod is { } getter && IsImplementable(getter),
                            property.SetMethod is { } setter && IsImplementable(setter),
                            property.SetMethod is { IsInitOnly: true },
                            AttributeRenderer.Render(property.GetAttributes()),
                            property.GetMethod is { } get ? AttributeRenderer.RenderMarkers(get.GetAttributes()) : EquatableArray<string>.Empty,
                            property.SetMethod is { } set ? AttributeRenderer.RenderMarkers(set.GetAttributes()) : EquatableArray<string>.Empty));
                        break;
                    case IEventSymbol @event:
                        events.Add(new EventModel(
                            TypeNames.Escape(@event.Name),
                            declaringName,
                            isExplicit,
                            isBase,
                            TypeNames.Render(@event.Type),
                            AttributeRenderer.Render(@event.GetAttributes())));
                        break;
                }
            }
        }

        var typeParameters = SignatureReader.TypeParameters(AllTypeParameters(type), Enumerable.Empty<ITypeSymbol>());
        return new InterfaceModel(
            HintNameOf(type),
            TypeNames.NamespaceOf(type),
            className,
            accessibility,
            interfaceType,
            Cref(type),
            typeParameters,
            context.Fields.ToEquatableArray(),
            context.Handlers.ToEquatableArray(),
            methods.ToEquatableArray(),
            properties.ToEquatableArray(),
            events.ToEquatableArray(),
            AttributeRenderer.RenderMarkers(type.GetAttributes()),
            UsesPointers(type),
            NullableWarningsEnabled(type, compilation),
            OpenInterfaceType: OpenInterfaceTypeOf(type));
    }

    /// <summary>
    /// The generated file's name: <see cref="TypeNames.HintName"/> (metadata names of the namespaces and containing
    /// types) without the <c>@</c> of escaped keywords (<c>namespace Shop.@event</c>), which a hint name may not contain.
    /// </summary>
    public static string HintNameOf(INamedTypeSymbol type)
        => TypeNames.HintName(type).Replace("@", string.Empty) + ".Resilient.g.cs";

    /// <summary>
    /// The unbound interface (<c>global::N.IRepo&lt;&gt;</c>) of a generic interface whose containing types are not generic
    /// (only then is its decorator's unbound type the open counterpart); "" otherwise.
    /// </summary>
    private static string OpenInterfaceTypeOf(INamedTypeSymbol type)
    {
        for (var containing = type.ContainingType; containing is not null; containing = containing.ContainingType)
        {
            if (containing.IsGenericType)
            {
                return string.Empty;
            }
        }

        return type.IsGenericType ? type.ConstructUnboundGenericType().ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat) : string.Empty;
    }

    /// <summary>
    /// Whether nullable warnings are on where the interface is declared. Where they are off (a nullable-disabled
    /// project, <c>#nullable disable</c>), the generated file turns on annotations only: the interface's oblivious
    /// types and defaults such as <c>string q = null</c> then raise no nullable warning in generated code either.
    /// </summary>
    private static bool NullableWarningsEnabled(INamedTypeSymbol type, Compilation compilation)
    {
        var reference = type.DeclaringSyntaxReferences[0];
        var context = compilation.GetSemanticModel(reference.SyntaxTree).GetNullableContext(reference.Span.Start);
        return (context & NullableContext.WarningsEnabled) != 0;
    }

    /// <summary>
    /// <c>{Name without a leading I}Resilient</c>, prefixed with the names of the containing types, outermost first,
    /// for a nested interface (<c>Orders.IClient</c> → <c>OrdersClientResilient</c>): the decorator is a top-level
    /// class in the interface's namespace, so two nested interfaces of one name must not get one decorator name.
    /// </summary>
    public static string ClassNameOf(INamedTypeSymbol type)
    {
        var name = type.Name;
        if (name.Length > 1 && name[0] == 'I' && char.IsUpper(name[1]))
        {
            name = name.Substring(1);
        }

        for (var containing = type.ContainingType; containing is not null; containing = containing.ContainingType)
        {
            name = containing.Name + name;
        }

        return name + "Resilient";
    }

    /// <summary>The decorator's type parameters: those of the containing types, outermost first, then the interface's own.</summary>
    public static ImmutableArray<ITypeParameterSymbol> AllTypeParameters(INamedTypeSymbol type)
    {
        var chain = new List<INamedTypeSymbol>();
        for (var current = type; current is not null; current = current.ContainingType)
        {
            chain.Insert(0, current);
        }

        return chain.SelectMany(t => t.TypeParameters).ToImmutableArray();
    }

    /// <summary>
    /// A type other than a decorator this generator writes that already has the decorator's name and arity in the
    /// interface's namespace (declared in source or in a referenced assembly), or <see langword="null"/>. A
    /// <c>partial class</c> declared in source is not a clash: it merges with the generated class. Generated
    /// decorators are recognised by their <c>[GeneratedCode("Resilience.Generator", …)]</c> (the analyzers see them).
    /// </summary>
    public static INamedTypeSymbol? FindClashingType(INamedTypeSymbol type, string className)
    {
        var arity = AllTypeParameters(type).Length;
        foreach (var existing in type.ContainingNamespace.GetTypeMembers(className))
        {
            if (existing.Arity != arity || IsGeneratedDecorator(existing) || IsPartialClassInSource(existing))
            {
                continue;
            }

            return existing;
        }

        return null;
    }

    private static bool IsGeneratedDecorator(INamedTypeSymbol type)
        => type.GetAttributes().Any(a => a.AttributeClass is { Name: "GeneratedCodeAttribute" }
            && a.ConstructorArguments.Length > 0
            && a.ConstructorArguments[0].Value is "Resilience.Generator");

    private static bool IsPartialClassInSource(INamedTypeSymbol type)
        => type.TypeKind == TypeKind.Class
            && !type.DeclaringSyntaxReferences.IsEmpty
            && type.DeclaringSyntaxReferences.All(r => r.GetSyntax() is Microsoft.CodeAnalysis.CSharp.Syntax.ClassDeclarationSyntax c
                && c.Modifiers.Any(m => m.IsKind(Microsoft.CodeAnalysis.CSharp.SyntaxKind.PartialKeyword)));

    private static string Cref(INamedTypeSymbol type)
    {
        var text = type.OriginalDefinition.ToDisplayString(TypeNames.FullyQualifiedNoNullable);
        return text.Replace('<', '{').Replace('>', '}');
    }

    /// <summary>"public" or "internal" as the decorator can be declared in the interface's namespace; <see langword="null"/> when it cannot.</summary>
    private static string? EffectiveAccessibility(INamedTypeSymbol type)
    {
        var result = "public";
        for (ISymbol? current = type; current is INamedTypeSymbol named; current = named.ContainingType)
        {
            switch (named.DeclaredAccessibility)
            {
                case Accessibility.Public:
                    break;
                case Accessibility.Internal:
                case Accessibility.ProtectedOrInternal:
                    result = "internal";
                    break;
                default:
                    return null;
            }
        }

        return result;
    }

    /// <summary>
    /// Whether a property's or indexer's signature has a pointer type (the decorator is then <c>unsafe</c>). Methods are
    /// marked <c>unsafe</c> one by one: in an unsafe class no method could <c>await</c>.
    /// </summary>
    private static bool UsesPointers(INamedTypeSymbol type)
    {
        foreach (var member in new[] { type }.Concat(type.AllInterfaces).SelectMany(i => i.GetMembers()))
        {
            var types = member switch
            {
                IPropertySymbol property => property.Parameters.Select(p => p.Type).Append(property.Type),
                _ => Enumerable.Empty<ITypeSymbol>(),
            };
            if (types.Any(IsPointer))
            {
                return true;
            }
        }

        return false;
    }

    public static bool IsPointer(ITypeSymbol type) => type switch
    {
        IPointerTypeSymbol or IFunctionPointerTypeSymbol => true,
        IArrayTypeSymbol array => IsPointer(array.ElementType),
        _ => false,
    };

    private static bool HasStaticAbstractMembers(INamedTypeSymbol type)
        => new[] { type }.Concat(type.AllInterfaces)
            .SelectMany(i => i.GetMembers())
            .Any(m => m.IsStatic && (m.IsAbstract || m.IsVirtual));

    /// <summary>Instance members a class implementing the interface provides: abstract or virtual (default implementations), not explicit implementations.</summary>
    private static bool IsImplementable(ISymbol member)
    {
        if (member.IsStatic || !(member.IsAbstract || member.IsVirtual) || member.DeclaredAccessibility == Accessibility.Private)
        {
            return false;
        }

        // A protected member cannot be called on the inner instance: one with a default implementation keeps it
        // (an abstract one is rejected, see ShapeProblems).
        if (member.IsVirtual && ShapeProblems.IsProtected(member))
        {
            return false;
        }

        return member switch
        {
            IMethodSymbol method => method.ExplicitInterfaceImplementations.IsEmpty,
            IPropertySymbol property => property.ExplicitInterfaceImplementations.IsEmpty,
            IEventSymbol @event => @event.ExplicitInterfaceImplementations.IsEmpty,
            _ => false,
        };
    }

    private static bool IsClashing(string name, string className)
        => ObjectMemberNames.Contains(name) || name == className || name.StartsWith("__", System.StringComparison.Ordinal);
}
