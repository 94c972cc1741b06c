using System.Collections.Concurrent;

namespace Resilience;

/// <content>Inspection: a read-only view of every instance and its state.</content>
public sealed partial class ResilienceRegistry
{
    /// <summary>
    /// Every instance this registry holds and its current state (breakers' states and rest of the break, keys per state
    /// of keyed breakers, bulkhead occupancy, keys held by keyed rate limits, timeouts' limits), each list sorted by name.
    /// </summary>
    /// <remarks>
    /// Read-only: it makes no state transition (an open circuit whose break has passed is reported half-open but stays
    /// open until a call arrives, as <see cref="CircuitBreaker.State"/>), raises no event, creates nothing and does not
    /// count as a use of any key. Safe to call at any time from any thread, also after <see cref="Dispose"/>.
    /// Allocates the snapshot; meant for health checks and diagnostic endpoints, not for the call path.
    /// </remarks>
    public ResilienceRegistrySnapshot GetSnapshot()
    {
        var breakers = new List<CircuitBreakerSnapshot>();
        var keyedBreakers = new List<KeyedCircuitBreakerSnapshot>();
        Span<long> keysInStates = stackalloc long[4];
        foreach (KeyValuePair<string, Registration<object, CircuitBreakerOptions>> pair in _breakers)
        {
            switch (pair.Value.Instance)
            {
                case CircuitBreaker breaker:
                    CircuitState state = breaker.ReadState(out TimeSpan? retryAfter);
                    breakers.Add(new CircuitBreakerSnapshot(pair.Key, state, retryAfter, breaker.Counts));
                    break;
                case IKeyedCircuitBreaker keyed:
                    int keyCount = keyed.KeyCount;
                    ((IKeyStateCounts)keyed).CopyKeysInStates(keysInStates);
                    keyedBreakers.Add(new KeyedCircuitBreakerSnapshot(
                        pair.Key,
                        keyCount,
                        keysInStates[(int)CircuitState.Closed],
                        keysInStates[(int)CircuitState.Open],
                        keysInStates[(int)CircuitState.HalfOpen],
                        keysInStates[(int)CircuitState.Isolated]));
                    break;
            }
        }

        var bulkheads = new List<BulkheadSnapshot>(_bulkheads.Count);
        foreach (KeyValuePair<string, Registration<Bulkhead, BulkheadOptions>> pair in _bulkheads)
        {
            Bulkhead bulkhead = pair.Value.Instance;
            bulkheads.Add(new BulkheadSnapshot(pair.Key, bulkhead.MaxConcurrency, bulkhead.MaxQueue, bulkhead.RunningCount, bulkhead.QueuedCount));
        }

        var rateLimits = new List<RateLimitSnapshot>(_rateLimits.Count);
        foreach (KeyValuePair<string, Registration<IDisposable, RateLimitOptions>> pair in _rateLimits)
        {
            rateLimits.Add(pair.Value.Instance is IKeyedRateLimit keyed
                ? new RateLimitSnapshot(pair.Key, IsKeyed: true, keyed.KeyCount)
                : new RateLimitSnapshot(pair.Key, IsKeyed: false, KeyCount: null));
        }

        var timeouts = new List<TimeoutSnapshot>(_timeouts.Count);
        foreach (KeyValuePair<string, Registration<TimeoutStrategy, TimeoutSetting>> pair in _timeouts)
        {
            timeouts.Add(new TimeoutSnapshot(pair.Key, pair.Value.Instance.Timeout));
        }

        breakers.Sort(static (a, b) => string.CompareOrdinal(a.Name, b.Name));
        keyedBreakers.Sort(static (a, b) => string.CompareOrdinal(a.Name, b.Name));
        bulkheads.Sort(static (a, b) => string.CompareOrdinal(a.Name, b.Name));
        rateLimits.Sort(static (a, b) => string.CompareOrdinal(a.Name, b.Name));
        timeouts.Sort(static (a, b) => string.CompareOrdinal(a.Name, b.Name));
        return new ResilienceRegistrySnapshot(
            breakers, keyedBreakers, bulkheads, rateLimits, timeouts, SortedNames(_retries), SortedNames(_cacheFallbacks))
        {
            Hedges = SortedNames(_hedges),
            RetryBudgets = RetryBudgetSnapshots(),
        };
    }

    private static string[] SortedNames<TInstance, TOptions>(ConcurrentDictionary<string, Registration<TInstance, TOptions>> map)
        where TInstance : class
        where TOptions : class
    {
        var names = new List<string>(map.Count);
        foreach (KeyValuePair<string, Registration<TInstance, TOptions>> pair in map)
        {
            names.Add(pair.Key);
        }

        names.Sort(StringComparer.Ordinal);
        return [.. names];
    }
}
