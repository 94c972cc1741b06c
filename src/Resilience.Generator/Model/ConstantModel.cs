using Resilience.Generator.Helpers;

namespace Resilience.Generator.Model;

/// <summary>What kind of constant a <see cref="ConstantModel"/> holds.</summary>
internal enum ConstantKind
{
    /// <summary><c>null</c>.</summary>
    Null,

    /// <summary><c>null</c> given to a non-nullable reference type (<c>string q = null</c>), written <c>null!</c>.</summary>
    SuppressedNull,

    /// <summary><c>default</c> (a <c>null</c> default of a value type).</summary>
    Default,

    /// <summary>No value: a parameter declared <c>[Optional]</c> without a default (the caller may leave it out), written as that attribute.</summary>
    Missing,

    /// <summary><c>default</c> given to a type parameter that may be a non-nullable reference type (<c>T x = default!</c>), written <c>default!</c>.</summary>
    SuppressedDefault,

    /// <summary>A primitive or string in <see cref="ConstantModel.Value"/>.</summary>
    Primitive,

    /// <summary>A named member of the enum <see cref="ConstantModel.TypeName"/>.</summary>
    EnumMember,

    /// <summary>A value of the enum <see cref="ConstantModel.TypeName"/> that no member names.</summary>
    EnumValue,

    /// <summary>A <c>DateTime</c> (<see cref="ConstantModel.Value"/> holds its ticks), stated as <c>[DateTimeConstant]</c>.</summary>
    DateTime,

    /// <summary><c>typeof(</c><see cref="ConstantModel.TypeName"/><c>)</c>.</summary>
    TypeOf,

    /// <summary>An array of <see cref="ConstantModel.TypeName"/> with <see cref="ConstantModel.Elements"/>.</summary>
    Array,
}

/// <summary>
/// A compile-time constant (a parameter's default value, an attribute argument), typed: the emitter renders it.
/// </summary>
/// <param name="Kind">What it is.</param>
/// <param name="Value">The boxed primitive, string, enum underlying value or <c>DateTime</c> ticks; compared by value.</param>
/// <param name="TypeName">The fully qualified enum type, <c>typeof</c> operand or array type.</param>
/// <param name="Member">The enum member's identifier.</param>
/// <param name="Elements">An array's elements.</param>
internal sealed record ConstantModel(
    ConstantKind Kind,
    object? Value = null,
    string? TypeName = null,
    string? Member = null,
    EquatableArray<ConstantModel> Elements = default)
{
    public static ConstantModel Null { get; } = new(ConstantKind.Null);
}

/// <summary>An attribute the decorator repeats (<c>Obsolete</c>, <c>Experimental</c>, nullable analysis), typed.</summary>
/// <param name="Type">The fully qualified attribute type.</param>
/// <param name="Arguments">The constructor arguments.</param>
/// <param name="NamedArguments">The named arguments, in source order.</param>
internal sealed record AttributeModel(
    string Type,
    EquatableArray<ConstantModel> Arguments,
    EquatableArray<NamedArgumentModel> NamedArguments);

/// <summary>A named attribute argument.</summary>
/// <param name="Name">The property or field.</param>
/// <param name="Value">Its value.</param>
internal sealed record NamedArgumentModel(string Name, ConstantModel Value);
