using System.Collections.Generic;
using System.Globalization;
using Resilience.Generator.Helpers;
using Resilience.Generator.Model;

namespace Resilience.Generator.Emitting;

/// <summary>
/// Renders a <see cref="StrategySpec"/> as the runtime's options object: one assignment per setting the attribute
/// gives, in a fixed order, mapping each attribute setting to its option (<c>DelayMs</c> → <c>Delay</c>, a
/// <c>TimeSpan</c>). Settings the attribute leaves out keep the options' defaults, which are the attribute's
/// (src/Shared).
/// </summary>
internal static class OptionsWriter
{
    /// <summary>The argument that creates the options of <paramref name="spec"/> (for a timeout, its limit).</summary>
    public static string Render(StrategySpec spec) => spec switch
    {
        TimeoutSpec timeout => Milliseconds(timeout.TimeoutMs),
        RetrySpec retry => Options("RetryOptions", Retry(retry)),
        CircuitBreakerSpec breaker => Options("CircuitBreakerOptions", CircuitBreaker(breaker)),
        RateLimitSpec rateLimit => Options("RateLimitOptions", RateLimit(rateLimit)),
        BulkheadSpec bulkhead => Options("BulkheadOptions", Bulkhead(bulkhead)),
        CacheFallbackSpec cache => Options("CacheFallbackOptions", CacheFallback(cache)),
        HedgeSpec hedge => Options("HedgeOptions", Hedge(hedge)),
        _ => throw new System.ArgumentOutOfRangeException(nameof(spec), spec.GetType().Name, "Unknown strategy spec."),
    };

    private static string Options(string type, List<string> assignments)
        => assignments.Count == 0
            ? $"new global::Resilience.{type}()"
            : $"new global::Resilience.{type} {{ {string.Join(", ", assignments)} }}";

    private static List<string> Retry(RetrySpec spec)
    {
        var options = new List<string>();
        Int(options, "MaxRetries", spec.MaxRetries);
        TimeSpan(options, "Delay", spec.DelayMs);
        TimeSpan(options, "MaxDelay", spec.MaxDelayMs);
        if (spec.Backoff is { } backoff)
        {
            options.Add("Backoff = global::Resilience.BackoffType." + backoff);
        }

        Double(options, "Multiplier", spec.Multiplier);
        Double(options, "Jitter", spec.Jitter);
        Types(options, "RetryOn", spec.RetryOn);
        Policy(options, "Policy", spec.Policy);
        TimeSpan(options, "AttemptTimeout", spec.AttemptTimeoutMs);
        if (spec.Budget is { } budget)
        {
            options.Add("Budget = " + CSharpText.Literal(budget));
        }

        return options;
    }

    private static List<string> CircuitBreaker(CircuitBreakerSpec spec)
    {
        var options = new List<string>();
        Int(options, "FailureThreshold", spec.FailureThreshold);
        Double(options, "FailureRatio", spec.FailureRatio);
        Double(options, "TimeoutRatio", spec.TimeoutRatio);
        Int(options, "MinimumThroughput", spec.MinimumThroughput);
        TimeSpan(options, "SamplingDuration", spec.SamplingDurationMs);
        TimeSpan(options, "BreakDuration", spec.BreakDurationMs);
        Int(options, "HalfOpenMaxCalls", spec.HalfOpenMaxCalls);
        Int(options, "MaxKeys", spec.MaxKeys);
        TimeSpan(options, "KeyIdleTimeout", spec.KeyIdleTimeoutMs);
        Types(options, "Handle", spec.Handle);
        Policy(options, "TripPolicy", spec.TripPolicy);
        Int(options, "SuccessThreshold", spec.SuccessThreshold);
        TimeSpan(options, "Interval", spec.IntervalMs);
        if (spec.HandleException is { } predicate)
        {
            options.Add("HandleException = " + predicate);
        }

        return options;
    }

    private static List<string> RateLimit(RateLimitSpec spec)
    {
        var options = new List<string>();
        Int(options, "PermitLimit", spec.PermitLimit);
        TimeSpan(options, "Window", spec.WindowMs);
        if (spec.Algorithm is { } algorithm)
        {
            options.Add("Algorithm = global::Resilience.RateLimitAlgorithm." + algorithm);
        }

        Int(options, "SegmentsPerWindow", spec.SegmentsPerWindow);
        Int(options, "QueueLimit", spec.QueueLimit);
        return options;
    }

    private static List<string> Hedge(HedgeSpec spec)
    {
        var options = new List<string>();
        TimeSpan(options, "Delay", spec.DelayMs);
        Int(options, "MaxHedges", spec.MaxHedges);
        if (spec.OnFailure is { } onFailure)
        {
            options.Add("OnFailure = " + (onFailure ? "true" : "false"));
        }

        return options;
    }

    private static List<string> Bulkhead(BulkheadSpec spec)
    {
        var options = new List<string>();
        Int(options, "MaxConcurrency", spec.MaxConcurrency);
        Int(options, "MaxQueue", spec.MaxQueue);
        TimeSpan(options, "MaxWait", spec.MaxWaitMs);
        if (spec.Kind is { } kind)
        {
            options.Add("Kind = global::Resilience.BulkheadKind." + kind);
        }

        return options;
    }

    private static List<string> CacheFallback(CacheFallbackSpec spec)
    {
        var options = new List<string>();
        TimeSpan(options, "Ttl", spec.TtlMs);
        TimeSpan(options, "StaleTtl", spec.StaleTtlMs);
        return options;
    }

    private static void Int(List<string> options, string option, int? value)
    {
        if (value is { } number)
        {
            options.Add($"{option} = {number.ToString(CultureInfo.InvariantCulture)}");
        }
    }

    private static void TimeSpan(List<string> options, string option, int? milliseconds)
    {
        if (milliseconds is { } value)
        {
            options.Add($"{option} = {Milliseconds(value)}");
        }
    }

    private static string Milliseconds(int value)
        => "global::System.TimeSpan.FromMilliseconds(" + value.ToString(CultureInfo.InvariantCulture) + ")";

    private static void Double(List<string> options, string option, double? value)
    {
        if (value is { } number)
        {
            options.Add($"{option} = {CSharpText.Double(number)}");
        }
    }

    private static void Types(List<string> options, string option, EquatableArray<string>? types)
    {
        if (types is not { } list)
        {
            return;
        }

        var elements = new List<string>(list.Count);
        foreach (var type in list)
        {
            elements.Add("typeof(" + type + ")");
        }

        options.Add(elements.Count == 0
            ? $"{option} = global::System.Array.Empty<global::System.Type>()"
            : $"{option} = new global::System.Type[] {{ {string.Join(", ", elements)} }}");
    }

    private static void Policy(List<string> options, string option, string? type)
    {
        if (type is not null)
        {
            options.Add($"{option} = new {type}()");
        }
    }
}
