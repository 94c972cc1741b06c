namespace Resilience;

/// <summary>
/// Stops calling a failing downstream for a while. On an interface, one breaker is shared by all its methods.
/// </summary>
/// <remarks>
/// Closed → Open when the trip policy says so. Open rejects every call with <see cref="BrokenCircuitException"/>
/// for <see cref="BreakDurationMs"/>; then Half-open admits <see cref="HalfOpenMaxCalls"/> probes at once:
/// <see cref="SuccessThreshold"/> successes in a row close the circuit, a failure opens it again. The trip policy is consecutive failures (<see cref="FailureThreshold"/>)
/// unless <see cref="FailureRatio"/>, <see cref="TimeoutRatio"/> or <see cref="TripPolicy"/> is set.
/// </remarks>
[AttributeUsage(AttributeTargets.Method | AttributeTargets.Interface, AllowMultiple = false, Inherited = false)]
public sealed class CircuitBreakerAttribute : Attribute
{
    /// <summary>Consecutive failures that open the circuit. Default 5.</summary>
    public int FailureThreshold { get; set; } = CircuitBreakerDefaults.FailureThreshold;

    /// <summary>
    /// Ratio of failures, in (0, 1], over <see cref="SamplingDurationMs"/> that opens the circuit once at least
    /// <see cref="MinimumThroughput"/> calls were made. Default 0: not used.
    /// </summary>
    public double FailureRatio { get; set; } = CircuitBreakerDefaults.FailureRatio;

    /// <summary>
    /// Ratio of timeouts, in (0, 1], over <see cref="SamplingDurationMs"/> that opens the circuit once at least
    /// <see cref="MinimumThroughput"/> calls were made. Default 0: not used.
    /// </summary>
    public double TimeoutRatio { get; set; } = CircuitBreakerDefaults.TimeoutRatio;

    /// <summary>Calls in the sampling window before a ratio may open the circuit. Default 10.</summary>
    public int MinimumThroughput { get; set; } = CircuitBreakerDefaults.MinimumThroughput;

    /// <summary>Length of the rolling window the ratios are computed over, in milliseconds. Default 30 000.</summary>
    public int SamplingDurationMs { get; set; } = CircuitBreakerDefaults.SamplingDurationMs;

    /// <summary>How long the circuit stays open before probing, in milliseconds. Default 30 000.</summary>
    public int BreakDurationMs { get; set; } = CircuitBreakerDefaults.BreakDurationMs;

    /// <summary>Probe calls admitted at once while half-open. Default 1.</summary>
    public int HalfOpenMaxCalls { get; set; } = CircuitBreakerDefaults.HalfOpenMaxCalls;

    /// <summary>
    /// Successful probes in a row that close a half-open circuit (gobreaker's <c>MaxRequests</c>); at least 1. Default 1.
    /// </summary>
    public int SuccessThreshold { get; set; } = CircuitBreakerDefaults.SuccessThreshold;

    /// <summary>
    /// While closed, the counts (window totals and streaks) start again from zero every this many milliseconds, like
    /// gobreaker's <c>Interval</c>: the interval starts when the circuit closes, and the first outcome recorded after it ends
    /// clears the counts and starts the next one. 0 or more; 0 (the default) never resets them.
    /// </summary>
    public int IntervalMs { get; set; } = CircuitBreakerDefaults.IntervalMs;

    /// <summary>
    /// Name of a static method <c>bool M(Exception exception)</c> on the interface that decides whether an exception counts
    /// as a failure (<see langword="false"/>: neutral, neither success nor failure), like gobreaker's <c>IsSuccessful</c>.
    /// Asked only about exceptions that <see cref="Handle"/> lets through and that are not a timeout, a rejection or the
    /// caller's cancellation. Default: every such exception counts.
    /// </summary>
    public string? HandleException { get; set; }

    /// <summary>Exception types (and their subtypes) counted as failures. Default: every exception.</summary>
    public Type[]? Handle { get; set; }

    /// <summary>A type implementing <see cref="ITripPolicy"/> with a public parameterless constructor. Overrides the built-in policies.</summary>
    public Type? TripPolicy { get; set; }

    /// <summary>Instance name; the same name shares one breaker across interfaces. Default: the interface or method's full name.</summary>
    public string? Name { get; set; }

    /// <summary>Name of a method parameter whose value selects a separate breaker per value (for example per host).</summary>
    public string? KeyParameter { get; set; }

    /// <summary>
    /// With <see cref="KeyParameter"/> only: the most keys (one breaker each) held at once; at least 1. Default 10 000.
    /// Beyond it the least recently used keys are evicted, whatever their state. Without a <see cref="KeyParameter"/>
    /// there is one breaker and the setting has no effect (the analyzer warns, RES0017).
    /// </summary>
    public int MaxKeys { get; set; } = CircuitBreakerDefaults.MaxKeys;

    /// <summary>
    /// With <see cref="KeyParameter"/> only: how long a key may go unused, in milliseconds, before it is evicted (a key
    /// whose breaker is open, half-open or has a call in flight is kept); at least 1. Default 60 000 (1 minute). Without
    /// a <see cref="KeyParameter"/> the setting has no effect (the analyzer warns, RES0017).
    /// </summary>
    public int KeyIdleTimeoutMs { get; set; } = CircuitBreakerDefaults.KeyIdleTimeoutMs;

    /// <summary>Name of a static method <c>bool M(TResult result)</c> on the interface that marks a returned value as a failure.</summary>
    public string? HandleResult { get; set; }
}
