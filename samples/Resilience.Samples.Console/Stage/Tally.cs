namespace Resilience.Samples.Console.Stage;

/// <summary>What the sample counts while it runs; printed as the summary table at the end.</summary>
internal enum Counter
{
    /// <summary>Calls made through a generated proxy.</summary>
    Calls,

    /// <summary>Calls that came back with a value (from the downstream, a fallback or the cache).</summary>
    Answered,

    /// <summary>Attempts a downstream saw beyond the first one for the same request.</summary>
    Retries,

    /// <summary>Calls rejected with <see cref="BrokenCircuitException"/>.</summary>
    CircuitOpenRejections,

    /// <summary>Calls rejected with <see cref="RateLimitRejectedException"/>.</summary>
    RateLimitRejections,

    /// <summary>Calls rejected with <see cref="BulkheadRejectedException"/>.</summary>
    BulkheadRejections,

    /// <summary>Answers given by a <c>[Fallback]</c> method.</summary>
    Fallbacks,

    /// <summary>Failed calls answered with a stale cached result by <c>[CacheFallback]</c>.</summary>
    StaleAnswers,

    /// <summary>Calls that ended with <see cref="ResilienceTimeoutException"/>.</summary>
    Timeouts,

    /// <summary>Calls that ended with any other exception (e.g. retries exhausted).</summary>
    OtherFailures,
}

/// <summary>Thread-safe counters, one per <see cref="Counter"/>.</summary>
internal sealed class Tally
{
    private readonly int[] _counts = new int[Enum.GetValues<Counter>().Length];

    /// <summary>The current value of <paramref name="counter"/>.</summary>
    public int this[Counter counter] => Volatile.Read(ref _counts[(int)counter]);

    /// <summary>Adds one to <paramref name="counter"/>.</summary>
    public void Increment(Counter counter) => Interlocked.Increment(ref _counts[(int)counter]);

    /// <summary>Prints every counter as a two-column table.</summary>
    public void Print(EventLog log)
    {
        log.Plain(string.Empty);
        log.Plain("Summary (counted by this sample while it ran)", ConsoleColor.Cyan);
        log.Plain(new string('-', 46), ConsoleColor.Cyan);
        foreach (Counter counter in Enum.GetValues<Counter>())
        {
            log.Plain($"{Label(counter),-40}{this[counter],6}");
        }

        log.Plain(new string('-', 46), ConsoleColor.Cyan);
    }

    private static string Label(Counter counter) => counter switch
    {
        Counter.Calls => "calls through generated proxies",
        Counter.Answered => "answered (downstream, fallback or cache)",
        Counter.Retries => "retries",
        Counter.CircuitOpenRejections => "rejected: circuit open",
        Counter.RateLimitRejections => "rejected: rate limit",
        Counter.BulkheadRejections => "rejected: bulkhead full",
        Counter.Fallbacks => "fallback answers",
        Counter.StaleAnswers => "stale cache answers",
        Counter.Timeouts => "timeouts",
        Counter.OtherFailures => "other failures",
        _ => counter.ToString(),
    };
}
