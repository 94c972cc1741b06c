using System.Collections.Generic;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;

namespace Resilience.Generator.Binding;

/// <summary>
/// Which attributes apply to one method the decorator implements: the method's own, then the interface-level ones of
/// kinds it does not have, unless it is a fallback target or the interface-level attribute cannot apply to its shape
/// (<see cref="ShapeRules.DefaultApplies"/>). The one answer to "what applies here" for the model and the problems.
/// </summary>
internal sealed class MethodBinding
{
    private readonly ImmutableArray<BoundAttribute> _own;
    private readonly ImmutableArray<BoundAttribute> _defaults;

    public MethodBinding(
        IMethodSymbol symbol,
        MethodShape shape,
        ImmutableArray<BoundAttribute> own,
        ImmutableArray<BoundAttribute> defaults,
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

    /// <summary>Where problems about an interface-level attribute applied to this method go: the method's identifier.</summary>
    public Location Identifier => Symbol.Locations.IsEmpty ? Location.None : Symbol.Locations[0];

    /// <summary>Whether another method's <c>[Fallback]</c> names this one, so the interface-level attributes skip it.</summary>
    public bool IsFallbackTarget { get; }

    /// <summary>Every attribute that applies: the method's own, then the interface-level ones of kinds it does not have.</summary>
    public IEnumerable<BoundAttribute> Applied
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

    /// <summary>Whether any attribute applies.</summary>
    public bool HasAny => !_own.IsEmpty || !_defaults.IsEmpty;

    /// <summary>The attribute of <paramref name="kind"/> that applies (the method's own, else the interface's), or <see langword="null"/>.</summary>
    public BoundAttribute? Get(AttributeKind kind)
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

    /// <summary>The attribute of <paramref name="kind"/> that applies when the strategy can wrap the method's shape, else <see langword="null"/>.</summary>
    public BoundAttribute? GetApplicable(AttributeKind kind, KnownSymbols symbols)
    {
        var attribute = Get(kind);
        return attribute is not null && ShapeRules.GetProblem(Symbol, Shape, kind, symbols) is null ? attribute : null;
    }

    private BoundAttribute? GetOwn(AttributeKind kind)
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
