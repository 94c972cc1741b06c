namespace Resilience.Samples.Console.Stage;

/// <summary>
/// The log of one fake downstream service. It numbers the attempts made for each request and remembers when they
/// arrived, so that retries and their growing delays are visible in the output and checkable afterwards.
/// </summary>
internal sealed class DownstreamLog(EventLog log, Tally tally, string service)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, List<TimeSpan>> _attempts = new(StringComparer.Ordinal);

    /// <summary>Records an attempt for <paramref name="request"/> and counts it as a retry if it is not the first.</summary>
    /// <param name="request">What identifies one logical request, e.g. the SKU asked for.</param>
    public Attempt Record(string request)
    {
        TimeSpan now = log.Elapsed;
        Attempt attempt;
        lock (_gate)
        {
            if (!_attempts.TryGetValue(request, out List<TimeSpan>? times))
            {
                times = [];
                _attempts.Add(request, times);
            }

            TimeSpan? sincePrevious = times.Count == 0 ? null : now - times[^1];
            times.Add(now);
            attempt = new Attempt(request, times.Count, sincePrevious);
        }

        if (attempt.Number > 1)
        {
            tally.Increment(Counter.Retries);
        }

        return attempt;
    }

    /// <summary>When each attempt for <paramref name="request"/> arrived (time since the program started).</summary>
    public IReadOnlyList<TimeSpan> AttemptTimes(string request)
    {
        lock (_gate)
        {
            return _attempts.TryGetValue(request, out List<TimeSpan>? times) ? [.. times] : [];
        }
    }

    /// <summary>How many attempts <paramref name="request"/> got.</summary>
    public int AttemptCount(string request) => AttemptTimes(request).Count;

    /// <summary>Writes a line under this service's name.</summary>
    public void Write(string message) => log.Downstream(service, message);
}

/// <summary>One attempt that reached a downstream.</summary>
/// <param name="Request">The request it belongs to.</param>
/// <param name="Number">1 for the first attempt, 2 for the first retry, and so on.</param>
/// <param name="SincePrevious">Time since the previous attempt for the same request.</param>
internal readonly record struct Attempt(string Request, int Number, TimeSpan? SincePrevious)
{
    /// <summary>E.g. <c>A-1 attempt 2 (41 ms after attempt 1)</c>.</summary>
    public override string ToString() => SincePrevious is { } gap
        ? $"{Request} attempt {Number} ({gap.TotalMilliseconds:0} ms after attempt {Number - 1})"
        : $"{Request} attempt {Number}";
}
