using System.Collections.Immutable;
using Microsoft.CodeAnalysis;

namespace Resilience.Generator.Binding;

/// <summary>Reads constant attribute arguments; values that failed to bind count as not set.</summary>
internal static class AttributeValues
{
    public static bool TryGetNamed(AttributeData attribute, string name, out TypedConstant value)
    {
        foreach (var argument in attribute.NamedArguments)
        {
            if (argument.Key == name && argument.Value.Kind != TypedConstantKind.Error)
            {
                value = argument.Value;
                return true;
            }
        }

        value = default;
        return false;
    }

    public static bool IsSet(AttributeData attribute, string name) => TryGetNamed(attribute, name, out _);

    public static bool TryGetInt(AttributeData attribute, string name, out int value)
    {
        if (TryGetNamed(attribute, name, out var constant) && constant.Value is int number)
        {
            value = number;
            return true;
        }

        value = 0;
        return false;
    }

    public static int GetInt(AttributeData attribute, string name, int defaultValue)
        => TryGetInt(attribute, name, out var value) ? value : defaultValue;

    public static bool TryGetDouble(AttributeData attribute, string name, out double value)
    {
        if (TryGetNamed(attribute, name, out var constant) && constant.Value is double number)
        {
            value = number;
            return true;
        }

        value = 0;
        return false;
    }

    public static double GetDouble(AttributeData attribute, string name, double defaultValue)
        => TryGetDouble(attribute, name, out var value) ? value : defaultValue;

    /// <summary>A named string argument; <see langword="null"/> when not set or set to <see langword="null"/>.</summary>
    public static string? GetString(AttributeData attribute, string name)
        => TryGetNamed(attribute, name, out var constant) ? constant.Value as string : null;

    /// <summary>A named <c>Type</c> argument; <see langword="null"/> when not set or set to <see langword="null"/>.</summary>
    public static ITypeSymbol? GetType(AttributeData attribute, string name)
        => TryGetNamed(attribute, name, out var constant) ? constant.Value as ITypeSymbol : null;

    /// <summary>The elements of a named array argument, or default when not set or <see langword="null"/>.</summary>
    public static ImmutableArray<TypedConstant> GetArray(AttributeData attribute, string name)
        => TryGetNamed(attribute, name, out var constant) && constant.Kind == TypedConstantKind.Array && !constant.IsNull
            ? constant.Values
            : default;

    /// <summary>The constructor argument bound to the parameter named <paramref name="parameterName"/>.</summary>
    public static bool TryGetConstructorArgument(AttributeData attribute, string parameterName, out TypedConstant value)
    {
        var constructor = attribute.AttributeConstructor;
        if (constructor is not null && constructor.Parameters.Length == attribute.ConstructorArguments.Length)
        {
            for (var i = 0; i < constructor.Parameters.Length; i++)
            {
                if (constructor.Parameters[i].Name == parameterName && attribute.ConstructorArguments[i].Kind != TypedConstantKind.Error)
                {
                    value = attribute.ConstructorArguments[i];
                    return true;
                }
            }
        }

        value = default;
        return false;
    }
}
