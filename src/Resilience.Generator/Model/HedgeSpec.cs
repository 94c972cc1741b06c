namespace Resilience.Generator.Model;

/// <summary>What a <c>[Hedge]</c> sets (<c>HedgeDefaults</c> for the rest).</summary>
/// <param name="DelayMs"><c>DelayMs</c>: 0 = all at once, -1 = only on failure.</param>
/// <param name="MaxHedges"><c>MaxHedges</c>.</param>
/// <param name="OnFailure"><c>OnFailure</c>.</param>
internal sealed record HedgeSpec(int? DelayMs = null, int? MaxHedges = null, bool? OnFailure = null) : StrategySpec;
