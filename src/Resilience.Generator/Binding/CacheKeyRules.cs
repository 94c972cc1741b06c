using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;

namespace Resilience.Generator.Binding;

/// <summary>
/// What may be part of a <c>[CacheFallback]</c> key, and the binding of <c>KeyMethod</c>: one rule for the pipeline
/// (<see cref="PipelineBuilder"/>, which emits the key) and the problems (<see cref="MethodProblems"/>: RES0006, RES0021).
/// </summary>
internal static class CacheKeyRules
{
    /// <summary>
    /// Whether a value of <paramref name="type"/> cannot be part of a key at all: a ref struct or a type parameter that
    /// allows one (it cannot be boxed or kept) or a pointer (it cannot be a type argument).
    /// </summary>
    public static bool IsUnkeyable(ITypeSymbol type)
        => TypeNames.IsRefLike(type) || type.TypeKind is TypeKind.Pointer or TypeKind.FunctionPointer;

    /// <summary>
    /// Whether values of <paramref name="type"/> that are equal format equally and different ones (usually) differently:
    /// a primitive, string, enum, <c>Guid</c>, date or time type, <c>decimal</c>, a <c>Nullable</c> or tuple of such, a
    /// record, or any type that overrides <c>ToString</c> (not only through <c>ValueType</c>). A type parameter counts as
    /// usable: its closed type argument is part of the key and its formatting is the type argument's.
    /// </summary>
    public static bool HasValueIdentity(ITypeSymbol type)
    {
        switch (type)
        {
            case ITypeParameterSymbol:
                return true;
            case INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T } nullable:
                return HasValueIdentity(nullable.TypeArguments[0]);
            case INamedTypeSymbol { IsTupleType: true } tuple:
                return tuple.TupleElements.All(e => HasValueIdentity(e.Type));
            case INamedTypeSymbol { TypeKind: TypeKind.Enum }:
                return true;
            case INamedTypeSymbol { IsRecord: true }:
                return true;
        }

        switch (type.SpecialType)
        {
            case SpecialType.System_Boolean:
            case SpecialType.System_Char:
            case SpecialType.System_SByte:
            case SpecialType.System_Byte:
            case SpecialType.System_Int16:
            case SpecialType.System_UInt16:
            case SpecialType.System_Int32:
            case SpecialType.System_UInt32:
            case SpecialType.System_Int64:
            case SpecialType.System_UInt64:
            case SpecialType.System_Single:
            case SpecialType.System_Double:
            case SpecialType.System_Decimal:
            case SpecialType.System_String:
            case SpecialType.System_IntPtr:
            case SpecialType.System_UIntPtr:
            case SpecialType.System_DateTime:
                return true;
            case SpecialType.System_Object:
                return false;
        }

        if (type.TypeKind is TypeKind.Array or TypeKind.Interface or TypeKind.Delegate or TypeKind.Dynamic or TypeKind.Pointer or TypeKind.FunctionPointer)
        {
            return false;
        }

        return OverridesToString(type);
    }

    /// <summary>
    /// Whether <paramref name="type"/> or a base type other than <c>object</c>, <c>ValueType</c> and <c>Enum</c> overrides
    /// <c>ToString()</c> (Guid, DateTimeOffset, TimeSpan, DateOnly, TimeOnly, Uri and most BCL value types do).
    /// </summary>
    private static bool OverridesToString(ITypeSymbol type)
    {
        for (var current = type; current is not null; current = current.BaseType)
        {
            if (current.SpecialType is SpecialType.System_Object or SpecialType.System_ValueType or SpecialType.System_Enum)
            {
                return false;
            }

            foreach (var member in current.GetMembers("ToString"))
            {
                if (member is IMethodSymbol { IsStatic: false, IsOverride: true, Parameters.Length: 0 })
                {
                    return true;
                }
            }
        }

        return false;
    }

    /// <summary>
    /// Binds <c>KeyMethod</c> <paramref name="name"/>: an accessible, non-generic static method of <paramref name="owner"/>
    /// returning <c>string</c> whose parameters take <paramref name="keyParameters"/> in order (passed by value or
    /// <c>in</c>, each converting implicitly). Returns the method, or <see langword="null"/> with
    /// <paramref name="problem"/> saying what to change.
    /// </summary>
    public static IMethodSymbol? BindKeyMethod(INamedTypeSymbol owner, string name, IReadOnlyList<IParameterSymbol> keyParameters, Compilation compilation, out string problem)
    {
        var expected = "static string " + name + "(" + string.Join(", ", keyParameters.Select(p => p.Type.ToDisplayString() + " " + p.Name)) + ")";
        var candidates = owner.GetMembers(name).OfType<IMethodSymbol>().Where(m => m.MethodKind == MethodKind.Ordinary).ToList();
        if (candidates.Count == 0)
        {
            problem = $"'{owner.Name}' declares no method '{name}'; add '{expected}' to it";
            return null;
        }

        var matches = candidates.Where(m => Accepts(m, keyParameters, compilation)).ToList();
        if (matches.Count == 1)
        {
            problem = string.Empty;
            return matches[0];
        }

        problem = matches.Count == 0
            ? $"no '{name}' on '{owner.Name}' is a non-generic, non-private '{expected}' (the key parameters in order, returning string); change its signature"
            : $"{matches.Count} overloads of '{name}' on '{owner.Name}' take the key parameters; keep one";
        return null;
    }

    private static bool Accepts(IMethodSymbol method, IReadOnlyList<IParameterSymbol> keyParameters, Compilation compilation)
    {
        if (!method.IsStatic || method.IsAbstract || method.IsVirtual || method.IsGenericMethod
            || method.DeclaredAccessibility == Accessibility.Private
            || method.ReturnType.SpecialType != SpecialType.System_String || method.Parameters.Length != keyParameters.Count)
        {
            return false;
        }

        for (var i = 0; i < keyParameters.Count; i++)
        {
            var parameter = method.Parameters[i];
            if (parameter.RefKind is not (RefKind.None or RefKind.In) || parameter.IsParams
                || !compilation.ClassifyCommonConversion(keyParameters[i].Type, parameter.Type).IsImplicit)
            {
                return false;
            }
        }

        return true;
    }
}
