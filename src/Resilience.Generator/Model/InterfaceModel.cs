using Resilience.Generator.Helpers;

namespace Resilience.Generator.Model;

/// <summary>Everything needed to emit one interface's decorator; equatable so the pipeline caches it.</summary>
/// <param name="HintName">The unique generated file name.</param>
/// <param name="Namespace">The namespace, or "" for the global namespace.</param>
/// <param name="ClassName">The decorator's name (<c>UserServiceResilient</c>).</param>
/// <param name="Accessibility"><c>public</c> or <c>internal</c>.</param>
/// <param name="InterfaceType">The fully qualified interface type, with type parameters.</param>
/// <param name="InterfaceCref">The interface as a documentation <c>cref</c>.</param>
/// <param name="TypeParameters">The interface's type parameters (the decorator is generic too).</param>
/// <param name="Fields">The strategy fields, in a deterministic order.</param>
/// <param name="Handlers">Fallback handlers injected through the constructor.</param>
/// <param name="Methods">Methods to implement.</param>
/// <param name="Properties">Properties and indexers to forward.</param>
/// <param name="Events">Events to forward.</param>
/// <param name="Attributes">The interface's <c>Obsolete</c>/<c>Experimental</c> attributes, repeated on the decorator so that it may use the interface.</param>
/// <param name="IsUnsafe">Whether a member's signature has a pointer type, so the decorator is declared <c>unsafe</c>.</param>
/// <param name="NullableWarnings">Whether nullable warnings are on where the interface is declared (else the file enables annotations only).</param>
/// <param name="Failure">
/// When the parser threw: the exception's type and message, reported as RES0018 instead of emitting (every other
/// field but <paramref name="HintName"/> and <paramref name="InterfaceType"/> is then empty).
/// </param>
/// <param name="OpenInterfaceType">
/// For a generic interface not nested in a generic type: the unbound interface (<c>global::N.IRepo&lt;&gt;</c>), which the
/// module initializer maps to the unbound decorator for open generic registration; "" otherwise.
/// </param>
internal sealed record InterfaceModel(
    string HintName,
    string Namespace,
    string ClassName,
    string Accessibility,
    string InterfaceType,
    string InterfaceCref,
    EquatableArray<TypeParameterModel> TypeParameters,
    EquatableArray<StrategyFieldModel> Fields,
    EquatableArray<HandlerModel> Handlers,
    EquatableArray<MethodModel> Methods,
    EquatableArray<PropertyModel> Properties,
    EquatableArray<EventModel> Events,
    EquatableArray<AttributeModel> Attributes,
    bool IsUnsafe,
    bool NullableWarnings = true,
    string? Failure = null,
    string OpenInterfaceType = "")
{
    /// <summary>The model of an interface the parser failed on: only its names and the failure.</summary>
    public static InterfaceModel Failed(string hintName, string interfaceType, string failure) => new(
        hintName,
        string.Empty,
        string.Empty,
        string.Empty,
        interfaceType,
        string.Empty,
        EquatableArray<TypeParameterModel>.Empty,
        EquatableArray<StrategyFieldModel>.Empty,
        EquatableArray<HandlerModel>.Empty,
        EquatableArray<MethodModel>.Empty,
        EquatableArray<PropertyModel>.Empty,
        EquatableArray<EventModel>.Empty,
        EquatableArray<AttributeModel>.Empty,
        false,
        true,
        failure);
}
