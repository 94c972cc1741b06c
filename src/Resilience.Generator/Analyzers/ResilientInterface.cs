using System.Collections.Generic;
using System.Collections.Immutable;
using System.Threading;
using Microsoft.CodeAnalysis;
using Resilience.Generator.Validation;

namespace Resilience.Generator.Analyzers;

/// <summary>
/// An interface with resilience attributes as the generator sees it: its interface-level attributes, the methods
/// the decorator implements with the attributes that apply to each, and attributes written on members the decorator
/// cannot apply them to.
/// </summary>
/// <remarks>
/// An interface-level attribute applies to every method declared on the interface that has no attribute of the same
/// kind itself, except fallback targets (methods named by a <c>[Fallback]</c> of the interface or of one of its
/// methods, without a handler type) and methods whose shape it cannot apply to. Methods inherited from base
/// interfaces get their own interface's defaults. An interface-level <c>HandleResult</c> is not applied to methods
/// without a result (<see cref="Validation.AttributeRules.SkipsHandleResult"/>).
/// </remarks>
internal sealed class ResilientInterface
{
    private ResilientInterface(
        INamedTypeSymbol type,
        ImmutableArray<ResilienceAttribute> attributes,
        ImmutableArray<ResilientMethod> methods,
        ImmutableArray<MisplacedAttribute> misplaced)
    {
        Type = type;
        Attributes = attributes;
        Methods = methods;
        Misplaced = misplaced;
    }

    public INamedTypeSymbol Type { get; }

    /// <summary>The attributes written on the interface itself.</summary>
    public ImmutableArray<ResilienceAttribute> Attributes { get; }

    /// <summary>The instance methods declared on the interface that the decorator implements, with or without attributes.</summary>
    public ImmutableArray<ResilientMethod> Methods { get; }

    /// <summary>Attributes on accessors and on static, private or sealed members, which the decorator never applies.</summary>
    public ImmutableArray<MisplacedAttribute> Misplaced { get; }

    /// <summary>
    /// Reads <paramref name="type"/>, or returns <see langword="null"/> when it is not a source interface or carries
    /// no resilience attribute (on itself or any member).
    /// </summary>
    public static ResilientInterface? Create(INamedTypeSymbol type, ResilienceSymbols symbols, CancellationToken cancellationToken)
    {
        if (type.TypeKind != TypeKind.Interface || !IsInSource(type))
        {
            return null;
        }

        var attributes = Read(type, symbols, isInterfaceLevel: true);
        var found = attributes.Length > 0;
        var candidates = new List<(IMethodSymbol Method, ImmutableArray<ResilienceAttribute> Attributes)>();
        var misplaced = ImmutableArray.CreateBuilder<MisplacedAttribute>();

        foreach (var member in type.GetMembers())
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (member is not IMethodSymbol method)
            {
                continue;
            }

            var own = Read(method, symbols, isInterfaceLevel: false);
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

        if (!found)
        {
            return null;
        }

        var targets = FindFallbackTargets(type, attributes, candidates, symbols.Compilation);
        var methods = ImmutableArray.CreateBuilder<ResilientMethod>(candidates.Count);
        foreach (var (method, own) in candidates)
        {
            var isTarget = targets.Contains(method.OriginalDefinition);
            var shape = MethodShape.Of(method, symbols.Compilation);
            var defaults = isTarget ? ImmutableArray<ResilienceAttribute>.Empty : ApplicableDefaults(method, shape, attributes, symbols);
            methods.Add(new ResilientMethod(method, shape, own, defaults, isTarget));
        }

        return new ResilientInterface(type, attributes, methods.MoveToImmutable(), misplaced.ToImmutable());
    }

    /// <summary>
    /// The interface-level attributes that can apply to the method's shape. The others are skipped for it, as the
    /// generator does: a method whose shape no strategy can wrap stays plain delegation, and one without a result
    /// or with ref/out parameters simply gets no interface-level <c>[CacheFallback]</c> (nor <c>[Retry]</c> or
    /// <c>[Fallback]</c> with ref/out). Attributes written on the method itself are never skipped: they are reported.
    /// </summary>
    private static ImmutableArray<ResilienceAttribute> ApplicableDefaults(
        IMethodSymbol method,
        MethodShape shape,
        ImmutableArray<ResilienceAttribute> attributes,
        ResilienceSymbols symbols)
    {
        var builder = ImmutableArray.CreateBuilder<ResilienceAttribute>(attributes.Length);
        foreach (var attribute in attributes)
        {
            if (ShapeRules.DefaultApplies(method, shape.IsAsync, shape.ResultType, attribute.Kind, symbols.Rules))
            {
                builder.Add(attribute);
            }
        }

        return builder.ToImmutable();
    }

    /// <summary>The resilience attributes written on <paramref name="symbol"/>.</summary>
    public static ImmutableArray<ResilienceAttribute> Read(ISymbol symbol, ResilienceSymbols symbols, bool isInterfaceLevel)
    {
        ImmutableArray<ResilienceAttribute>.Builder? builder = null;
        foreach (var data in symbol.GetAttributes())
        {
            if (symbols.TryGetKind(data, out var kind))
            {
                builder ??= ImmutableArray.CreateBuilder<ResilienceAttribute>();
                builder.Add(new ResilienceAttribute(kind, data, isInterfaceLevel));
            }
        }

        return builder?.ToImmutable() ?? ImmutableArray<ResilienceAttribute>.Empty;
    }

    private static bool IsInSource(ISymbol symbol)
    {
        foreach (var location in symbol.Locations)
        {
            if (location.IsInSource)
            {
                return true;
            }
        }

        return false;
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
        ImmutableArray<ResilienceAttribute> interfaceAttributes,
        List<(IMethodSymbol Method, ImmutableArray<ResilienceAttribute> Attributes)> candidates,
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
    private static string? HandlerlessFallback(ImmutableArray<ResilienceAttribute> attributes)
    {
        foreach (var attribute in attributes)
        {
            if (attribute.Kind == AttributeKind.Fallback
                && FallbackArguments.TryRead(attribute.Data, out var arguments)
                && !arguments.HasHandler)
            {
                return arguments.MethodName;
            }
        }

        return null;
    }
}

/// <summary>A method the decorator implements, with the attributes that apply to it.</summary>
internal sealed class ResilientMethod
{
    private readonly ImmutableArray<ResilienceAttribute> _own;
    private readonly ImmutableArray<ResilienceAttribute> _defaults;

    public ResilientMethod(
        IMethodSymbol symbol,
        MethodShape shape,
        ImmutableArray<ResilienceAttribute> own,
        ImmutableArray<ResilienceAttribute> defaults,
        bool isFallbackTarget)
    {
        Symbol = symbol;
        Shape = shape;
        _own = own;
        _defaults = defaults;
        IsFallbackTarget = isFallbackTarget;
    }

    public IMethodSymbol Symbol { get; }

    public MethodShape Shape { get; }

    /// <summary>Where diagnostics about an interface-level attribute applied to this method go: the method's identifier.</summary>
    public Location Identifier => Symbol.Locations.IsEmpty ? Location.None : Symbol.Locations[0];

    /// <summary>Whether another method's <c>[Fallback]</c> names this one, so the interface-level attributes skip it.</summary>
    public bool IsFallbackTarget { get; }

    /// <summary>Every attribute that applies: the method's own, then the interface-level ones of kinds it does not have.</summary>
    public IEnumerable<ResilienceAttribute> Applied
    {
        get
        {
            foreach (var attribute in _own)
            {
                yield return attribute;
            }

            foreach (var attribute in _defaults)
            {
                if (GetOwn(attribute.Kind) is null)
                {
                    yield return attribute;
                }
            }
        }
    }

    /// <summary>The attribute of <paramref name="kind"/> that applies (the method's own, else the interface's), or <see langword="null"/>.</summary>
    public ResilienceAttribute? Get(AttributeKind kind)
    {
        var own = GetOwn(kind);
        if (own is not null)
        {
            return own;
        }

        foreach (var attribute in _defaults)
        {
            if (attribute.Kind == kind)
            {
                return attribute;
            }
        }

        return null;
    }

    private ResilienceAttribute? GetOwn(AttributeKind kind)
    {
        foreach (var attribute in _own)
        {
            if (attribute.Kind == kind)
            {
                return attribute;
            }
        }

        return null;
    }
}

/// <summary>An attribute written on a member the decorator does not implement.</summary>
internal readonly struct MisplacedAttribute
{
    public MisplacedAttribute(IMethodSymbol member, ResilienceAttribute attribute, string problem)
    {
        Member = member;
        Attribute = attribute;
        Problem = problem;
    }

    public IMethodSymbol Member { get; }

    public ResilienceAttribute Attribute { get; }

    public string Problem { get; }
}
