using Microsoft.Extensions.Options;

namespace Resilience;

/// <summary>
/// Validates <see cref="ResilienceOptions"/> at start-up (with <c>ValidateOnStart</c>) and on every reload: each
/// override must be a valid value of its setting. Failures name the instance and the setting, e.g.
/// <c>Resilience:Instances:users-db:CircuitBreaker:FailureThreshold: FailureThreshold must be at least 1; got 0.</c>
/// </summary>
/// <remarks>
/// Each override is checked alone, and two overrides that depend on each other (<c>Delay</c> and <c>MaxDelay</c>,
/// <c>Window</c> and <c>SegmentsPerWindow</c>, <c>Ttl</c> and <c>StaleTtl</c>) together when both are set. An override
/// that is valid alone but does not fit a declared setting (a <c>MaxDelay</c> below the declared <c>Delay</c>) is
/// reported when the registry creates that instance (<see cref="InvalidOperationException"/> naming the path) and
/// ignored by a reload (the instance keeps its settings).
/// </remarks>
public sealed class ResilienceOptionsValidator : IValidateOptions<ResilienceOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, ResilienceOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        List<string>? failures = null;
        if (options.ReadErrors.Count != 0)
        {
            failures = [.. options.ReadErrors];
        }

        foreach (KeyValuePair<string, ResilienceInstanceOptions> pair in options.Instances)
        {
            string prefix = $"{ResilienceOptions.SectionName}:Instances:{pair.Key}";
            if (pair.Value is null)
            {
                continue;
            }

            if (pair.Value.CircuitBreaker is { } breaker)
            {
                Check(() => breaker.ApplyTo(new CircuitBreakerOptions()).Validate(), prefix + ":CircuitBreaker", ref failures);
            }

            if (pair.Value.Bulkhead is { } bulkhead)
            {
                Check(() => bulkhead.ApplyTo(new BulkheadOptions()).Validate(), prefix + ":Bulkhead", ref failures);
            }

            if (pair.Value.Retry is { } retry)
            {
                // A base that accepts any Delay/MaxDelay pair unless both are overridden, with an attempt timeout to resize.
                var retryBase = new RetryOptions { Delay = TimeSpan.Zero, MaxDelay = RetryOptions.MaxSupportedDuration, AttemptTimeout = TimeSpan.FromMilliseconds(1) };
                Check(() => retry.ApplyTo(retryBase).Validate(), prefix + ":Retry", ref failures);
                if (retry.AttemptTimeout is { } attemptTimeout && attemptTimeout <= TimeSpan.Zero)
                {
                    (failures ??= []).Add(Invariant(
                        $"{prefix}:Retry:AttemptTimeout: AttemptTimeout must be positive; configuration changes the length of the per-attempt timeout the attribute declares and can't remove it; got {attemptTimeout.TotalMilliseconds} ms."));
                }
            }

            if (pair.Value.Timeout?.Timeout is { } timeout && (timeout <= TimeSpan.Zero || timeout > TimeSpan.FromMilliseconds(int.MaxValue)))
            {
                (failures ??= []).Add(Invariant($"{prefix}:Timeout:Timeout: Timeout must be in (0, {int.MaxValue}] ms; got {timeout.TotalMilliseconds} ms."));
            }

            if (pair.Value.RateLimit is { } rateLimit)
            {
                // A base that fits any SegmentsPerWindow unless Window is overridden too.
                var rateLimitBase = new RateLimitOptions { Window = TimeSpan.FromDays(365), SegmentsPerWindow = 1 };
                Check(() => rateLimit.ApplyTo(rateLimitBase).Validate(), prefix + ":RateLimit", ref failures);
            }

            if (pair.Value.CacheFallback is { } cache)
            {
                Check(() => ValidateCacheFallback(cache), prefix + ":CacheFallback", ref failures);
            }

            if (pair.Value.Hedge is { } hedge)
            {
                Check(() => hedge.ApplyTo(new HedgeOptions()).Validate(), prefix + ":Hedge", ref failures);
            }

            if (pair.Value.Chaos is { } chaos)
            {
                ValidateChaos(chaos, prefix + ":Chaos", ref failures);
            }
        }

        foreach (KeyValuePair<string, RetryBudgetOptions> pair in options.RetryBudgets)
        {
            if (pair.Value is { } budget)
            {
                Check(budget.Validate, $"{ResilienceOptions.SectionName}:RetryBudgets:{pair.Key}", ref failures);
            }
        }

        return failures is null ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary>
    /// The message of an options exception without the runtime's "(Parameter ...)" and "Actual value" suffixes. The
    /// suffix is not searched for as English text: the runtime writes it again, for an empty message with the same
    /// parameter and value, in the same culture, and exactly that is cut off the end, so a localized runtime's suffix goes too.
    /// </summary>
    internal static string Describe(ArgumentException exception)
    {
        string message = exception.Message;
        string suffix = exception is ArgumentOutOfRangeException range
            ? new ArgumentOutOfRangeException(range.ParamName, range.ActualValue, string.Empty).Message
            : new ArgumentException(string.Empty, exception.ParamName).Message;
        return message.EndsWith(suffix, StringComparison.Ordinal) ? message[..^suffix.Length] : message;
    }

    private static void ValidateCacheFallback(CacheFallbackOverrides cache)
    {
        if (cache.Ttl is { } ttl && cache.StaleTtl is { } staleTtl)
        {
            new CacheFallbackOptions { Ttl = ttl, StaleTtl = staleTtl }.Validate();
            return;
        }

        // One alone: only its sign (whether the pair is usable depends on the declared other one).
        new CacheFallbackOptions
        {
            Ttl = cache.Ttl is { } onlyTtl ? onlyTtl : TimeSpan.FromTicks(1),
            StaleTtl = cache.StaleTtl is { } onlyStale ? onlyStale : (cache.Ttl > TimeSpan.Zero ? TimeSpan.Zero : TimeSpan.FromTicks(1)),
        }.Validate();
    }

    private static void ValidateChaos(ChaosOverrides chaos, string path, ref List<string>? failures)
    {
        if (chaos.InjectionRate is { } rate && !(rate >= 0 && rate <= 1))
        {
            (failures ??= []).Add(Invariant($"{path}:InjectionRate: InjectionRate must be in [0, 1]; got {rate}."));
        }
        else if (chaos.Enabled == true && chaos.InjectionRate is null)
        {
            (failures ??= []).Add($"{path}:InjectionRate: InjectionRate must be set when Enabled is true, in [0, 1] (1 injects into every call).");
        }

        if (chaos.Latency is { } latency && (latency < TimeSpan.Zero || latency > TimeSpan.FromMilliseconds(int.MaxValue)))
        {
            (failures ??= []).Add(Invariant($"{path}:Latency: Latency must be in [0, {int.MaxValue}] ms; got {latency.TotalMilliseconds} ms."));
        }

        bool hasFault = !string.IsNullOrEmpty(chaos.Fault);
        bool hasResult = !string.IsNullOrEmpty(chaos.Result);
        if (hasFault && hasResult)
        {
            (failures ??= []).Add($"{path}:Result: Fault and Result cannot both be set (an injected call either fails or returns); remove one.");
        }
        else if (chaos.Enabled == true && !hasFault && !hasResult && !(chaos.Latency > TimeSpan.Zero))
        {
            (failures ??= []).Add($"{path}:Enabled: Enabled is true but nothing is injected; set Fault, Latency or Result.");
        }
    }

    private static string Invariant(FormattableString text) => text.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static void Check(Action validate, string path, ref List<string>? failures)
    {
        try
        {
            validate();
        }
        catch (ArgumentException exception)
        {
            (failures ??= []).Add($"{path}:{exception.ParamName}: {Describe(exception)}");
        }
    }
}
