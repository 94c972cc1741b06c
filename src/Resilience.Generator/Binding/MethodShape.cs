using Microsoft.CodeAnalysis;
using Resilience.Generator.Model;

namespace Resilience.Generator.Binding;

/// <summary>What a method returns, as far as the strategies care.</summary>
internal readonly struct MethodShape
{
    private MethodShape(ReturnShape returnShape, ITypeSymbol? resultType)
    {
        ReturnShape = returnShape;
        ResultType = resultType;
    }

    /// <summary>The return shape, which decides how the decorated body is written.</summary>
    public ReturnShape ReturnShape { get; }

    /// <summary>Returns <c>Task</c>, <c>ValueTask</c>, <c>Task&lt;T&gt;</c> or <c>ValueTask&lt;T&gt;</c>.</summary>
    public bool IsAsync => ReturnShape is not (ReturnShape.Void or ReturnShape.Value);

    /// <summary><c>T</c> of <c>Task&lt;T&gt;</c>/<c>ValueTask&lt;T&gt;</c>, the return type of a synchronous method, or <see langword="null"/> for <c>void</c>/<c>Task</c>/<c>ValueTask</c>.</summary>
    public ITypeSymbol? ResultType { get; }

    public bool HasResult => ResultType is not null;

    public static MethodShape Of(IMethodSymbol method, Compilation compilation)
    {
        if (method.ReturnsVoid)
        {
            return new MethodShape(ReturnShape.Void, resultType: null);
        }

        return FallbackResolver.ClassifyAwaitable(method.ReturnType, compilation, out var awaited) switch
        {
            FallbackReturnKind.Void => new MethodShape(ReturnShape.Void, null),
            FallbackReturnKind.Task => new MethodShape(ReturnShape.Task, null),
            FallbackReturnKind.ValueTask => new MethodShape(ReturnShape.ValueTask, null),
            FallbackReturnKind.TaskOfT => new MethodShape(ReturnShape.TaskOfT, awaited),
            FallbackReturnKind.ValueTaskOfT => new MethodShape(ReturnShape.ValueTaskOfT, awaited),
            _ => new MethodShape(ReturnShape.Value, method.ReturnType),
        };
    }
}
