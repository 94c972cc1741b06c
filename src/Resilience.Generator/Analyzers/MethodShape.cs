using Microsoft.CodeAnalysis;
using Resilience.Generator.Parsing;
using Resilience.Generator.Validation;

namespace Resilience.Generator.Analyzers;

/// <summary>What a method returns, as far as the strategies care.</summary>
internal readonly struct MethodShape
{
    private MethodShape(bool isAsync, ITypeSymbol? resultType)
    {
        IsAsync = isAsync;
        ResultType = resultType;
    }

    /// <summary>Returns <c>Task</c>, <c>ValueTask</c>, <c>Task&lt;T&gt;</c> or <c>ValueTask&lt;T&gt;</c>.</summary>
    public bool IsAsync { get; }

    /// <summary><c>T</c> of <c>Task&lt;T&gt;</c>/<c>ValueTask&lt;T&gt;</c>, the return type of a synchronous method, or <see langword="null"/> for <c>void</c>/<c>Task</c>/<c>ValueTask</c>.</summary>
    public ITypeSymbol? ResultType { get; }

    public bool HasResult => ResultType is not null;

    public static MethodShape Of(IMethodSymbol method, Compilation compilation)
    {
        if (method.ReturnsVoid)
        {
            return new MethodShape(isAsync: false, resultType: null);
        }

        return FallbackResolver.ClassifyAwaitable(method.ReturnType, compilation, out var resultType) switch
        {
            FallbackReturnKind.Task or FallbackReturnKind.ValueTask => new MethodShape(isAsync: true, resultType: null),
            FallbackReturnKind.TaskOfT or FallbackReturnKind.ValueTaskOfT => new MethodShape(isAsync: true, resultType),
            _ => new MethodShape(isAsync: false, method.ReturnType),
        };
    }

    /// <summary>
    /// Why the decorator cannot apply a strategy of <paramref name="kind"/> to <paramref name="method"/>, as
    /// "what is wrong; what to do", or <see langword="null"/> when it can (<see cref="ShapeRules.GetProblem"/>).
    /// </summary>
    public static string? GetProblem(IMethodSymbol method, MethodShape shape, AttributeKind kind, ResilienceSymbols symbols)
        => ShapeRules.GetProblem(method, shape.IsAsync, shape.ResultType, kind, symbols.Rules);
}
