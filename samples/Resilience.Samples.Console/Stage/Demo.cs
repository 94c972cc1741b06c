namespace Resilience.Samples.Console.Stage;

/// <summary>
/// What every scene shares: the event log, the counters, the registry that owns the strategy instances, and the
/// self-checks that make the sample a smoke test (any failed check makes the program exit with 1).
/// </summary>
internal sealed class Demo(EventLog log, Tally tally, ResilienceRegistry registry)
{
    private int _checks;
    private int _failedChecks;

    /// <summary>The event log.</summary>
    public EventLog Log { get; } = log;

    /// <summary>The counters behind the summary table.</summary>
    public Tally Tally { get; } = tally;

    /// <summary>
    /// The registry every proxy of this sample is built with. It owns the named breakers, limits and caches (the same
    /// name gives the same instance) and their clock.
    /// </summary>
    public ResilienceRegistry Registry { get; } = registry;

    /// <summary>How many checks ran.</summary>
    public int Checks => Volatile.Read(ref _checks);

    /// <summary>How many checks failed.</summary>
    public int FailedChecks => Volatile.Read(ref _failedChecks);

    /// <summary>Creates the log of one fake downstream service.</summary>
    public DownstreamLog Downstream(string service) => new(Log, Tally, service);

    /// <summary>
    /// Makes one call through a proxy the way application code would, logs and counts what came back, and returns
    /// it (exceptions are caught and returned, so that a scene can check them).
    /// </summary>
    /// <param name="description">How the call reads in the log, e.g. <c>GetStockAsync("A-1")</c>.</param>
    /// <param name="call">The call.</param>
    public async Task<CallResult<T>> CallAsync<T>(string description, Func<Task<T>> call)
    {
        Tally.Increment(Counter.Calls);
        Log.Caller($"-> {description}");
        try
        {
            T value = await call();
            Tally.Increment(Counter.Answered);
            Log.Answered($"<- {description} = {value}");
            return new CallResult<T>(value, null);
        }
        // Every rejection derives from ResilienceRejectedException; catch that one to treat them alike.
        // RetryAfter, when known, says when trying again makes sense.
        catch (BrokenCircuitException ex)
        {
            Tally.Increment(Counter.CircuitOpenRejections);
            Log.Failed($"<- {description} rejected: circuit open{RetryAfter(ex)}; the downstream was not called");
            return new CallResult<T>(default, ex);
        }
        catch (RateLimitRejectedException ex)
        {
            Tally.Increment(Counter.RateLimitRejections);
            Log.Failed($"<- {description} rejected: rate limit{RetryAfter(ex)}");
            return new CallResult<T>(default, ex);
        }
        catch (BulkheadRejectedException ex)
        {
            Tally.Increment(Counter.BulkheadRejections);
            Log.Failed($"<- {description} rejected: bulkhead full");
            return new CallResult<T>(default, ex);
        }
        // [Timeout] expiry. (A TimeoutException, so code that already handles timeouts keeps working.)
        catch (ResilienceTimeoutException ex)
        {
            Tally.Increment(Counter.Timeouts);
            Log.Failed($"<- {description} timed out after {ex.Timeout.TotalMilliseconds:0} ms");
            return new CallResult<T>(default, ex);
        }
        // Anything else is the downstream's own failure, passed on once the strategies gave up.
        catch (Exception ex)
        {
            Tally.Increment(Counter.OtherFailures);
            Log.Failed($"<- {description} failed: {ex.GetType().Name}: {ex.Message}");
            return new CallResult<T>(default, ex);
        }
    }

    /// <summary>Waits, saying why.</summary>
    public async Task PauseAsync(int milliseconds, string why)
    {
        Log.Caller($"waits {milliseconds} ms ({why})");
        await Task.Delay(milliseconds);
    }

    /// <summary>Checks something the scene just demonstrated; a failed check makes the program exit with 1.</summary>
    /// <param name="condition">Whether it happened.</param>
    /// <param name="expectation">What should have happened, as a sentence.</param>
    public void Expect(bool condition, string expectation)
    {
        Interlocked.Increment(ref _checks);
        if (!condition)
        {
            Interlocked.Increment(ref _failedChecks);
        }

        Log.Check(condition, expectation);
    }

    private static string RetryAfter(ResilienceRejectedException ex) =>
        ex.RetryAfter is { } after ? $" (retry after {after.TotalMilliseconds:0} ms)" : string.Empty;
}
