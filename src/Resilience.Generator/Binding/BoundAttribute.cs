using System.Collections.Generic;
using Microsoft.CodeAnalysis;
using Resilience.Generator.Model;

namespace Resilience.Generator.Binding;

/// <summary>
/// One resilience attribute as written on an interface or a method, read once (<see cref="AttributeReader"/>): its
/// typed settings, the names it refers to, and the value rules it breaks. Transient: never part of the model.
/// </summary>
internal sealed class BoundAttribute
{
    public BoundAttribute(AttributeKind kind, AttributeData data, INamedTypeSymbol declaringInterface, bool isInterfaceLevel)
    {
        Kind = kind;
        Data = data;
        DeclaringInterface = declaringInterface;
        IsInterfaceLevel = isInterfaceLevel;
    }

    public AttributeKind Kind { get; }

    public AttributeData Data { get; }

    /// <summary>The interface the attribute (or its method) is declared on.</summary>
    public INamedTypeSymbol DeclaringInterface { get; }

    /// <summary>Whether the attribute is written on the interface (a default for its methods) rather than on a method.</summary>
    public bool IsInterfaceLevel { get; }

    /// <summary>The attribute as users write it, without the suffix: <c>Retry</c>, <c>CircuitBreaker</c>, ...</summary>
    public string Name => GetName(Kind);

    /// <summary>
    /// Whether every argument bound and no value rule is broken (<see cref="Violations"/> has no error); an invalid
    /// attribute turns its method into plain delegation.
    /// </summary>
    public bool IsValid { get; set; } = true;

    /// <summary>The value rules the attribute breaks (<see cref="AttributeRules"/>), errors and warnings.</summary>
    public List<AttributeViolation> Violations { get; set; } = new();

    /// <summary>The typed settings for the strategy's options; <see langword="null"/> for <c>[Fallback]</c>.</summary>
    public StrategySpec? Spec { get; set; }

    /// <summary>The attribute's <c>Name</c>, if set.</summary>
    public string? InstanceName { get; set; }

    public string? KeyParameter { get; set; }

    public IReadOnlyList<string>? KeyParameters { get; set; }

    /// <summary><c>[CacheFallback]</c>: the static method that makes the key (<c>KeyMethod</c>), if set (<see cref="CacheKeyRules.BindKeyMethod"/>).</summary>
    public string? KeyMethod { get; set; }

    public string? HandleResult { get; set; }

    /// <summary><c>[Fallback]</c>, <c>[CacheFallback]</c>: whether a result marked as a failure reaches it (<c>AnswerMarkedResults</c>).</summary>
    public bool AnswerMarkedResults { get; set; } = true;

    /// <summary><c>[Retry]</c>: whether it has a per-attempt timeout.</summary>
    public bool HasAttemptTimeout => Spec is RetrySpec { AttemptTimeoutMs: > 0 };

    /// <summary><c>[Fallback]</c>: the arguments as written, when they bound (<see cref="FallbackArguments.TryRead"/>).</summary>
    public FallbackArguments? Fallback { get; set; }

    /// <summary><c>[Fallback]</c>: the handler type, or <see langword="null"/> for the interface (valid attributes only).</summary>
    public INamedTypeSymbol? HandlerType { get; set; }

    /// <summary><c>[Fallback]</c>: the method name (valid attributes only).</summary>
    public string? MethodName { get; set; }

    /// <summary>The method name of a <c>[Fallback]</c> without a handler type, else <see langword="null"/>.</summary>
    public string? HandlerlessFallback => Kind == AttributeKind.Fallback && Fallback is { HasHandler: false } arguments ? arguments.MethodName : null;

    public static string GetName(AttributeKind kind) => kind switch
    {
        AttributeKind.Fallback => "Fallback",
        AttributeKind.CacheFallback => "CacheFallback",
        AttributeKind.RateLimit => "RateLimit",
        AttributeKind.Bulkhead => "Bulkhead",
        AttributeKind.Timeout => "Timeout",
        AttributeKind.CircuitBreaker => "CircuitBreaker",
        AttributeKind.Hedge => "Hedge",
        _ => "Retry",
    };
}
