namespace Resilience.Samples.Console.Stage;

/// <summary>
/// The log of one fake downstream service. It numbers the attempts made for each request and measures how long the
/// caller waited between the end of one attempt and the start of the next, so that retries and their growing delays
/// are visible in the output and checkable afterwards.
/// </summary>
internal sealed class DownstreamLog(EventLog log, Tally tally, string service)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, RequestHistory> _requests = new(StringComparer.Ordinal);

    /// <summary>Records the start of an attempt for <paramref name="request"/>; counts it as a retry if it is not the first.</summary>
    /// <param name="request">What identifies one logical request, e.g. the SKU asked for.</param>
    public Attempt Begin(string request)
    {
        TimeSpan now = log.Elapsed;
        Attempt attempt;
        lock (_gate)
        {
            if (!_requests.TryGetValue(request, out RequestHistory? history))
            {
                history = new RequestHistory();
                _requests.Add(request, history);
            }

            history.Attempts++;
            TimeSpan? waited = history.LastEnd is { } lastEnd ? now - lastEnd : null;
            if (waited is { } wait)
            {
                history.Waits.Add(wait);
            }

            attempt = new Attempt(request, history.Attempts, waited);
        }

        if (attempt.Number > 1)
        {
            tally.Increment(Counter.Retries);
        }

        return attempt;
    }

    /// <summary>Records the end of <paramref name="attempt"/> and logs its outcome.</summary>
    public void End(Attempt attempt, string outcome)
    {
        lock (_gate)
        {
            _requests[attempt.Request].LastEnd = log.Elapsed;
        }

        Write($"{attempt}: {outcome}");
    }

    /// <summary>How many attempts <paramref name="request"/> got.</summary>
    public int AttemptCount(string request)
    {
        lock (_gate)
        {
            return _requests.TryGetValue(request, out RequestHistory? history) ? history.Attempts : 0;
        }
    }

    /// <summary>For each retry of <paramref name="request"/>, the time between the end of the previous attempt and its start.</summary>
    public IReadOnlyList<TimeSpan> Waits(string request)
    {
        lock (_gate)
        {
            return _requests.TryGetValue(request, out RequestHistory? history) ? [.. history.Waits] : [];
        }
    }

    /// <summary>Writes a line under this service's name.</summary>
    public void Write(string message) => log.Downstream(service, message);

    private sealed class RequestHistory
    {
        public int Attempts { get; set; }

        public TimeSpan? LastEnd { get; set; }

        public List<TimeSpan> Waits { get; } = [];
    }
}

/// <summary>One attempt that reached a downstream.</summary>
/// <param name="Request">The request it belongs to.</param>
/// <param name="Number">1 for the first attempt, 2 for the first retry, and so on.</param>
/// <param name="Waited">Time between the end of the previous attempt for the same request and the start of this one.</param>
internal readonly record struct Attempt(string Request, int Number, TimeSpan? Waited)
{
    /// <summary>E.g. <c>A-1 attempt 2, 41 ms after attempt 1</c>.</summary>
    public override string ToString() => Waited is { } wait
        ? $"{Request} attempt {Number}, {wait.TotalMilliseconds:0} ms after attempt {Number - 1}"
        : $"{Request} attempt {Number}";
}
