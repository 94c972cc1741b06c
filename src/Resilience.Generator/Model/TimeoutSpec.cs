namespace Resilience.Generator.Model;

/// <summary>What a <c>[Timeout]</c> sets: its one, required limit.</summary>
/// <param name="TimeoutMs">The limit in milliseconds.</param>
internal sealed record TimeoutSpec(int TimeoutMs) : StrategySpec;
