using Microsoft.CodeAnalysis;

namespace Resilience.Generator.Binding;

/// <summary>Why a key parameter does not bind.</summary>
internal enum KeyFailure
{
    /// <summary>It binds.</summary>
    None,

    /// <summary>No parameter of that name.</summary>
    NotFound,

    /// <summary>
    /// It cannot be kept as a key: for a keyed instance, passed by <c>ref</c>/<c>out</c> or a ref struct; for a cache key,
    /// a ref struct or a pointer (<see cref="CacheKeyRules.IsUnkeyable"/>).
    /// </summary>
    NotKeyable,
}

/// <summary>How a <c>HandleResult</c> binds to a method.</summary>
internal enum PredicateStatus
{
    /// <summary><c>HandleResult</c> is not set.</summary>
    NotSet,

    /// <summary>An interface-level one, skipped for a method without a result (<see cref="AttributeRules.SkipsHandleResult"/>).</summary>
    Skipped,

    /// <summary>A method-level one on a method without a result.</summary>
    NoResult,

    /// <summary>The interface declares no static method of that name.</summary>
    NotDeclared,

    /// <summary>Static methods of that name exist, none usable for the result type.</summary>
    NoUsable,

    /// <summary>It binds.</summary>
    Bound,
}

/// <summary>
/// The rules that bind the names an attribute gives to what the method has: <c>KeyParameter</c>,
/// <c>KeyParameters</c> and <c>HandleResult</c>. The pipeline uses the bindings; the problems explain the failures.
/// </summary>
internal static class ParameterBinding
{
    /// <summary>
    /// Binds a <c>KeyParameter</c> of a keyed <c>[RateLimit]</c> or <c>[CircuitBreaker]</c>: not <c>ref</c>/<c>out</c>, and
    /// a type that can be a key at all (<see cref="CacheKeyRules.IsUnkeyable"/>: the key is a type argument).
    /// </summary>
    public static KeyFailure BindKey(IMethodSymbol method, string name, out int index)
    {
        index = IndexOf(method, name);
        if (index < 0)
        {
            return KeyFailure.NotFound;
        }

        var parameter = method.Parameters[index];
        return parameter.RefKind is RefKind.Ref or RefKind.Out || CacheKeyRules.IsUnkeyable(parameter.Type) ? KeyFailure.NotKeyable : KeyFailure.None;
    }

    /// <summary>
    /// Binds one name of <c>KeyParameters</c> (<see langword="null"/> when the element is <c>null</c>), or a parameter of
    /// the default key: any parameter that is neither a ref struct nor a pointer (<see cref="CacheKeyRules.IsUnkeyable"/>).
    /// </summary>
    public static KeyFailure BindCacheKey(IMethodSymbol method, string? name, out int index)
    {
        index = name is null ? -1 : IndexOf(method, name);
        if (index < 0)
        {
            return KeyFailure.NotFound;
        }

        return CacheKeyRules.IsUnkeyable(method.Parameters[index].Type) ? KeyFailure.NotKeyable : KeyFailure.None;
    }

    /// <summary>Whether <paramref name="parameter"/> is part of the default cache key (every parameter but a <c>CancellationToken</c>).</summary>
    public static bool IsInDefaultCacheKey(IParameterSymbol parameter, KnownSymbols symbols) => !symbols.IsCancellationToken(parameter.Type);

    /// <summary>
    /// Binds the <c>HandleResult</c> of <paramref name="attribute"/> for a method of <paramref name="shape"/>: a usable
    /// static predicate of the interface the attribute is declared on (<see cref="AttributeRules.IsUsablePredicate"/>).
    /// </summary>
    public static PredicateStatus BindPredicate(BoundAttribute? attribute, MethodShape shape, KnownSymbols symbols)
    {
        if (attribute?.HandleResult is not { } name)
        {
            return PredicateStatus.NotSet;
        }

        if (AttributeRules.SkipsHandleResult(attribute.IsInterfaceLevel, shape.HasResult))
        {
            return PredicateStatus.Skipped;
        }

        if (shape.ResultType is not { } result)
        {
            return PredicateStatus.NoResult;
        }

        var declared = false;
        foreach (var member in attribute.DeclaringInterface.GetMembers(name))
        {
            if (member is IMethodSymbol { MethodKind: MethodKind.Ordinary, IsStatic: true } candidate)
            {
                declared = true;
                if (AttributeRules.IsUsablePredicate(candidate, result, symbols.Compilation))
                {
                    return PredicateStatus.Bound;
                }
            }
        }

        return declared ? PredicateStatus.NoUsable : PredicateStatus.NotDeclared;
    }

    public static int IndexOf(IMethodSymbol method, string name)
    {
        for (var i = 0; i < method.Parameters.Length; i++)
        {
            if (method.Parameters[i].Name == name)
            {
                return i;
            }
        }

        return -1;
    }
}
