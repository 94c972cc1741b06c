namespace Resilience.Generator.Model;

/// <summary>
/// The settings an attribute gives a strategy, typed: only what the attribute sets (<see langword="null"/> = the
/// runtime's default, from src/Shared). The emitter renders them as the options object; nothing here is C# text
/// except fully qualified type names.
/// </summary>
internal abstract record StrategySpec;
