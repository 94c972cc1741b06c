namespace Resilience;

/// <summary>
/// Settings that override the attribute values (the compile-time defaults) per instance name, for example bound from
/// the <c>"Resilience"</c> configuration section:
/// <c>{ "Resilience": { "Instances": { "users-db": { "CircuitBreaker": { "FailureThreshold": 10 }, "Bulkhead": { "MaxConcurrency": 20 } } } } }</c>.
/// </summary>
/// <remarks>
/// <para>
/// The registry applies an instance's overrides when it creates the instance, on top of the declared settings; a
/// setting left out keeps its declared value. When the options change (configuration reload, through
/// <c>IOptionsMonitor</c>), the registry reconfigures the instances it holds, so new calls see the new settings;
/// calls in flight finish under the old ones. Circuit breakers keep their state (and their counts unless the sampling
/// duration changed); bulkheads keep their running and waiting calls.
/// </para>
/// <para>
/// Instance names are those of the attributes' <c>Name</c>, or the interface or method full name by default
/// (<c>Shop.IUserService</c>, <c>Shop.IUserService.GetAsync</c>). Circuit breakers and bulkheads can be overridden.
/// </para>
/// </remarks>
public sealed class ResilienceOptions
{
    /// <summary>The configuration section these options are usually bound from: <c>"Resilience"</c>.</summary>
    public const string SectionName = "Resilience";

    /// <summary>Overrides per instance name (ordinal, case-sensitive, as the registry's names).</summary>
    public Dictionary<string, ResilienceInstanceOptions> Instances { get; } = new(StringComparer.Ordinal);

    /// <summary>Values read from configuration that did not parse, each with its path; reported by <see cref="ResilienceOptionsValidator"/>.</summary>
    internal List<string> ReadErrors { get; } = [];
}

/// <summary>The overrides of one instance name: one entry per kind of strategy that has that name.</summary>
public sealed class ResilienceInstanceOptions
{
    /// <summary>Overrides of the circuit breaker (keyed or not) of this name; <see langword="null"/> keeps the declared settings.</summary>
    public CircuitBreakerOverrides? CircuitBreaker { get; set; }

    /// <summary>Overrides of the bulkhead of this name; <see langword="null"/> keeps the declared settings.</summary>
    public BulkheadOverrides? Bulkhead { get; set; }
}

/// <summary>Circuit breaker settings to override; each one left <see langword="null"/> keeps the declared value. See <see cref="CircuitBreakerOptions"/> for meanings and units.</summary>
public sealed class CircuitBreakerOverrides
{
    /// <summary>Overrides <see cref="CircuitBreakerOptions.FailureThreshold"/> (consecutive failures).</summary>
    public int? FailureThreshold { get; set; }

    /// <summary>Overrides <see cref="CircuitBreakerOptions.FailureRatio"/> (0 off, or in (0, 1]).</summary>
    public double? FailureRatio { get; set; }

    /// <summary>Overrides <see cref="CircuitBreakerOptions.TimeoutRatio"/> (0 off, or in (0, 1]).</summary>
    public double? TimeoutRatio { get; set; }

    /// <summary>Overrides <see cref="CircuitBreakerOptions.MinimumThroughput"/> (calls).</summary>
    public int? MinimumThroughput { get; set; }

    /// <summary>Overrides <see cref="CircuitBreakerOptions.SamplingDuration"/> (a time span, e.g. <c>"00:00:30"</c>).</summary>
    public TimeSpan? SamplingDuration { get; set; }

    /// <summary>Overrides <see cref="CircuitBreakerOptions.BreakDuration"/> (a time span, e.g. <c>"00:00:30"</c>).</summary>
    public TimeSpan? BreakDuration { get; set; }

    /// <summary>Overrides <see cref="CircuitBreakerOptions.HalfOpenMaxCalls"/> (probes at once).</summary>
    public int? HalfOpenMaxCalls { get; set; }

    /// <summary>Overrides <see cref="CircuitBreakerOptions.MaxKeys"/> (keyed breakers only).</summary>
    public int? MaxKeys { get; set; }

    /// <summary>Overrides <see cref="CircuitBreakerOptions.KeyIdleTimeout"/> (keyed breakers only; a time span).</summary>
    public TimeSpan? KeyIdleTimeout { get; set; }

    /// <summary>A copy of <paramref name="declared"/> with these overrides applied; <paramref name="declared"/> itself when none is set.</summary>
    internal CircuitBreakerOptions ApplyTo(CircuitBreakerOptions declared)
    {
        if (FailureThreshold is null && FailureRatio is null && TimeoutRatio is null && MinimumThroughput is null
            && SamplingDuration is null && BreakDuration is null && HalfOpenMaxCalls is null && MaxKeys is null && KeyIdleTimeout is null)
        {
            return declared;
        }

        return new CircuitBreakerOptions
        {
            FailureThreshold = FailureThreshold ?? declared.FailureThreshold,
            FailureRatio = FailureRatio ?? declared.FailureRatio,
            TimeoutRatio = TimeoutRatio ?? declared.TimeoutRatio,
            MinimumThroughput = MinimumThroughput ?? declared.MinimumThroughput,
            SamplingDuration = SamplingDuration ?? declared.SamplingDuration,
            BreakDuration = BreakDuration ?? declared.BreakDuration,
            HalfOpenMaxCalls = HalfOpenMaxCalls ?? declared.HalfOpenMaxCalls,
            Handle = declared.Handle,
            TripPolicy = declared.TripPolicy,
            MaxKeys = MaxKeys ?? declared.MaxKeys,
            KeyIdleTimeout = KeyIdleTimeout ?? declared.KeyIdleTimeout,
        };
    }
}

/// <summary>Bulkhead settings to override; each one left <see langword="null"/> keeps the declared value. See <see cref="BulkheadOptions"/>.</summary>
public sealed class BulkheadOverrides
{
    /// <summary>Overrides <see cref="BulkheadOptions.MaxConcurrency"/> (calls running at once).</summary>
    public int? MaxConcurrency { get; set; }

    /// <summary>Overrides <see cref="BulkheadOptions.MaxQueue"/> (calls waiting).</summary>
    public int? MaxQueue { get; set; }

    /// <summary>A copy of <paramref name="declared"/> with these overrides applied; <paramref name="declared"/> itself when none is set.</summary>
    internal BulkheadOptions ApplyTo(BulkheadOptions declared)
        => MaxConcurrency is null && MaxQueue is null
            ? declared
            : new BulkheadOptions { MaxConcurrency = MaxConcurrency ?? declared.MaxConcurrency, MaxQueue = MaxQueue ?? declared.MaxQueue };
}
