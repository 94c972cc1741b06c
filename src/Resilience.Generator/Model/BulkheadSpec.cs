using Resilience.Generator.Shared;

namespace Resilience.Generator.Model;

/// <summary>What a <c>[Bulkhead]</c> sets (<see cref="BulkheadDefaults"/> for the rest).</summary>
/// <param name="MaxConcurrency"><c>MaxConcurrency</c>.</param>
/// <param name="MaxQueue"><c>MaxQueue</c>.</param>
/// <param name="MaxWaitMs"><c>MaxWaitMs</c>.</param>
/// <param name="Kind"><c>Kind</c>.</param>
internal sealed record BulkheadSpec(int? MaxConcurrency = null, int? MaxQueue = null, int? MaxWaitMs = null, BulkheadKind? Kind = null) : StrategySpec;
