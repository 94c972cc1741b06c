using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Resilience.Generator.Helpers;
using Resilience.Generator.Model;

namespace Resilience.Generator.Binding;

/// <summary>
/// Reads the attributes an implementation must repeat: <c>Obsolete</c>, the nullable-analysis attributes, and
/// <c>DynamicallyAccessedMembers</c> (the trim analyzer reports IL2091–IL2095 where an implementation's annotations
/// differ from the interface's, or where an unannotated type parameter is passed on to an annotated one).
/// </summary>
internal static class AttributeRenderer
{
    private static readonly HashSet<string> NullableAnalysis = new()
    {
        "AllowNullAttribute",
        "DisallowNullAttribute",
        "MaybeNullAttribute",
        "NotNullAttribute",
        "MaybeNullWhenAttribute",
        "NotNullWhenAttribute",
        "NotNullIfNotNullAttribute",
        "DoesNotReturnAttribute",
        "DoesNotReturnIfAttribute",
    };

    public static EquatableArray<AttributeModel> Render(ImmutableArray<AttributeData> attributes)
    {
        List<AttributeModel>? result = null;
        foreach (var attribute in attributes)
        {
            if (attribute.AttributeClass is not { } type || !IsRepeated(type))
            {
                continue;
            }

            var rendered = RenderOne(attribute, type);
            if (rendered is not null)
            {
                (result ??= new List<AttributeModel>()).Add(rendered);
            }
        }

        return result is null ? EquatableArray<AttributeModel>.Empty : result.ToEquatableArray();
    }

    /// <summary>
    /// A property's attributes to repeat, with those of its setter's value parameter and its getter's return value:
    /// a referenced assembly keeps a property's <c>[AllowNull]</c>/<c>[DisallowNull]</c> on the setter's value and
    /// <c>[MaybeNull]</c>/<c>[NotNull]</c> on the getter's return (BCL <c>IDbConnection.ConnectionString</c>), where
    /// the property's own attributes do not show them. Written on the property, they apply to both accessors again.
    /// </summary>
    public static EquatableArray<AttributeModel> RenderProperty(IPropertySymbol property)
    {
        var attributes = Render(property.GetAttributes());
        var fromAccessors = Render(property.SetMethod is { Parameters.Length: > 0 } setter ? setter.Parameters[setter.Parameters.Length - 1].GetAttributes() : ImmutableArray<AttributeData>.Empty)
            .Concat(Render(property.GetMethod?.GetReturnTypeAttributes() ?? ImmutableArray<AttributeData>.Empty))
            .Where(a => !attributes.Any(own => own.Type == a.Type))
            .ToList();
        return fromAccessors.Count == 0 ? attributes : attributes.Concat(fromAccessors).Distinct().ToEquatableArray();
    }

    private static bool IsRepeated(INamedTypeSymbol type)
    {
        var ns = type.ContainingNamespace?.ToDisplayString();
        return IsMarker(type)
            || (ns == "System.Diagnostics.CodeAnalysis" && (NullableAnalysis.Contains(type.Name) || type.Name == "DynamicallyAccessedMembersAttribute"));
    }

    /// <summary>
    /// <c>Obsolete</c> and <c>Experimental</c>: what makes a use of the member a diagnostic, except inside a member
    /// that carries the same attribute. The decorator's members repeat them so that they may call the inner one.
    /// </summary>
    private static bool IsMarker(INamedTypeSymbol type)
    {
        var ns = type.ContainingNamespace?.ToDisplayString();
        return (ns == "System" && type.Name == "ObsoleteAttribute")
            || (ns == "System.Diagnostics.CodeAnalysis" && type.Name == "ExperimentalAttribute");
    }

    /// <summary>Only the <c>Obsolete</c> and <c>Experimental</c> attributes (for types, accessors and private cores).</summary>
    public static EquatableArray<AttributeModel> RenderMarkers(ImmutableArray<AttributeData> attributes)
    {
        List<AttributeModel>? result = null;
        foreach (var attribute in attributes)
        {
            if (attribute.AttributeClass is { } type && IsMarker(type) && RenderOne(attribute, type) is { } rendered)
            {
                (result ??= new List<AttributeModel>()).Add(rendered);
            }
        }

        return result is null ? EquatableArray<AttributeModel>.Empty : result.ToEquatableArray();
    }

    private static AttributeModel? RenderOne(AttributeData attribute, INamedTypeSymbol type)
    {
        var arguments = new List<ConstantModel>();
        foreach (var argument in attribute.ConstructorArguments)
        {
            if (Constant(argument) is not { } value)
            {
                return null;
            }

            arguments.Add(value);
        }

        var named = new List<NamedArgumentModel>();
        foreach (var argument in attribute.NamedArguments)
        {
            if (Constant(argument.Value) is not { } value)
            {
                return null;
            }

            named.Add(new NamedArgumentModel(argument.Key, value));
        }

        return new AttributeModel(TypeNames.RenderNoNullable(type), arguments.ToEquatableArray(), named.ToEquatableArray());
    }

    private static ConstantModel? Constant(TypedConstant constant)
    {
        switch (constant.Kind)
        {
            case TypedConstantKind.Error:
                return null;
            case TypedConstantKind.Array:
                if (constant.IsNull)
                {
                    return ConstantModel.Null;
                }

                var elements = constant.Values.Select(Constant).ToList();
                return elements.Any(e => e is null)
                    ? null
                    : new ConstantModel(ConstantKind.Array, TypeName: TypeNames.RenderNoNullable(constant.Type!), Elements: elements.Select(e => e!).ToEquatableArray());
            case TypedConstantKind.Type:
                return constant.Value is ITypeSymbol type ? new ConstantModel(ConstantKind.TypeOf, TypeName: TypeNames.RenderNoNullable(type)) : ConstantModel.Null;
            default:
                return constant.Type is null ? null : TypeNames.Constant(constant.Value, constant.Type);
        }
    }
}
