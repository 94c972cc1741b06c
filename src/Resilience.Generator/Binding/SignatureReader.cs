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
                TypeNames.IsRefLike(parameter.Type),
                AttributeRenderer.Render(parameter.GetAttributes())));
        }

        return result.ToEquatableArray();
    }

    /// <summary>
    /// The default value: as written; <see cref="ConstantKind.SuppressedNull"/> for a <c>null</c> default of a
    /// non-nullable reference type (<c>string q = null</c>: the user's own declaration gets the compiler's warning, the
    /// generated copy not a second one); <see cref="ConstantKind.DateTime"/> for a <c>DateTime</c> one (which C# can
    /// state only as <c>[DateTimeConstant]</c>).
    /// </summary>
    private static ConstantModel? DefaultValue(IParameterSymbol parameter)
    {
        if (!parameter.HasExplicitDefaultValue)
        {
            return parameter.IsOptional && !parameter.IsParams ? new ConstantModel(ConstantKind.Missing) : null;
        }

        if (parameter.ExplicitDefaultValue is System.DateTime dateTime)
        {
            return new ConstantModel(ConstantKind.DateTime, dateTime.Ticks);
        }

        return parameter.ExplicitDefaultValue is null ? NullDefault(parameter) : TypeNames.Constant(parameter.ExplicitDefaultValue, parameter.Type);
    }

    /// <summary>
    /// A <c>null</c> default as the generated code (nullable enabled) writes it without a warning: <c>null!</c> for a
    /// non-nullable reference type, <c>default!</c> for a type parameter that may be one (<c>T fallback = default!</c>).
    /// </summary>
    private static ConstantModel NullDefault(IParameterSymbol parameter)
    {
        var type = parameter.Type;
        var value = TypeNames.Constant(null, type);
        if (type.NullableAnnotation != NullableAnnotation.NotAnnotated || type.IsValueType)
        {
            return value;
        }

        return value.Kind switch
        {
            ConstantKind.Null => new ConstantModel(ConstantKind.SuppressedNull),
            ConstantKind.Default when type is ITypeParameterSymbol => new ConstantModel(ConstantKind.SuppressedDefault),
            _ => value,
        };
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
                ExplicitConstraints(parameter, annotated.Contains(parameter.Name)),
                AttributeRenderer.Render(parameter.GetAttributes())));
        }

        return result.ToEquatableArray();
    }

    private static ConstraintsModel? Constraints(ITypeParameterSymbol parameter)
    {
        var primary = parameter.HasReferenceTypeConstraint
            ? parameter.ReferenceTypeConstraintNullableAnnotation == NullableAnnotation.Annotated ? PrimaryConstraint.NullableClass : PrimaryConstraint.Class
            : parameter.HasUnmanagedTypeConstraint ? PrimaryConstraint.Unmanaged
            : parameter.HasValueTypeConstraint ? PrimaryConstraint.Struct
            : parameter.HasNotNullConstraint ? PrimaryConstraint.NotNull
            : PrimaryConstraint.None;
        var types = parameter.ConstraintTypes.IsEmpty
            ? EquatableArray<string>.Empty
            : parameter.ConstraintTypes.Select(TypeNames.Render).ToEquatableArray();
        var @new = parameter.HasConstructorConstraint && !parameter.HasValueTypeConstraint;
        var allowsRefStruct = TypeNames.AllowsRefLikeType(parameter);
        return primary == PrimaryConstraint.None && types.IsEmpty && !@new && !allowsRefStruct
            ? null
            : new ConstraintsModel(primary, types, @new, allowsRefStruct);
    }


    private static ExplicitConstraint ExplicitConstraints(ITypeParameterSymbol parameter, bool usedAnnotated)
    {
        if (parameter.HasReferenceTypeConstraint)
        {
            return ExplicitConstraint.Class;
        }

        if (parameter.HasValueTypeConstraint)
        {
            return ExplicitConstraint.Struct;
        }

        if (!usedAnnotated)
        {
            return ExplicitConstraint.None;
        }

        return parameter.IsReferenceType ? ExplicitConstraint.Class : parameter.IsValueType ? ExplicitConstraint.None : ExplicitConstraint.Default;
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
