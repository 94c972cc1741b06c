using Resilience.Generator.Helpers;

namespace Resilience.Generator.Model;

/// <summary>An interface property or indexer, always forwarded to the inner instance.</summary>
/// <param name="Name">The identifier (<c>@</c>-escaped), or <c>this</c> for an indexer.</param>
/// <param name="DeclaringInterface">The fully qualified interface that declares it.</param>
/// <param name="IsExplicit">Whether it is implemented explicitly.</param>
/// <param name="IsBaseMember">Whether it is declared on a base interface.</param>
/// <param name="Type">The fully qualified type with nullable annotations.</param>
/// <param name="RefReturn">Whether it returns by reference.</param>
/// <param name="Parameters">The indexer's parameters; empty for a property.</param>
/// <param name="HasGetter">Whether it has a getter the implementation must provide.</param>
/// <param name="HasSetter">Whether it has a setter the implementation must provide.</param>
/// <param name="IsInitOnly">Whether the setter is <c>init</c>.</param>
/// <param name="Attributes">Attributes to repeat (<c>Obsolete</c>, nullable analysis).</param>
/// <param name="GetterAttributes">Attributes of the getter (<c>Obsolete</c>, <c>Experimental</c>).</param>
/// <param name="SetterAttributes">Attributes of the setter.</param>
internal sealed record PropertyModel(
    string Name,
    string DeclaringInterface,
    bool IsExplicit,
    bool IsBaseMember,
    string Type,
    RefReturnKind RefReturn,
    EquatableArray<ParameterModel> Parameters,
    bool HasGetter,
    bool HasSetter,
    bool IsInitOnly,
    EquatableArray<AttributeModel> Attributes,
    EquatableArray<AttributeModel> GetterAttributes,
    EquatableArray<AttributeModel> SetterAttributes);
