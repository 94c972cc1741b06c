using Resilience.Generator.Helpers;

namespace Resilience.Generator.Model;

/// <summary>
/// A closed generic interface that this compilation registers with <c>AddResilient&lt;IRepo&lt;Customer&gt;, …&gt;()</c> or
/// <c>AddResilientDecorator&lt;IRepo&lt;Customer&gt;&gt;()</c>: the generator registers its factory in this compilation's
/// module initializer, so the closed path needs no <c>MakeGenericType</c>.
/// </summary>
/// <param name="ServiceType">The closed interface, fully qualified, without nullable annotations.</param>
/// <param name="InterfaceDefinition">
/// For an interface declared in this compilation: the interface over its own type parameters as
/// <see cref="InterfaceModel.InterfaceType"/> renders it, to find its model; "" for one from a referenced assembly.
/// </param>
/// <param name="TypeArguments">The closed type arguments, containing types' first, as the decorator takes them.</param>
/// <param name="Namespace">The decorator's namespace, or "".</param>
/// <param name="ClassName">The decorator's name, without type arguments.</param>
/// <param name="HandlerTypes">
/// For an interface from a referenced assembly: the types of the decorator's constructor parameters between
/// <c>inner</c> and <c>registry</c> (fallback handlers, resolved from the container). Empty for one in this compilation,
/// whose model lists them.
/// </param>
/// <param name="Attributes">The interface's <c>Obsolete</c>/<c>Experimental</c> attributes, repeated on the registration class.</param>
internal sealed record ClosedGenericRegistrationModel(
    string ServiceType,
    string InterfaceDefinition,
    EquatableArray<string> TypeArguments,
    string Namespace,
    string ClassName,
    EquatableArray<string> HandlerTypes,
    EquatableArray<AttributeModel> Attributes);
