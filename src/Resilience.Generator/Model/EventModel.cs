using Resilience.Generator.Helpers;

namespace Resilience.Generator.Model;

/// <summary>An interface event, forwarded to the inner instance.</summary>
/// <param name="Name">The identifier, <c>@</c>-escaped when it is a keyword.</param>
/// <param name="DeclaringInterface">The fully qualified interface that declares it.</param>
/// <param name="IsExplicit">Whether it is implemented explicitly.</param>
/// <param name="IsBaseMember">Whether it is declared on a base interface.</param>
/// <param name="Type">The fully qualified delegate type with nullable annotations.</param>
/// <param name="Attributes">Attributes to repeat (<c>Obsolete</c>).</param>
internal sealed record EventModel(
    string Name,
    string DeclaringInterface,
    bool IsExplicit,
    bool IsBaseMember,
    string Type,
    EquatableArray<AttributeModel> Attributes);
