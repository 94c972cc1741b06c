namespace Resilience.Generator.Model;

/// <summary>A fallback handler instance injected through the constructor.</summary>
/// <param name="Type">The fully qualified handler type.</param>
/// <param name="FieldName">A unique id for the field holding it; the emitter names the field (see <c>Emitting/MemberNames</c>).</param>
/// <param name="ParameterName">The constructor parameter.</param>
/// <param name="IsValueType">Whether the handler is a struct (no null check).</param>
/// <param name="IsPublic">Whether the handler type is public (else a public decorator's constructor is internal).</param>
internal sealed record HandlerModel(string Type, string FieldName, string ParameterName, bool IsValueType, bool IsPublic = true);
