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
    /// "what is wrong; what to do", or <see langword="null"/> when it can.
    /// </summary>
    public static string? GetProblem(IMethodSymbol method, MethodShape shape, AttributeKind kind, ResilienceSymbols symbols)
    {
        if (method.ReturnsByRef || method.ReturnsByRefReadonly)
        {
            return "it returns by reference, which the decorator cannot pass through a strategy; return by value";
        }

        if (symbols.IsAsyncEnumerable(method.ReturnType))
        {
            return "it returns IAsyncEnumerable<T>, whose items are produced after the call returns, outside any strategy; return Task<IReadOnlyList<T>> or apply resilience where the items are fetched";
        }

        foreach (var parameter in method.Parameters)
        {
            if (parameter.RefKind is RefKind.Ref or RefKind.Out)
            {
                if (shape.IsAsync)
                {
                    return $"parameter '{parameter.Name}' is passed by ref or out, which an async decorator cannot forward; return the value instead";
                }

                switch (kind)
                {
                    case AttributeKind.Retry:
                        return $"parameter '{parameter.Name}' is passed by ref or out, so a retry would see what the failed attempt left in it; return the value instead";
                    case AttributeKind.Fallback:
                    case AttributeKind.CacheFallback:
                        return $"parameter '{parameter.Name}' is passed by ref or out, which the [{ResilienceAttribute.GetName(kind)}] cannot set when it answers instead of the inner call; return the value instead";
                }
            }

            if (shape.IsAsync && parameter.Type.IsRefLikeType)
            {
                return $"parameter '{parameter.Name}' is a ref struct, which an async decorator cannot keep across an await; pass Memory<T> or an array instead";
            }
        }

        if (kind == AttributeKind.CacheFallback && shape.ResultType is { IsRefLikeType: true })
        {
            return "it returns a ref struct, which cannot be cached; return an array or another heap type";
        }

        return null;
    }
}
