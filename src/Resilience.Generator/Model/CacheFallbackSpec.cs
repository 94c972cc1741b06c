using Resilience.Generator.Shared;

namespace Resilience.Generator.Model;

/// <summary>What a <c>[CacheFallback]</c> sets for its options (<see cref="CacheFallbackDefaults"/> for the rest).</summary>
/// <param name="TtlMs"><c>TtlMs</c>.</param>
/// <param name="StaleTtlMs"><c>StaleTtlMs</c>.</param>
internal sealed record CacheFallbackSpec(int? TtlMs = null, int? StaleTtlMs = null) : StrategySpec;
