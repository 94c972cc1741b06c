namespace Resilience.Generator.Model;

/// <summary>A strategy field of the generated class, created from the registry in the constructor.</summary>
/// <param name="Kind">The kind of strategy.</param>
/// <param name="FieldName">A unique id for the field; the emitter gives the field its readable name (see <c>Emitting/MemberNames</c>).</param>
/// <param name="InstanceName">The registry name (the attribute's <c>Name</c> or the interface/method full name).</param>
/// <param name="KeyType">For a keyed rate limit or circuit breaker, the fully qualified key type; otherwise <see langword="null"/>.</param>
/// <param name="Spec">The settings the attribute gives, typed; the emitter renders them as the options.</param>
internal sealed record StrategyFieldModel(
    StrategyKind Kind,
    string FieldName,
    string InstanceName,
    string? KeyType,
    StrategySpec Spec);
