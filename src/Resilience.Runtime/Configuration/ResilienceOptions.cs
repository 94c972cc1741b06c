namespace Resilience;

/// <summary>
/// Settings that override the attribute values (the compile-time defaults) per instance name, for example bound from
/// the <c>"Resilience"</c> configuration section:
/// <c>{ "Resilience": { "Instances": { "users-db": { "Retry": { "MaxRetries": 5 }, "Timeout": { "Timeout": "00:00:02" }, "Bulkhead": { "MaxConcurrency": 20 } } } } }</c>.
/// </summary>
/// <remarks>
/// <para>
/// The registry applies an instance's overrides when it creates the instance, on top of the declared settings; a
/// setting left out keeps its declared value. When the options change (configuration reload, through
/// <c>IOptionsMonitor</c>), the registry reconfigures the instances it holds, so new calls see the new settings;
/// calls in flight finish under the old ones (except that a retry sequence in progress makes its next decisions under the
/// new retry settings). Circuit breakers keep their state (and their counts unless the sampling duration changed);
/// bulkheads keep their running and waiting calls; rate limits keep their queued callers and count the permits taken
/// against the new limit; cache fallbacks keep the deadlines of stored results. See docs/configuration.md.
/// </para>
/// <para>
/// Instance names are those of the attributes' <c>Name</c>, or the interface or method full name by default
/// (<c>Shop.IUserService</c>, <c>Shop.IUserService.GetAsync</c>). Every strategy's numbers, durations and kinds can be
/// overridden; the exception and result predicates the attributes declare (<c>RetryOn</c>, <c>Handle</c>,
/// <c>HandleResult</c>) cannot.
/// </para>
/// </remarks>
public sealed class ResilienceOptions
{
    /// <summary>The configuration section these options are usually bound from: <c>"Resilience"</c>.</summary>
    public const string SectionName = "Resilience";

    /// <summary>Overrides per instance name (ordinal, case-sensitive, as the registry's names).</summary>
    public Dictionary<string, ResilienceInstanceOptions> Instances { get; } = new(StringComparer.Ordinal);

    /// <summary>What the registry's logs may contain (<c>"Resilience:Logging"</c> in configuration); followed on reload.</summary>
    public ResilienceLoggingOptions Logging { get; } = new();

    /// <summary>
    /// Settings of the retry budgets by name (<c>"Resilience:RetryBudgets:&lt;name&gt;"</c> in configuration, keys
    /// <c>Ratio</c>, <c>MinRetriesPerSecond</c>, <c>Window</c>); a budget not listed uses the defaults. Followed on reload.
    /// </summary>
    public Dictionary<string, RetryBudgetOptions> RetryBudgets { get; } = new(StringComparer.Ordinal);

    /// <summary>The process-wide chaos switch (<c>"Resilience:Chaos"</c> in configuration); off by default. See docs/chaos.md.</summary>
    public ResilienceChaosOptions Chaos { get; } = new();

    /// <summary>Values read from configuration that did not parse, each with its path; reported by <see cref="ResilienceOptionsValidator"/>.</summary>
    internal List<string> ReadErrors { get; } = [];
}

/// <summary>What the registry's logs (category "Resilience") may contain.</summary>
public sealed class ResilienceLoggingOptions
{
    /// <summary>
    /// Whether log messages include argument values: a keyed circuit breaker's key and a cache fallback's key (built
    /// from the call's arguments, so possibly personal data). <see langword="false"/> (the default): they are written
    /// as <c>[hidden]</c>. Metrics never carry them; span events and the registry's events always do.
    /// </summary>
    public bool IncludeArgumentValues { get; set; }
}

/// <summary>The overrides of one instance name: one entry per kind of strategy that has that name.</summary>
public sealed class ResilienceInstanceOptions
{
    /// <summary>Overrides of the circuit breaker (keyed or not) of this name; <see langword="null"/> keeps the declared settings.</summary>
    public CircuitBreakerOverrides? CircuitBreaker { get; set; }

    /// <summary>Overrides of the bulkhead of this name; <see langword="null"/> keeps the declared settings.</summary>
    public BulkheadOverrides? Bulkhead { get; set; }

    /// <summary>Overrides of the hedge of this name; <see langword="null"/> keeps the declared settings.</summary>
    public HedgeOverrides? Hedge { get; set; }

    /// <summary>Overrides of the retry of this name; <see langword="null"/> keeps the declared settings.</summary>
    public RetryOverrides? Retry { get; set; }

    /// <summary>Overrides of the timeout of this name; <see langword="null"/> keeps the declared settings.</summary>
    public TimeoutOverrides? Timeout { get; set; }

    /// <summary>Overrides of the rate limit (keyed or not) of this name; <see langword="null"/> keeps the declared settings.</summary>
    public RateLimitOverrides? RateLimit { get; set; }

    /// <summary>Overrides of the cache fallback of this name; <see langword="null"/> keeps the declared settings.</summary>
    public CacheFallbackOverrides? CacheFallback { get; set; }

    /// <summary>Chaos injected into the inner calls of the methods that use an instance of this name; <see langword="null"/>: none. See docs/chaos.md.</summary>
    public ChaosOverrides? Chaos { get; set; }
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

    /// <summary>Overrides <see cref="CircuitBreakerOptions.SuccessThreshold"/> (consecutive probe successes that close the circuit).</summary>
    public int? SuccessThreshold { get; set; }

    /// <summary>Overrides <see cref="CircuitBreakerOptions.Interval"/> (a time span; <c>"00:00:00"</c> turns the cyclic reset off).</summary>
    public TimeSpan? Interval { get; set; }

    /// <summary>A copy of <paramref name="declared"/> with these overrides applied; <paramref name="declared"/> itself when none is set.</summary>
    internal CircuitBreakerOptions ApplyTo(CircuitBreakerOptions declared)
    {
        if (FailureThreshold is null && FailureRatio is null && TimeoutRatio is null && MinimumThroughput is null
            && SamplingDuration is null && BreakDuration is null && HalfOpenMaxCalls is null && MaxKeys is null && KeyIdleTimeout is null
            && SuccessThreshold is null && Interval is null)
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
            SuccessThreshold = SuccessThreshold ?? declared.SuccessThreshold,
            Interval = Interval ?? declared.Interval,
            HandleException = declared.HandleException,
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

    /// <summary>Overrides <see cref="BulkheadOptions.MaxWait"/> (longest wait in the queue; <see cref="TimeSpan.Zero"/>: until a slot is free or the call is cancelled).</summary>
    public TimeSpan? MaxWait { get; set; }

    /// <summary>A copy of <paramref name="declared"/> with these overrides applied; <paramref name="declared"/> itself when none is set.</summary>
    internal BulkheadOptions ApplyTo(BulkheadOptions declared)
        => MaxConcurrency is null && MaxQueue is null && MaxWait is null
            ? declared
            : new BulkheadOptions
            {
                MaxConcurrency = MaxConcurrency ?? declared.MaxConcurrency,
                MaxQueue = MaxQueue ?? declared.MaxQueue,
                MaxWait = MaxWait ?? declared.MaxWait,
                Kind = declared.Kind,
            };
}

/// <summary>
/// Retry settings to override; each one left <see langword="null"/> keeps the declared value. See <see cref="RetryOptions"/>
/// for meanings and units. The exception types retried (<c>RetryOn</c>) and a custom policy are not configurable; with a
/// custom policy only <see cref="MaxRetries"/> and <see cref="AttemptTimeout"/> apply.
/// </summary>
public sealed class RetryOverrides
{
    /// <summary>Overrides <see cref="RetryOptions.MaxRetries"/> (retries after the first call; 0 or more).</summary>
    public int? MaxRetries { get; set; }

    /// <summary>Overrides <see cref="RetryOptions.Delay"/> (base delay; a time span, e.g. <c>"00:00:00.200"</c>).</summary>
    public TimeSpan? Delay { get; set; }

    /// <summary>Overrides <see cref="RetryOptions.MaxDelay"/> (cap of one delay; a time span).</summary>
    public TimeSpan? MaxDelay { get; set; }

    /// <summary>Overrides <see cref="RetryOptions.Backoff"/> (<c>"Constant"</c>, <c>"Linear"</c> or <c>"Exponential"</c>).</summary>
    public BackoffType? Backoff { get; set; }

    /// <summary>Overrides <see cref="RetryOptions.Multiplier"/> (growth factor of exponential backoff; at least 1).</summary>
    public double? Multiplier { get; set; }

    /// <summary>Overrides <see cref="RetryOptions.Jitter"/> (random spread, a ratio in [0, 1]).</summary>
    public double? Jitter { get; set; }

    /// <summary>
    /// Overrides <see cref="RetryOptions.AttemptTimeout"/> (a positive time span): the length of the per-attempt timeout
    /// the attribute declares. Configuration can't add or remove one; on a retry declared without it this is ignored.
    /// </summary>
    public TimeSpan? AttemptTimeout { get; set; }

    /// <summary>A copy of <paramref name="declared"/> with these overrides applied; <paramref name="declared"/> itself when none applies.</summary>
    internal RetryOptions ApplyTo(RetryOptions declared)
    {
        TimeSpan? attemptTimeout = declared.AttemptTimeout > TimeSpan.Zero ? AttemptTimeout : null;
        if (MaxRetries is null && Delay is null && MaxDelay is null && Backoff is null && Multiplier is null && Jitter is null && attemptTimeout is null)
        {
            return declared;
        }

        return new RetryOptions
        {
            MaxRetries = MaxRetries ?? declared.MaxRetries,
            Delay = Delay ?? declared.Delay,
            MaxDelay = MaxDelay ?? declared.MaxDelay,
            Backoff = Backoff ?? declared.Backoff,
            Multiplier = Multiplier ?? declared.Multiplier,
            Jitter = Jitter ?? declared.Jitter,
            AttemptTimeout = attemptTimeout ?? declared.AttemptTimeout,
            RetryOn = declared.RetryOn,
            Policy = declared.Policy,
            Random = declared.Random,
        };
    }
}

/// <summary>Timeout settings to override. See <see cref="TimeoutStrategy"/>.</summary>
public sealed class TimeoutOverrides
{
    /// <summary>Overrides the declared limit (a positive time span of at most <see cref="int.MaxValue"/> ms, e.g. <c>"00:00:02"</c>); <see langword="null"/> keeps it.</summary>
    public TimeSpan? Timeout { get; set; }
}

/// <summary>Rate limit settings to override; each one left <see langword="null"/> keeps the declared value. See <see cref="RateLimitOptions"/> for meanings and units.</summary>
public sealed class RateLimitOverrides
{
    /// <summary>Overrides <see cref="RateLimitOptions.PermitLimit"/> (permits per window; at least 1).</summary>
    public int? PermitLimit { get; set; }

    /// <summary>Overrides <see cref="RateLimitOptions.Window"/> (a positive time span, e.g. <c>"00:00:01"</c>).</summary>
    public TimeSpan? Window { get; set; }

    /// <summary>Overrides <see cref="RateLimitOptions.Algorithm"/> (<c>"TokenBucket"</c>, <c>"SlidingWindow"</c>, <c>"FixedWindow"</c> or <c>"SlidingWindowExact"</c>).</summary>
    public RateLimitAlgorithm? Algorithm { get; set; }

    /// <summary>Overrides <see cref="RateLimitOptions.SegmentsPerWindow"/> (sliding window only; at least 1).</summary>
    public int? SegmentsPerWindow { get; set; }

    /// <summary>Overrides <see cref="RateLimitOptions.QueueLimit"/> (calls allowed to wait; 0 rejects at once).</summary>
    public int? QueueLimit { get; set; }

    /// <summary>Overrides <see cref="RateLimitOptions.MaxKeys"/> (keyed limits only).</summary>
    public int? MaxKeys { get; set; }

    /// <summary>Overrides <see cref="RateLimitOptions.KeyIdleTimeout"/> (keyed limits only; a positive time span).</summary>
    public TimeSpan? KeyIdleTimeout { get; set; }

    /// <summary>A copy of <paramref name="declared"/> with these overrides applied; <paramref name="declared"/> itself when none is set.</summary>
    internal RateLimitOptions ApplyTo(RateLimitOptions declared)
    {
        if (PermitLimit is null && Window is null && Algorithm is null && SegmentsPerWindow is null && QueueLimit is null && MaxKeys is null && KeyIdleTimeout is null)
        {
            return declared;
        }

        return new RateLimitOptions
        {
            PermitLimit = PermitLimit ?? declared.PermitLimit,
            Window = Window ?? declared.Window,
            Algorithm = Algorithm ?? declared.Algorithm,
            SegmentsPerWindow = SegmentsPerWindow ?? declared.SegmentsPerWindow,
            QueueLimit = QueueLimit ?? declared.QueueLimit,
            MaxKeys = MaxKeys ?? declared.MaxKeys,
            KeyIdleTimeout = KeyIdleTimeout ?? declared.KeyIdleTimeout,
        };
    }
}

/// <summary>Cache fallback settings to override; each one left <see langword="null"/> keeps the declared value. See <see cref="CacheFallbackOptions"/>.</summary>
public sealed class CacheFallbackOverrides
{
    /// <summary>Overrides <see cref="CacheFallbackOptions.Ttl"/> (how long a result is fresh; a time span, 0 = only as a stale fallback).</summary>
    public TimeSpan? Ttl { get; set; }

    /// <summary>Overrides <see cref="CacheFallbackOptions.StaleTtl"/> (how long after the TTL a result may answer a failure; a time span).</summary>
    public TimeSpan? StaleTtl { get; set; }

    /// <summary>A copy of <paramref name="declared"/> with these overrides applied; <paramref name="declared"/> itself when none is set.</summary>
    internal CacheFallbackOptions ApplyTo(CacheFallbackOptions declared)
        => Ttl is null && StaleTtl is null
            ? declared
            : new CacheFallbackOptions { Ttl = Ttl ?? declared.Ttl, StaleTtl = StaleTtl ?? declared.StaleTtl };
}

/// <summary>Hedge settings to override; each one left <see langword="null"/> keeps the declared value. See <see cref="HedgeOptions"/>.</summary>
public sealed class HedgeOverrides
{
    /// <summary>Overrides <see cref="HedgeOptions.Delay"/> (a time span; <c>"00:00:00"</c> = all at once, <c>"-00:00:00.001"</c> = only on failure).</summary>
    public TimeSpan? Delay { get; set; }

    /// <summary>Overrides <see cref="HedgeOptions.MaxHedges"/> (attempts beyond the first, 1 to 10).</summary>
    public int? MaxHedges { get; set; }

    /// <summary>Overrides <see cref="HedgeOptions.OnFailure"/>.</summary>
    public bool? OnFailure { get; set; }

    /// <summary>A copy of <paramref name="declared"/> with these overrides applied; <paramref name="declared"/> itself when none is set.</summary>
    internal HedgeOptions ApplyTo(HedgeOptions declared)
        => Delay is null && MaxHedges is null && OnFailure is null
            ? declared
            : new HedgeOptions { Delay = Delay ?? declared.Delay, MaxHedges = MaxHedges ?? declared.MaxHedges, OnFailure = OnFailure ?? declared.OnFailure };
}
