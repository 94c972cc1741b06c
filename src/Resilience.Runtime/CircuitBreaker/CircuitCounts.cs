namespace Resilience;

/// <summary>
/// What a <see cref="CircuitBreaker"/> has seen: totals over the rolling sampling window and the current streaks.
/// Trip policies decide from these numbers.
/// </summary>
public readonly record struct CircuitCounts
{
    /// <summary>Calls with a recorded outcome in the sampling window.</summary>
    public long Requests { get; init; }

    /// <summary>Successful calls in the sampling window.</summary>
    public long Successes { get; init; }

    /// <summary>Failed calls in the sampling window, timeouts included.</summary>
    public long Failures { get; init; }

    /// <summary>Calls in the sampling window that failed by timing out (a subset of <see cref="Failures"/>).</summary>
    public long Timeouts { get; init; }

    /// <summary>Successes since the last failure.</summary>
    public int ConsecutiveSuccesses { get; init; }

    /// <summary>Failures since the last success.</summary>
    public int ConsecutiveFailures { get; init; }
}
