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
/// <param name="NullableWarnings">Whether nullable warnings are on where the interface is declared (else the file enables annotations only).</param>
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
    bool NullableWarnings = true);
