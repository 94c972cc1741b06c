using Resilience.Generator.Shared;

namespace Resilience.Generator.Model;

/// <summary>What a <c>[RateLimit]</c> sets (<see cref="RateLimitDefaults"/> for the rest).</summary>
/// <param name="PermitLimit"><c>PermitLimit</c>.</param>
/// <param name="WindowMs"><c>WindowMs</c>.</param>
/// <param name="Algorithm"><c>Algorithm</c>.</param>
/// <param name="SegmentsPerWindow"><c>SegmentsPerWindow</c>.</param>
/// <param name="QueueLimit"><c>QueueLimit</c>.</param>
internal sealed record RateLimitSpec(
    int? PermitLimit = null,
    int? WindowMs = null,
    RateLimitAlgorithm? Algorithm = null,
    int? SegmentsPerWindow = null,
    int? QueueLimit = null) : StrategySpec;
