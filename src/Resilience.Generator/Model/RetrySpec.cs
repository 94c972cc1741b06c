using Resilience.Generator.Helpers;
using Resilience.Generator.Shared;

namespace Resilience.Generator.Model;

/// <summary>What a <c>[Retry]</c> sets (<see cref="RetryDefaults"/> for the rest).</summary>
/// <param name="MaxRetries"><c>MaxRetries</c>.</param>
/// <param name="DelayMs"><c>DelayMs</c>.</param>
/// <param name="MaxDelayMs"><c>MaxDelayMs</c>.</param>
/// <param name="Backoff"><c>Backoff</c>.</param>
/// <param name="Multiplier"><c>Multiplier</c>.</param>
/// <param name="Jitter"><c>Jitter</c>.</param>
/// <param name="RetryOn"><c>RetryOn</c>: fully qualified exception types; empty when set to an empty array.</param>
/// <param name="Policy"><c>Policy</c>: the fully qualified policy type.</param>
/// <param name="AttemptTimeoutMs"><c>AttemptTimeoutMs</c>.</param>
/// <param name="Budget"><c>Budget</c>: the retry budget's name.</param>
internal sealed record RetrySpec(
    int? MaxRetries = null,
    int? DelayMs = null,
    int? MaxDelayMs = null,
    BackoffType? Backoff = null,
    double? Multiplier = null,
    double? Jitter = null,
    EquatableArray<string>? RetryOn = null,
    string? Policy = null,
    int? AttemptTimeoutMs = null,
    string? Budget = null) : StrategySpec;
