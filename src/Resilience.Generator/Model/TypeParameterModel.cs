namespace Resilience.Generator.Model;

/// <summary>A type parameter of a generic interface or method.</summary>
/// <param name="Name">The identifier.</param>
/// <param name="Constraints">The full constraint list (after <c>where T :</c>), or <see langword="null"/> when unconstrained.</param>
/// <param name="ExplicitConstraints">The constraints allowed on an explicit implementation (<c>class</c>, <c>struct</c> or <c>default</c>), or <see langword="null"/>.</param>
internal sealed record TypeParameterModel(string Name, string? Constraints, string? ExplicitConstraints);
