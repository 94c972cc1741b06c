namespace Resilience;

/// <summary>
/// How the registry treats one kind of instance: its name in messages, the configuration section that overrides it,
/// how declared settings are validated, how the overrides apply to them, and how a live instance takes new settings.
/// One typed row per kind
/// (<see cref="InstanceRules"/>), instead of a switch over kinds in every place that needs one of these.
/// </summary>
/// <typeparam name="TInstance">The strategy's type.</typeparam>
/// <typeparam name="TOptions">The declared settings' type.</typeparam>
internal sealed class InstanceRules<TInstance, TOptions>(
    InstanceKind kind,
    string description,
    string section,
    Action<string, TOptions> validate,
    Func<ResilienceOptions?, string, TOptions, TOptions> effective,
    Action<TInstance, TOptions> reconfigure)
    where TInstance : class
    where TOptions : class
{
    public InstanceKind Kind { get; } = kind;

    /// <summary>The kind in messages ("circuit breaker").</summary>
    public string Description { get; } = description;

    /// <summary>The configuration section of an instance's overrides ("CircuitBreaker").</summary>
    public string Section { get; } = section;

    /// <summary>Throws the <see cref="ArgumentException"/> that creating an instance named <paramref name="name"/> with <paramref name="settings"/> would throw when they are invalid.</summary>
    public void Validate(string name, TOptions settings) => validate(name, settings);

    /// <summary>The declared settings of a name with the configured overrides applied (the declared object itself when none apply).</summary>
    public TOptions Effective(ResilienceOptions? options, string name, TOptions declared) => effective(options, name, declared);

    /// <summary>Gives a live instance new settings; throws <see cref="ArgumentException"/> when they are invalid.</summary>
    public void Reconfigure(TInstance instance, TOptions settings) => reconfigure(instance, settings);
}

/// <summary>The rules of every kind.</summary>
internal static class InstanceRules
{
    public static readonly InstanceRules<object, CircuitBreakerOptions> CircuitBreaker = new(
        InstanceKind.CircuitBreaker, "circuit breaker", "CircuitBreaker",
        static (_, o) => o.Validate(),
        static (options, name, declared) => InstanceOverrides(options, name)?.CircuitBreaker is { } o ? o.ApplyTo(declared) : declared,
        static (breaker, settings) =>
        {
            if (breaker is IKeyedCircuitBreaker keyed)
            {
                keyed.Reconfigure(settings);
            }
            else
            {
                ((CircuitBreaker)breaker).Reconfigure(settings);
            }
        });

    public static readonly InstanceRules<Bulkhead, BulkheadOptions> Bulkhead = new(
        InstanceKind.Bulkhead, "bulkhead", "Bulkhead",
        static (_, o) => o.Validate(),
        static (options, name, declared) => InstanceOverrides(options, name)?.Bulkhead is { } o ? o.ApplyTo(declared) : declared,
        static (bulkhead, settings) => bulkhead.Reconfigure(settings));

    public static readonly InstanceRules<RetryStrategy, RetryOptions> Retry = new(
        InstanceKind.Retry, "retry", "Retry",
        static (_, o) => o.Validate(),
        static (options, name, declared) => InstanceOverrides(options, name)?.Retry is { } o ? o.ApplyTo(declared) : declared,
        static (retry, settings) => retry.Reconfigure(settings));

    public static readonly InstanceRules<TimeoutStrategy, TimeoutSetting> Timeout = new(
        InstanceKind.Timeout, "timeout", "Timeout",
        static (name, o) => _ = new TimeoutStrategy(name, o.Timeout), // validates the limit (nothing to dispose)
        static (options, name, declared) => InstanceOverrides(options, name)?.Timeout?.Timeout is { } o ? new TimeoutSetting(o) : declared,
        static (timeout, settings) => timeout.Reconfigure(settings.Timeout));

    /// <summary>Keyed and unkeyed rate limits share this name space.</summary>
    public static readonly InstanceRules<IDisposable, RateLimitOptions> RateLimit = new(
        InstanceKind.RateLimit, "rate limit", "RateLimit",
        static (_, o) => o.Validate(),
        static (options, name, declared) => InstanceOverrides(options, name)?.RateLimit is { } o ? o.ApplyTo(declared) : declared,
        static (rateLimit, settings) =>
        {
            if (rateLimit is IKeyedRateLimit keyed)
            {
                keyed.Reconfigure(settings);
            }
            else
            {
                ((RateLimitStrategy)rateLimit).Reconfigure(settings);
            }
        });

    public static readonly InstanceRules<CacheFallbackStrategy, CacheFallbackOptions> CacheFallback = new(
        InstanceKind.CacheFallback, "cache fallback", "CacheFallback",
        static (_, o) => o.Validate(),
        static (options, name, declared) => InstanceOverrides(options, name)?.CacheFallback is { } o ? o.ApplyTo(declared) : declared,
        static (cache, settings) => cache.Reconfigure(settings));

    public static readonly InstanceRules<HedgeStrategy, HedgeOptions> Hedge = new(
        InstanceKind.Hedge, "hedge", "Hedge",
        static (_, o) => o.Validate(),
        static (options, name, declared) => InstanceOverrides(options, name)?.Hedge is { } o ? o.ApplyTo(declared) : declared,
        static (hedge, settings) => hedge.Reconfigure(settings));

    /// <summary>Budgets are configured under <c>Resilience:RetryBudgets:{name}</c>, which replaces the declared settings whole.</summary>
    public static readonly InstanceRules<RetryBudget, RetryBudgetOptions> RetryBudget = new(
        InstanceKind.RetryBudget, "retry budget", "RetryBudget",
        static (_, o) => o.Validate(),
        static (options, name, declared) => options is not null && options.RetryBudgets.TryGetValue(name, out RetryBudgetOptions? configured) ? configured : declared,
        static (budget, settings) => budget.Reconfigure(settings));

    private static ResilienceInstanceOptions? InstanceOverrides(ResilienceOptions? options, string name)
        => options is not null && options.Instances.TryGetValue(name, out ResilienceInstanceOptions? instance) ? instance : null;
}

/// <summary>A timeout's declared setting (a <see cref="TimeSpan"/> has no options class of its own).</summary>
/// <param name="Timeout">The limit.</param>
internal sealed record TimeoutSetting(TimeSpan Timeout)
{
    public override string ToString() => $"{Timeout.TotalMilliseconds:0.###} ms";
}
