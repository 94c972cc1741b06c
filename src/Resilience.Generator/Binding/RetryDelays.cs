using System;
using Microsoft.CodeAnalysis;
using Resilience.Generator.Shared;

namespace Resilience.Generator.Binding;

/// <summary>The delays a <c>[Retry]</c> can add up to (RES0009).</summary>
internal static class RetryDelays
{
    /// <summary>
    /// The longest the retry delays can add up to: retry <c>n</c> waits the backoff's delay for <c>n</c>, stretched by
    /// the upper jitter band and capped at <c>MaxDelayMs</c>. <see langword="false"/> when a custom policy decides the
    /// delays or a setting is out of range (RES0005 reports that).
    /// </summary>
    public static bool TryGetWorstCase(AttributeData retry, out double total)
    {
        total = 0;
        var maxRetries = AttributeValues.GetInt(retry, "MaxRetries", RetryDefaults.MaxRetries);
        var delay = AttributeValues.GetInt(retry, "DelayMs", RetryDefaults.DelayMs);
        var maxDelay = AttributeValues.GetInt(retry, "MaxDelayMs", RetryDefaults.MaxDelayMs);
        var multiplier = AttributeValues.GetDouble(retry, "Multiplier", RetryDefaults.Multiplier);
        var jitter = AttributeValues.GetDouble(retry, "Jitter", RetryDefaults.Jitter);
        var backoff = AttributeValues.TryGetNamed(retry, "Backoff", out var constant) && constant.Value is int kind ? kind : (int)RetryDefaults.Backoff;
        if (AttributeValues.GetType(retry, "Policy") is not null
            || maxRetries < 0 || delay < 0 || maxDelay <= 0 || maxDelay < delay
            || !(multiplier >= 1) || !(jitter >= 0 && jitter <= 1) || !Enum.IsDefined(typeof(BackoffType), backoff))
        {
            return false;
        }

        // Closed forms, so that MaxRetries = int.MaxValue costs nothing. Retry k's longest delay is
        // first × growth(k), stretched by the upper jitter band, capped at MaxDelayMs; delays never shrink.
        var first = delay * (1 + jitter);
        if (maxRetries == 0 || first == 0)
        {
            return true;
        }

        var cap = (double)maxDelay;
        if (first >= cap)
        {
            total = cap * maxRetries;
            return true;
        }

        // uncapped = how many retries wait less than the cap.
        double uncapped;
        double uncappedSum;
        if (backoff == (int)BackoffType.Constant || (backoff == (int)BackoffType.Exponential && multiplier == 1))
        {
            uncapped = maxRetries;
            uncappedSum = first * maxRetries;
        }
        else if (backoff == (int)BackoffType.Linear)
        {
            uncapped = Math.Min(maxRetries, Math.Floor(cap / first));
            uncappedSum = first * uncapped * (uncapped + 1) / 2;
        }
        else
        {
            uncapped = Math.Min(maxRetries, Math.Floor(Math.Log(cap / first) / Math.Log(multiplier)) + 1);
            uncappedSum = first * (Math.Pow(multiplier, uncapped) - 1) / (multiplier - 1);
        }

        total = uncappedSum + (cap * (maxRetries - uncapped));
        return true;
    }
}
