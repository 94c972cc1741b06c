using Microsoft.CodeAnalysis;

namespace Resilience.Generator.Binding;

/// <summary>
/// Which method shapes a strategy can wrap. One rule for the generator (which leaves such methods plain delegation,
/// or skips an interface-level default for them) and the analyzers (which report an attribute written on the method).
/// </summary>
internal static class ShapeRules
{
    /// <summary>
    /// Why the decorator cannot apply a strategy of <paramref name="kind"/> to <paramref name="method"/>, as
    /// "what is wrong; what to do", or <see langword="null"/> when it can. <paramref name="shape"/>: what the method
    /// returns.
    /// </summary>
    public static string? GetProblem(IMethodSymbol method, MethodShape shape, AttributeKind kind, KnownSymbols symbols)
    {
        var isAsync = shape.IsAsync;
        var resultType = shape.ResultType;
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
                if (isAsync)
                {
                    return $"parameter '{parameter.Name}' is passed by ref or out, which an async decorator cannot forward; return the value instead";
                }

                switch (kind)
                {
                    case AttributeKind.Retry:
                        return $"parameter '{parameter.Name}' is passed by ref or out, so a retry would see what the failed attempt left in it; return the value instead";
                    case AttributeKind.Fallback:
                    case AttributeKind.CacheFallback:
                        return $"parameter '{parameter.Name}' is passed by ref or out, which the [{(kind == AttributeKind.Fallback ? "Fallback" : "CacheFallback")}] cannot set when it answers instead of the inner call; return the value instead";
                }
            }

            if (isAsync && parameter.Type is IPointerTypeSymbol or IFunctionPointerTypeSymbol)
            {
                return $"parameter '{parameter.Name}' is a pointer, which an async decorator cannot use; pass an IntPtr, Memory<T> or an array instead";
            }

            if (!isAsync && TypeNames.IsRefLike(method.ReturnType) && (parameter.RefKind != RefKind.None || parameter.ScopedKind != ScopedKind.None))
            {
                return $"it returns a ref struct and takes parameter '{parameter.Name}' by reference or as scoped, so the decorator cannot keep the result in a local between the strategies; return an array or Memory<T>, or pass '{parameter.Name}' by value";
            }

            if (isAsync && TypeNames.IsRefLike(parameter.Type))
            {
                return $"parameter '{parameter.Name}' is {(parameter.Type.IsRefLikeType ? "a ref struct" : "of a type that may be a ref struct")}, which an async decorator cannot keep across an await; pass Memory<T> or an array instead";
            }
        }

        if (kind == AttributeKind.CacheFallback && resultType is not null && TypeNames.IsRefLike(resultType))
        {
            return "it returns a ref struct, which cannot be cached; return an array or another heap type";
        }

        return null;
    }

    /// <summary>
    /// Whether an interface-level attribute of <paramref name="kind"/> applies to a method of this shape. Those that
    /// cannot are skipped for it without an error: any with a <see cref="GetProblem"/>, <c>[CacheFallback]</c> on a
    /// method without a result, and <c>[Hedge]</c> on a synchronous method.
    /// </summary>
    public static bool DefaultApplies(IMethodSymbol method, MethodShape shape, AttributeKind kind, KnownSymbols symbols)
        => GetProblem(method, shape, kind, symbols) is null
            && (kind != AttributeKind.CacheFallback || shape.HasResult)
            && (kind != AttributeKind.Hedge || shape.IsAsync);
}
