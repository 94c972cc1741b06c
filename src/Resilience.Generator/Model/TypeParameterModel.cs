using Resilience.Generator.Helpers;

namespace Resilience.Generator.Model;

/// <summary>A type parameter of a generic interface or method.</summary>
/// <param name="Name">The identifier.</param>
/// <param name="Constraints">Its constraints, or <see langword="null"/> when unconstrained.</param>
/// <param name="ExplicitConstraint">The constraint an explicit implementation may (and must) state.</param>
/// <param name="Attributes">Attributes every declaration of it repeats (<c>DynamicallyAccessedMembers</c>: the trim analyzer requires it to match).</param>
internal sealed record TypeParameterModel(string Name, ConstraintsModel? Constraints, ExplicitConstraint ExplicitConstraint, EquatableArray<AttributeModel> Attributes);

/// <summary>A type parameter's constraints, in the order C# requires them.</summary>
/// <param name="Primary">The primary constraint.</param>
/// <param name="Types">The fully qualified constraint types.</param>
/// <param name="New">Whether it has <c>new()</c>.</param>
/// <param name="AllowsRefStruct">Whether it has <c>allows ref struct</c>.</param>
internal sealed record ConstraintsModel(PrimaryConstraint Primary, EquatableArray<string> Types, bool New, bool AllowsRefStruct);

/// <summary>The primary constraint of a type parameter.</summary>
internal enum PrimaryConstraint
{
    None,
    Class,
    NullableClass,
    Struct,
    Unmanaged,
    NotNull,
}

/// <summary>What an explicit interface implementation states of a type parameter (C# allows only these).</summary>
internal enum ExplicitConstraint
{
    None,
    Class,
    Struct,
    Default,
}
