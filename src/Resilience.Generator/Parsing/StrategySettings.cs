using System.Collections.Generic;
using Microsoft.CodeAnalysis;
using Resilience.Generator.Validation;

namespace Resilience.Generator.Parsing;

/// <summary>What one resilience attribute says, read and checked; transient (never part of the model).</summary>
internal sealed class StrategySettings
{
    public StrategySettings(AttributeKind kind, INamedTypeSymbol declaringInterface, bool isInterfaceLevel)
    {
        Kind = kind;
        DeclaringInterface = declaringInterface;
        IsInterfaceLevel = isInterfaceLevel;
    }

    public AttributeKind Kind { get; }

    /// <summary>The interface the attribute (or its method) is declared on.</summary>
    public INamedTypeSymbol DeclaringInterface { get; }

    public bool IsInterfaceLevel { get; }

    /// <summary>Whether every argument bound and is in range; an invalid attribute turns its method into plain delegation.</summary>
    public bool IsValid { get; set; } = true;

    /// <summary>The attribute's <c>Name</c>, if set.</summary>
    public string? Name { get; set; }

    /// <summary>Rendered option assignments, only for what the attribute sets.</summary>
    public List<string> Options { get; } = new();

    public string? KeyParameter { get; set; }

    public IReadOnlyList<string>? KeyParameters { get; set; }

    /// <summary><c>[CacheFallback]</c>: the static method that makes the key (<c>KeyMethod</c>), if set.</summary>
    public string? KeyMethod { get; set; }

    public string? HandleResult { get; set; }

    /// <summary><c>[Fallback]</c>, <c>[CacheFallback]</c>: whether a result marked as a failure reaches it (<c>AnswerMarkedResults</c>).</summary>
    public bool AnswerMarkedResults { get; set; } = true;

    public bool HasAttemptTimeout { get; set; }

    /// <summary><c>[Timeout]</c>: the limit in milliseconds.</summary>
    public int TimeoutMs { get; set; }

    /// <summary><c>[Fallback]</c>: the handler type, or <see langword="null"/> for the interface.</summary>
    public INamedTypeSymbol? HandlerType { get; set; }

    /// <summary><c>[Fallback]</c>: the method name.</summary>
    public string? MethodName { get; set; }
}
