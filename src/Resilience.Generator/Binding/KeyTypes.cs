using Microsoft.CodeAnalysis;

namespace Resilience.Generator.Binding;

/// <summary>
/// The key type of a keyed <c>[RateLimit]</c> or <c>[CircuitBreaker]</c>: the key parameter's type without its
/// nullable annotation, or <c>object</c> for a bare type parameter, a <c>Nullable&lt;T&gt;</c> or a type built from a
/// method type parameter (<see cref="AttributeRules.KeysAsObject"/>).
/// </summary>
internal static class KeyTypes
{
    /// <summary>As the generated code writes it (fully qualified).</summary>
    public static string Render(ITypeSymbol type)
        => AttributeRules.KeysAsObject(type) ? "object" : TypeNames.Render(type.WithNullableAnnotation(NullableAnnotation.NotAnnotated));

    /// <summary>As a message shows it.</summary>
    public static string Display(ITypeSymbol type)
        => AttributeRules.KeysAsObject(type) ? "object" : type.WithNullableAnnotation(NullableAnnotation.NotAnnotated).ToDisplayString();
}
