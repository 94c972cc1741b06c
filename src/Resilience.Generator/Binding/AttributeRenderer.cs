using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Resilience.Generator.Helpers;

namespace Resilience.Generator.Binding;

/// <summary>Renders the attributes an implementation must repeat: <c>Obsolete</c> and the nullable-analysis attributes.</summary>
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

    public static EquatableArray<string> Render(ImmutableArray<AttributeData> attributes)
    {
        List<string>? result = null;
        foreach (var attribute in attributes)
        {
            if (attribute.AttributeClass is not { } type || !IsRepeated(type))
            {
                continue;
            }

            var rendered = RenderOne(attribute, type);
            if (rendered is not null)
            {
                (result ??= new List<string>()).Add(rendered);
            }
        }

        return result is null ? EquatableArray<string>.Empty : result.ToEquatableArray();
    }

    private static bool IsRepeated(INamedTypeSymbol type)
    {
        var ns = type.ContainingNamespace?.ToDisplayString();
        return IsMarker(type)
            || (ns == "System.Diagnostics.CodeAnalysis" && NullableAnalysis.Contains(type.Name));
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
    public static EquatableArray<string> RenderMarkers(ImmutableArray<AttributeData> attributes)
    {
        List<string>? result = null;
        foreach (var attribute in attributes)
        {
            if (attribute.AttributeClass is { } type && IsMarker(type) && RenderOne(attribute, type) is { } rendered)
            {
                (result ??= new List<string>()).Add(rendered);
            }
        }

        return result is null ? EquatableArray<string>.Empty : result.ToEquatableArray();
    }

    private static string? RenderOne(AttributeData attribute, INamedTypeSymbol type)
    {
        var arguments = new List<string>();
        foreach (var argument in attribute.ConstructorArguments)
        {
            var text = Constant(argument);
            if (text is null)
            {
                return null;
            }

            arguments.Add(text);
        }

        foreach (var argument in attribute.NamedArguments)
        {
            var text = Constant(argument.Value);
            if (text is null)
            {
                return null;
            }

            arguments.Add(argument.Key + " = " + text);
        }

        var name = TypeNames.RenderNoNullable(type);
        return arguments.Count == 0 ? "[" + name + "]" : "[" + name + "(" + string.Join(", ", arguments) + ")]";
    }

    private static string? Constant(TypedConstant constant)
    {
        switch (constant.Kind)
        {
            case TypedConstantKind.Error:
                return null;
            case TypedConstantKind.Array:
                if (constant.IsNull)
                {
                    return "null";
                }

                var elements = constant.Values.Select(Constant).ToList();
                return elements.Any(e => e is null)
                    ? null
                    : "new " + TypeNames.RenderNoNullable(constant.Type!) + " { " + string.Join(", ", elements) + " }";
            case TypedConstantKind.Type:
                return constant.Value is ITypeSymbol type ? "typeof(" + TypeNames.RenderNoNullable(type) + ")" : "null";
            default:
                return constant.Type is null ? null : TypeNames.Constant(constant.Value, constant.Type);
        }
    }
}
