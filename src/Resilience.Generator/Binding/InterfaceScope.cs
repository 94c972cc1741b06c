using System.Collections.Generic;
using System.Collections.Immutable;
using System.Threading;
using Microsoft.CodeAnalysis;

namespace Resilience.Generator.Binding;

/// <summary>
/// The resilience attributes of one interface as the decorator applies them: its interface-level attributes, the
/// methods it declares that a decorator implements with the attributes that apply to each
/// (<see cref="MethodBinding"/>), and attributes written on members no decorator can apply them to.
/// </summary>
/// <remarks>
/// An interface-level attribute applies to every method declared on the interface that has no attribute of the same
/// kind itself, except fallback targets (methods named by a <c>[Fallback]</c> of the interface or of one of its
/// methods, without a handler type, <see cref="FallbackTargets"/>) and methods whose shape it cannot apply to
/// (<see cref="ShapeRules.DefaultApplies"/>). Methods inherited from base interfaces get their own interface's scope.
/// An interface-level <c>HandleResult</c> is not applied to methods without a result
/// (<see cref="AttributeRules.SkipsHandleResult"/>).
/// </remarks>
internal sealed class InterfaceScope
{
    private readonly Dictionary<IMethodSymbol, MethodBinding> _byMethod;

    private InterfaceScope(
        INamedTypeSymbol type,
        ImmutableArray<BoundAttribute> attributes,
        ImmutableArray<MethodBinding> methods,
        ImmutableArray<MisplacedAttribute> misplaced,
        bool hasAttributes)
    {
        Type = type;
        Attributes = attributes;
        Methods = methods;
        Misplaced = misplaced;
        HasAttributes = hasAttributes;
        _byMethod = new Dictionary<IMethodSymbol, MethodBinding>(methods.Length, SymbolEqualityComparer.Default);
        foreach (var method in methods)
        {
            _byMethod[method.Symbol] = method;
        }
    }

    public INamedTypeSymbol Type { get; }

    /// <summary>The attributes written on the interface itself.</summary>
    public ImmutableArray<BoundAttribute> Attributes { get; }

    /// <summary>The instance methods declared on the interface that a decorator implements, with or without attributes.</summary>
    public ImmutableArray<MethodBinding> Methods { get; }

    /// <summary>Attributes on accessors and on static, private or sealed members, which the decorator never applies.</summary>
    public ImmutableArray<MisplacedAttribute> Misplaced { get; }

    /// <summary>Whether any resilience attribute is written on the interface or one of its members.</summary>
    public bool HasAttributes { get; }

    /// <summary>The binding of <paramref name="method"/>, a method declared on this interface that a decorator implements.</summary>
    public MethodBinding? Find(IMethodSymbol method) => _byMethod.TryGetValue(method, out var binding) ? binding : null;

    /// <summary>Reads the attributes of <paramref name="type"/> (from source or metadata) and decides what applies to each method.</summary>
    public static InterfaceScope Create(INamedTypeSymbol type, KnownSymbols symbols, CancellationToken cancellationToken)
    {
        var attributes = AttributeReader.ReadAll(type, type, isInterfaceLevel: true, symbols);
        var found = attributes.Length > 0;
        var candidates = new List<(IMethodSymbol Method, ImmutableArray<BoundAttribute> Attributes)>();
        var misplaced = ImmutableArray.CreateBuilder<MisplacedAttribute>();

        foreach (var member in type.GetMembers())
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (member is not IMethodSymbol method)
            {
                continue;
            }

            var own = AttributeReader.ReadAll(method, type, isInterfaceLevel: false, symbols);
            found |= own.Length > 0;
            var problem = GetMemberProblem(method);
            if (problem is null)
            {
                candidates.Add((method, own));
                continue;
            }

            foreach (var attribute in own)
            {
                misplaced.Add(new MisplacedAttribute(method, attribute, problem));
            }
        }

        var targets = FindFallbackTargets(type, attributes, candidates, symbols.Compilation);
        var methods = ImmutableArray.CreateBuilder<MethodBinding>(candidates.Count);
        foreach (var (method, own) in candidates)
        {
            var isTarget = targets.Contains(method.OriginalDefinition);
            var shape = MethodShape.Of(method, symbols.Compilation);
            var defaults = isTarget || attributes.IsEmpty ? ImmutableArray<BoundAttribute>.Empty : ApplicableDefaults(method, shape, attributes, symbols);
            methods.Add(new MethodBinding(method, shape, own, defaults, isTarget));
        }

        return new InterfaceScope(type, attributes, methods.MoveToImmutable(), misplaced.ToImmutable(), found);
    }

    /// <summary>
    /// The interface-level attributes that can apply to the method's shape. The others are skipped for it: a method
    /// whose shape no strategy can wrap stays plain delegation, and one without a result or with ref/out parameters
    /// simply gets no interface-level <c>[CacheFallback]</c> (nor <c>[Retry]</c> or <c>[Fallback]</c> with ref/out).
    /// Attributes written on the method itself are never skipped: they are reported.
    /// </summary>
    private static ImmutableArray<BoundAttribute> ApplicableDefaults(
        IMethodSymbol method,
        MethodShape shape,
        ImmutableArray<BoundAttribute> attributes,
        KnownSymbols symbols)
    {
        var builder = ImmutableArray.CreateBuilder<BoundAttribute>(attributes.Length);
        foreach (var attribute in attributes)
        {
            if (ShapeRules.DefaultApplies(method, shape, attribute.Kind, symbols))
            {
                builder.Add(attribute);
            }
        }

        return builder.ToImmutable();
    }

    /// <summary>Why the decorator does not implement <paramref name="method"/> (so no attribute on it can apply), or <see langword="null"/>.</summary>
    private static string? GetMemberProblem(IMethodSymbol method)
    {
        switch (method.MethodKind)
        {
            case MethodKind.Ordinary:
                break;
            case MethodKind.PropertyGet:
            case MethodKind.PropertySet:
                return "it is a property accessor, and properties are always forwarded unchanged; use a method instead";
            case MethodKind.EventAdd:
            case MethodKind.EventRemove:
            case MethodKind.EventRaise:
                return "it is an event accessor, and events are always forwarded unchanged; use a method instead";
            default:
                return "the decorator implements only ordinary methods; put the attribute on a method";
        }

        if (method.IsStatic)
        {
            return "it is static, and the decorator implements only instance members; make it an instance method";
        }

        if (method.DeclaredAccessibility == Accessibility.Private || (!method.IsAbstract && !method.IsVirtual))
        {
            return "it is private or sealed, so the decorator cannot implement it; make it a public abstract or virtual member";
        }

        return null;
    }

    private static HashSet<IMethodSymbol> FindFallbackTargets(
        INamedTypeSymbol type,
        ImmutableArray<BoundAttribute> interfaceAttributes,
        List<(IMethodSymbol Method, ImmutableArray<BoundAttribute> Attributes)> candidates,
        Compilation compilation)
    {
        var methods = new List<(IMethodSymbol Method, string? Fallback)>(candidates.Count);
        foreach (var (method, own) in candidates)
        {
            methods.Add((method, HandlerlessFallback(own)));
        }

        return FallbackTargets.Find(type, HandlerlessFallback(interfaceAttributes), methods, compilation);
    }

    /// <summary>The method name of the <c>[Fallback]</c> without a handler type among <paramref name="attributes"/>, if any.</summary>
    private static string? HandlerlessFallback(ImmutableArray<BoundAttribute> attributes)
    {
        foreach (var attribute in attributes)
        {
            if (attribute.Kind == AttributeKind.Fallback && attribute.Fallback is not null)
            {
                return attribute.HandlerlessFallback;
            }
        }

        return null;
    }
}

/// <summary>An attribute written on a member the decorator does not implement.</summary>
internal readonly struct MisplacedAttribute
{
    public MisplacedAttribute(IMethodSymbol member, BoundAttribute attribute, string problem)
    {
        Member = member;
        Attribute = attribute;
        Problem = problem;
    }

    public IMethodSymbol Member { get; }

    public BoundAttribute Attribute { get; }

    public string Problem { get; }
}
