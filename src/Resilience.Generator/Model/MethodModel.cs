using Resilience.Generator.Helpers;

namespace Resilience.Generator.Model;

/// <summary>An interface method the generated class implements.</summary>
/// <param name="Name">The identifier, <c>@</c>-escaped when it is a keyword.</param>
/// <param name="DeclaringInterface">The fully qualified interface that declares it.</param>
/// <param name="IsExplicit">Whether it is implemented explicitly (base interface member or clashing name).</param>
/// <param name="IsBaseMember">Whether it is declared on a base interface (called through a cast of the inner instance).</param>
/// <param name="ReturnType">The fully qualified return type with nullable annotations.</param>
/// <param name="RefReturn">Whether it returns by reference.</param>
/// <param name="Shape">The return shape.</param>
/// <param name="ResultType">The awaited result (<c>T</c> of <c>Task&lt;T&gt;</c>) or the synchronous return type; <see langword="null"/> for void-like shapes.</param>
/// <param name="TypeParameters">The method's type parameters.</param>
/// <param name="Parameters">The parameters.</param>
/// <param name="Attributes">Method attributes to repeat (<c>Obsolete</c>, nullable analysis).</param>
/// <param name="ReturnAttributes">Return attributes to repeat (nullable analysis).</param>
/// <param name="CoreName">A unique name for the private core method, when the body needs one.</param>
/// <param name="Pipeline">The strategies around the call, or <see langword="null"/> for a plain delegating member.</param>
/// <param name="IsUnsafe">Whether the signature has a pointer type, so the implementation is declared <c>unsafe</c>.</param>
/// <param name="ResultIsNotTypeArgument">Whether the result type cannot be a type argument (a ref struct, a pointer): chaos substitutes only its default.</param>
/// <param name="ReturnsDecoratedType">Whether it returns, by value, the decorated interface or a base of it: the inner instance as its result becomes the decorator.</param>
internal sealed record MethodModel(
    string Name,
    string DeclaringInterface,
    bool IsExplicit,
    bool IsBaseMember,
    string ReturnType,
    RefReturnKind RefReturn,
    ReturnShape Shape,
    string? ResultType,
    EquatableArray<TypeParameterModel> TypeParameters,
    EquatableArray<ParameterModel> Parameters,
    EquatableArray<AttributeModel> Attributes,
    EquatableArray<AttributeModel> ReturnAttributes,
    string CoreName,
    PipelineModel? Pipeline,
    bool IsUnsafe = false,
    bool ResultIsNotTypeArgument = false,
    bool ReturnsDecoratedType = false);
