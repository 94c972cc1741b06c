using Microsoft.CodeAnalysis;
using Resilience.Generator.Validation;

namespace Resilience.Generator.Analyzers;

/// <summary>One resilience attribute as written on an interface or a method.</summary>
internal sealed class ResilienceAttribute
{
    public ResilienceAttribute(AttributeKind kind, AttributeData data, bool isInterfaceLevel)
    {
        Kind = kind;
        Data = data;
        IsInterfaceLevel = isInterfaceLevel;
    }

    public AttributeKind Kind { get; }

    public AttributeData Data { get; }

    /// <summary>Whether the attribute is written on the interface (a default for its methods) rather than on the method.</summary>
    public bool IsInterfaceLevel { get; }

    /// <summary>The attribute as users write it, without the suffix: <c>Retry</c>, <c>CircuitBreaker</c>, ...</summary>
    public string Name => GetName(Kind);

    public static string GetName(AttributeKind kind) => kind switch
    {
        AttributeKind.Fallback => "Fallback",
        AttributeKind.CacheFallback => "CacheFallback",
        AttributeKind.RateLimit => "RateLimit",
        AttributeKind.Bulkhead => "Bulkhead",
        AttributeKind.Timeout => "Timeout",
        AttributeKind.CircuitBreaker => "CircuitBreaker",
        _ => "Retry",
    };
}
