using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Resilience.Generator.Helpers;
using Resilience.Generator.Model;

namespace Resilience.Generator.Binding;

/// <summary>Turns parameters and type parameters into their models.</summary>
internal static class SignatureReader
{
    public static EquatableArray<ParameterModel> Parameters(ImmutableArray<IParameterSymbol> parameters, KnownSymbols known)
    {
        if (parameters.IsEmpty)
        {
            return EquatableArray<ParameterModel>.Empty;
        }

        var result = new List<ParameterModel>(parameters.Length);
        foreach (var parameter in parameters)
        {
            result.Add(new ParameterModel(
                TypeNames.Escape(parameter.Name),
                TypeNames.Render(parameter.Type),
                RefKindOf(parameter.RefKind),
                parameter.IsParams,
                parameter.ScopedKind != ScopedKind.None && parameter.RefKind != RefKind.Out && !parameter.IsParams,
                DefaultValue(parameter),
                known.IsCancellationToken(parameter.Type),
                parameter.Type.IsRefLikeType,
                AttributeRenderer.Render(parameter.GetAttributes())));
        }

        return result.ToEquatableArray();
    }

    /// <summary>
    /// The rendered default value: as written; <c>null!</c> for a <c>null</c> default of a non-nullable reference type
    /// (<c>string q = null</c>: the user's own declaration gets the compiler's warning, the generated copy not a second
    /// one); a <c>DateTime</c> one (which C# can state only as <c>[DateTimeConstant]</c>) as its attributes, starting
    /// with <c>[</c> (<see cref="Emitting.SignatureWriter"/> writes those before the parameter).
    /// </summary>
    private static string? DefaultValue(IParameterSymbol parameter)
    {
        if (!parameter.HasExplicitDefaultValue)
        {
            return null;
        }

        if (parameter.ExplicitDefaultValue is System.DateTime dateTime)
        {
            return "[global::System.Runtime.InteropServices.Optional, global::System.Runtime.CompilerServices.DateTimeConstant("
                + dateTime.Ticks.ToString(System.Globalization.CultureInfo.InvariantCulture) + "L)]";
        }

        var value = TypeNames.Constant(parameter.ExplicitDefaultValue, parameter.Type);
        return value == "null" && parameter.Type.NullableAnnotation == NullableAnnotation.NotAnnotated && !parameter.Type.IsValueType
            ? "null!"
            : value;
    }

    public static ParameterRefKind RefKindOf(RefKind refKind) => refKind switch
    {
        RefKind.Ref => ParameterRefKind.Ref,
        RefKind.Out => ParameterRefKind.Out,
        RefKind.In => ParameterRefKind.In,
        RefKind.RefReadOnlyParameter => ParameterRefKind.RefReadOnly,
        _ => ParameterRefKind.None,
    };

    /// <summary>
    /// Type parameters with their full constraints and those an explicit implementation may state: <c>class</c>,
    /// <c>struct</c>, or <c>default</c> when <c>T?</c> appears in <paramref name="signatureTypes"/>.
    /// </summary>
    public static EquatableArray<TypeParameterModel> TypeParameters(ImmutableArray<ITypeParameterSymbol> typeParameters, IEnumerable<ITypeSymbol> signatureTypes)
    {
        if (typeParameters.IsEmpty)
        {
            return EquatableArray<TypeParameterModel>.Empty;
        }

        var annotated = new HashSet<string>();
        foreach (var type in signatureTypes)
        {
            CollectAnnotated(type, annotated);
        }

        var result = new List<TypeParameterModel>(typeParameters.Length);
        foreach (var parameter in typeParameters)
        {
            result.Add(new TypeParameterModel(
                TypeNames.Escape(TypeNames.MethodTypeParameterName(parameter.Name)),
                Constraints(parameter),
                ExplicitConstraints(parameter, annotated.Contains(parameter.Name))));
        }

        return result.ToEquatableArray();
    }

    private static string? Constraints(ITypeParameterSymbol parameter)
    {
        var parts = new List<string>();
        if (parameter.HasReferenceTypeConstraint)
        {
            parts.Add(parameter.ReferenceTypeConstraintNullableAnnotation == NullableAnnotation.Annotated ? "class?" : "class");
        }
        else if (parameter.HasUnmanagedTypeConstraint)
        {
            parts.Add("unmanaged");
        }
        else if (parameter.HasValueTypeConstraint)
        {
            parts.Add("struct");
        }
        else if (parameter.HasNotNullConstraint)
        {
            parts.Add("notnull");
        }

        foreach (var type in parameter.ConstraintTypes)
        {
            parts.Add(TypeNames.Render(type));
        }

        if (parameter.HasConstructorConstraint && !parameter.HasValueTypeConstraint)
        {
            parts.Add("new()");
        }

        if (AllowsRefLikeType(parameter))
        {
            parts.Add("allows ref struct");
        }

        return parts.Count == 0 ? null : string.Join(", ", parts);
    }

    /// <summary>
    /// <c>ITypeParameterSymbol.AllowsRefLikeType</c> (C# 13), read by reflection: the generator references Roslyn 4.8,
    /// which predates it, and runs in newer compilers that have it.
    /// </summary>
    private static readonly System.Reflection.PropertyInfo? AllowsRefLikeTypeProperty = typeof(ITypeParameterSymbol).GetProperty("AllowsRefLikeType");

    internal static bool AllowsRefLikeType(ITypeParameterSymbol parameter)
        => AllowsRefLikeTypeProperty?.GetValue(parameter) is true;

    private static string? ExplicitConstraints(ITypeParameterSymbol parameter, bool usedAnnotated)
    {
        if (parameter.HasReferenceTypeConstraint)
        {
            return "class";
        }

        if (parameter.HasValueTypeConstraint)
        {
            return "struct";
        }

        if (!usedAnnotated)
        {
            return null;
        }

        return parameter.IsReferenceType ? "class" : parameter.IsValueType ? null : "default";
    }

    private static void CollectAnnotated(ITypeSymbol type, HashSet<string> names)
    {
        switch (type)
        {
            case ITypeParameterSymbol typeParameter:
                if (typeParameter.NullableAnnotation == NullableAnnotation.Annotated)
                {
                    names.Add(typeParameter.Name);
                }

                break;
            case IArrayTypeSymbol array:
                CollectAnnotated(array.ElementType, names);
                break;
            case INamedTypeSymbol named:
                foreach (var argument in named.TypeArguments)
                {
                    CollectAnnotated(argument, names);
                }

                break;
        }
    }

    /// <summary>The types of a method's signature, for <see cref="TypeParameters"/>.</summary>
    public static IEnumerable<ITypeSymbol> SignatureTypes(IMethodSymbol method)
        => new[] { method.ReturnType }.Concat(method.Parameters.Select(p => p.Type));
}
