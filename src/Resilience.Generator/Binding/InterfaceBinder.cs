using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Resilience.Generator.Helpers;
using Resilience.Generator.Diagnostics;
using Resilience.Generator.Model;

namespace Resilience.Generator.Binding;

/// <summary>What binding one interface gives: the model to emit (when a decorator can be written) and the problems found.</summary>
/// <param name="Model">The decorator's model, or <see langword="null"/> when none is written (or it was not asked for).</param>
/// <param name="Problems">What is wrong with the user's code (only when asked for).</param>
internal readonly record struct BindingResult(InterfaceModel? Model, IReadOnlyList<Problem> Problems);

/// <summary>
/// The one binder: turns an interface with resilience attributes into the equatable <see cref="InterfaceModel"/> the
/// generator emits and the <see cref="Problem"/>s the analyzers report, from one reading of its attributes
/// (<see cref="InterfaceScope"/>, <see cref="MethodBinding"/>) and one set of binding rules.
/// </summary>
/// <remarks>
/// The generator asks for the model only; an analyzer asks for the problems only (<see cref="Problems.Collect"/>)
/// of each interface it sees. Every method the model leaves as plain delegation has a problem that says why.
/// </remarks>
internal static class InterfaceBinder
{
    private static readonly SymbolDisplayFormat Display = SymbolDisplayFormat.CSharpErrorMessageFormat;

    private static readonly HashSet<string> ObjectMemberNames = new()
    {
        "Equals", "GetHashCode", "ToString", "GetType", "MemberwiseClone", "Finalize", "ReferenceEquals",
    };

    /// <summary>The model of <paramref name="type"/> (the generator), or <see langword="null"/> when no decorator can be generated for it.</summary>
    public static InterfaceModel? BindModel(INamedTypeSymbol type, Compilation compilation, CancellationToken cancellationToken)
        => Bind(type, KnownSymbols.Of(compilation), buildModel: true, Problems.None, cancellationToken).Model;

    /// <summary>
    /// Binds <paramref name="type"/>: the model when <paramref name="buildModel"/>, the problems when
    /// <paramref name="problems"/> collects them. Only source interfaces that carry a resilience attribute (on
    /// themselves or a member) have either.
    /// </summary>
    public static BindingResult Bind(INamedTypeSymbol type, KnownSymbols symbols, bool buildModel, Problems problems, CancellationToken cancellationToken)
    {
        if (type.TypeKind != TypeKind.Interface || type.DeclaringSyntaxReferences.IsEmpty)
        {
            return new BindingResult(null, problems.List);
        }

        var className = ClassNameOf(type);
        var context = new BindingContext(type, className, symbols, cancellationToken);
        var scope = context.ScopeOf(type);
        if (!scope.HasAttributes)
        {
            return new BindingResult(null, problems.List);
        }

        var cannotImplement = CannotImplement(type);
        var nameTakenBy = IsVisible(type) ? NameTakenBy(type, className, symbols, cancellationToken) : null;
        if (problems.IsCollecting && !type.Locations.IsEmpty)
        {
            if (cannotImplement is not null)
            {
                problems.Add(DiagnosticDescriptors.InterfaceCannotBeImplemented, type.Locations[0], type.Name, cannotImplement);
            }

            if (nameTakenBy is not null)
            {
                problems.Add(DiagnosticDescriptors.DecoratorNameClash, type.Locations[0], type.ToDisplayString(Display), className, nameTakenBy);
            }
        }

        if (problems.IsCollecting)
        {
            var methodProblems = new MethodProblems(problems, type, symbols, cancellationToken);
            foreach (var misplaced in scope.Misplaced)
            {
                methodProblems.Misplaced(misplaced);
            }

            foreach (var method in scope.Methods)
            {
                cancellationToken.ThrowIfCancellationRequested();
                methodProblems.Describe(method);
            }

            DescribeInitOnlyProperties(type, problems);
        }

        var model = buildModel && cannotImplement is null && nameTakenBy is null ? BuildModel(type, className, context) : null;
        return new BindingResult(model, problems.List);
    }

    /// <summary>
    /// Why no decorator can implement <paramref name="type"/> (RES0014), as "what is wrong; what to do", or
    /// <see langword="null"/>: not visible from a class in its namespace (private or protected, or nested in such a
    /// type; file-local), static abstract or static virtual members, or a shape of <see cref="ShapeProblems"/>.
    /// </summary>
    private static string? CannotImplement(INamedTypeSymbol type)
    {
        for (var current = type; current is not null; current = current.ContainingType)
        {
            if (current.DeclaredAccessibility is Accessibility.Private or Accessibility.Protected or Accessibility.ProtectedAndInternal)
            {
                var which = SymbolEqualityComparer.Default.Equals(current, type) ? "it is" : $"its containing type '{current.Name}' is";
                return $"{which} private or protected, so a class in its namespace cannot see it; make it internal or public";
            }

            if (current.IsFileLocal)
            {
                var which = SymbolEqualityComparer.Default.Equals(current, type) ? "it is" : $"its containing type '{current.Name}' is";
                return $"{which} file-local, so the generated file cannot see it; remove the 'file' modifier";
            }
        }

        if (ShapeProblems.Of(type) is { } shapeProblem)
        {
            return shapeProblem;
        }

        if (FindStaticAbstract(type) is { } own)
        {
            return $"it has the static abstract or virtual member '{own.ToDisplayString(SymbolDisplayFormat.CSharpShortErrorMessageFormat)}', which a decorator instance cannot forward; move it to another interface";
        }

        // An inherited one is often a library's (AWSSDK's IAmazonService): it cannot be moved, only left out.
        foreach (var inherited in type.AllInterfaces)
        {
            if (FindStaticAbstract(inherited) is { } member)
            {
                var kind = member.IsAbstract ? "abstract" : "virtual";
                var from = inherited.ToDisplayString(Display);
                return $"it inherits the static {kind} member '{member.ToDisplayString(SymbolDisplayFormat.CSharpShortErrorMessageFormat)}' from '{from}', "
                    + $"which a decorator instance cannot supply; declare the members to decorate in an interface that does not derive from '{from}'";
            }
        }

        return null;
    }

    private static ISymbol? FindStaticAbstract(INamedTypeSymbol type)
    {
        foreach (var member in type.GetMembers())
        {
            if (member.IsStatic && (member.IsAbstract || member.IsVirtual))
            {
                return member;
            }
        }

        return null;
    }

    /// <summary>Whether a class in the interface's namespace can see it (neither it nor a containing type is private, protected or file-local).</summary>
    private static bool IsVisible(INamedTypeSymbol type)
    {
        for (var current = type; current is not null; current = current.ContainingType)
        {
            if (current.IsFileLocal || current.DeclaredAccessibility is Accessibility.Private or Accessibility.Protected or Accessibility.ProtectedAndInternal)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// What already has the decorator's name (RES0019), described for a message, or <see langword="null"/>: a type
    /// of that name and arity in the namespace (<see cref="FindClashingType"/>), or another visible source interface
    /// with resilience attributes whose decorator gets the same name and arity. Neither of two such interfaces gets a
    /// decorator.
    /// </summary>
    private static string? NameTakenBy(INamedTypeSymbol type, string className, KnownSymbols symbols, CancellationToken cancellationToken)
    {
        if (FindClashingType(type, className) is { } existing)
        {
            return $"the type '{existing.ToDisplayString(Display)}'";
        }

        var arity = AllTypeParameters(type).Length;
        foreach (var other in symbols.InterfacesNamed(type.ContainingNamespace, className))
        {
            if (!SymbolEqualityComparer.Default.Equals(other, type)
                && AllTypeParameters(other).Length == arity
                && IsVisible(other)
                && InterfaceScope.Create(other, symbols, cancellationToken).HasAttributes)
            {
                return $"the decorator of '{other.ToDisplayString(Display)}'";
            }
        }

        return null;
    }

    /// <summary>Source interfaces declared in <paramref name="ns"/>, nested ones included.</summary>
    internal static IEnumerable<INamedTypeSymbol> InterfacesIn(INamespaceSymbol ns)
    {
        var pending = new Stack<INamedTypeSymbol>(ns.GetTypeMembers());
        while (pending.Count > 0)
        {
            var current = pending.Pop();
            foreach (var nested in current.GetTypeMembers())
            {
                pending.Push(nested);
            }

            if (current.TypeKind == TypeKind.Interface && !current.DeclaringSyntaxReferences.IsEmpty)
            {
                yield return current;
            }
        }
    }

    private static InterfaceModel BuildModel(INamedTypeSymbol type, string className, BindingContext context)
    {
        var cancellationToken = context.CancellationToken;
        var symbols = context.Symbols;
        var accessibility = EffectiveAccessibility(type);
        var interfaceType = TypeNames.Render(type);

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
                        methods.Add(MethodBinder.Parse(method, declaring, declaringName, isExplicit, isBase, context));
                        break;
                    case IPropertySymbol property:
                        properties.Add(new PropertyModel(
                            property.IsIndexer ? "this" : TypeNames.Escape(property.Name),
                            declaringName,
                            isExplicit,
                            isBase,
                            TypeNames.Render(property.Type),
                            property.ReturnsByRefReadonly ? RefReturnKind.RefReadOnly : property.ReturnsByRef ? RefReturnKind.Ref : RefReturnKind.None,
                            SignatureReader.Parameters(property.Parameters, symbols),
                            property.GetMethod is { } getter && IsImplementable(getter),
                            property.SetMethod is { } setter && IsImplementable(setter),
                            property.SetMethod is { IsInitOnly: true },
                            AttributeRenderer.RenderProperty(property),
                            property.GetMethod is { } get ? AttributeRenderer.RenderMarkers(get.GetAttributes()) : EquatableArray<AttributeModel>.Empty,
                            property.SetMethod is { } set ? AttributeRenderer.RenderMarkers(set.GetAttributes()) : EquatableArray<AttributeModel>.Empty));
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
            NullableWarningsEnabled(type, symbols.Compilation),
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

    /// <summary>"public" or "internal" as the decorator can be declared in the interface's namespace (<see cref="IsVisible"/> holds).</summary>
    private static string EffectiveAccessibility(INamedTypeSymbol type)
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

    /// <summary>
    /// RES0023 for each property with an <c>init</c> accessor the decorator implements: its getter is forwarded, its
    /// init accessor throws <c>NotSupportedException</c> (<c>MemberEmitter</c>), because an init accessor may set only the
    /// object being initialized, never the already-built inner instance. The walk is <see cref="BuildModel"/>'s: the
    /// interface's own members and those of every base interface. A property of the interface itself is reported on the
    /// property; an inherited one on the interface, naming the property.
    /// </summary>
    private static void DescribeInitOnlyProperties(INamedTypeSymbol type, Problems problems)
    {
        if (type.Locations.IsEmpty)
        {
            return;
        }

        foreach (var (declaring, inherited) in new[] { (type, false) }.Concat(type.AllInterfaces.Select(i => (i, true))))
        {
            foreach (var member in declaring.GetMembers())
            {
                if (member is not IPropertySymbol { SetMethod.IsInitOnly: true } property || !IsImplementable(property))
                {
                    continue;
                }

                var location = !inherited && !property.Locations.IsEmpty && property.Locations[0].IsInSource ? property.Locations[0] : type.Locations[0];
                problems.Add(
                    DiagnosticDescriptors.InitOnlyPropertyNotForwarded,
                    location,
                    type.ToDisplayString(SymbolDisplayFormat.CSharpShortErrorMessageFormat),
                    property.ToDisplayString(SymbolDisplayFormat.CSharpShortErrorMessageFormat));
            }
        }
    }

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
