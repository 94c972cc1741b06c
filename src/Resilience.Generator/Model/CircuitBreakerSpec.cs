using Resilience.Generator.Helpers;
using Resilience.Generator.Shared;

namespace Resilience.Generator.Model;

/// <summary>What a <c>[CircuitBreaker]</c> sets (<see cref="CircuitBreakerDefaults"/> for the rest).</summary>
/// <param name="FailureThreshold"><c>FailureThreshold</c>.</param>
/// <param name="FailureRatio"><c>FailureRatio</c>.</param>
/// <param name="TimeoutRatio"><c>TimeoutRatio</c>.</param>
/// <param name="MinimumThroughput"><c>MinimumThroughput</c>.</param>
/// <param name="SamplingDurationMs"><c>SamplingDurationMs</c>.</param>
/// <param name="BreakDurationMs"><c>BreakDurationMs</c>.</param>
/// <param name="HalfOpenMaxCalls"><c>HalfOpenMaxCalls</c>.</param>
/// <param name="MaxKeys"><c>MaxKeys</c>.</param>
/// <param name="KeyIdleTimeoutMs"><c>KeyIdleTimeoutMs</c>.</param>
/// <param name="Handle"><c>Handle</c>: fully qualified exception types; empty when set to an empty array.</param>
/// <param name="TripPolicy"><c>TripPolicy</c>: the fully qualified policy type.</param>
/// <param name="SuccessThreshold"><c>SuccessThreshold</c>.</param>
/// <param name="IntervalMs"><c>IntervalMs</c>.</param>
/// <param name="HandleException"><c>HandleException</c>: the fully qualified static method (<c>global::N.IApi.IsTransient</c>).</param>
internal sealed record CircuitBreakerSpec(
    int? FailureThreshold = null,
    double? FailureRatio = null,
    double? TimeoutRatio = null,
    int? MinimumThroughput = null,
    int? SamplingDurationMs = null,
    int? BreakDurationMs = null,
    int? HalfOpenMaxCalls = null,
    int? MaxKeys = null,
    int? KeyIdleTimeoutMs = null,
    EquatableArray<string>? Handle = null,
    string? TripPolicy = null,
    int? SuccessThreshold = null,
    int? IntervalMs = null,
    string? HandleException = null) : StrategySpec;
