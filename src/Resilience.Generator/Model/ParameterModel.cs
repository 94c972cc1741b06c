using Resilience.Generator.Helpers;

namespace Resilience.Generator.Model;

/// <summary>A parameter of an interface method or indexer.</summary>
/// <param name="Name">The identifier, <c>@</c>-escaped when it is a keyword.</param>
/// <param name="Type">The fully qualified type with nullable annotations.</param>
/// <param name="RefKind">How it is passed.</param>
/// <param name="IsParams">Whether it is a <c>params</c> parameter.</param>
/// <param name="IsScoped">Whether it is declared <c>scoped</c>.</param>
/// <param name="DefaultValue">The default value, or <see langword="null"/>.</param>
/// <param name="IsCancellationToken">Whether its type is <c>CancellationToken</c>.</param>
/// <param name="IsRefLike">Whether its type is a ref struct.</param>
/// <param name="Attributes">Attributes to repeat on the implementation (nullable-analysis attributes).</param>
internal sealed record ParameterModel(
    string Name,
    string Type,
    ParameterRefKind RefKind,
    bool IsParams,
    bool IsScoped,
    ConstantModel? DefaultValue,
    bool IsCancellationToken,
    bool IsRefLike,
    EquatableArray<AttributeModel> Attributes);
