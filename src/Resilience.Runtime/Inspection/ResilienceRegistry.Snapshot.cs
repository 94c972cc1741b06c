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
        foreach (Registration<object, CircuitBreakerOptions> registration in _instances.OfKind(InstanceRules.CircuitBreaker))
        {
            switch (registration.Instance)
            {
                case CircuitBreaker breaker:
                    CircuitState state = breaker.ReadState(out TimeSpan? retryAfter);
                    breakers.Add(new CircuitBreakerSnapshot(registration.Name, state, retryAfter, breaker.Counts));
                    break;
                case IKeyedCircuitBreaker keyed:
                    int keyCount = keyed.KeyCount;
                    ((IKeyStateCounts)keyed).CopyKeysInStates(keysInStates);
                    keyedBreakers.Add(new KeyedCircuitBreakerSnapshot(
                        registration.Name,
                        keyCount,
                        keysInStates[(int)CircuitState.Closed],
                        keysInStates[(int)CircuitState.Open],
                        keysInStates[(int)CircuitState.HalfOpen],
                        keysInStates[(int)CircuitState.Isolated]));
                    break;
            }
        }

        var bulkheads = new List<BulkheadSnapshot>();
        foreach (Registration<Bulkhead, BulkheadOptions> registration in _instances.OfKind(InstanceRules.Bulkhead))
        {
            Bulkhead bulkhead = registration.Instance;
            bulkheads.Add(new BulkheadSnapshot(registration.Name, bulkhead.MaxConcurrency, bulkhead.MaxQueue, bulkhead.RunningCount, bulkhead.QueuedCount));
        }

        var rateLimits = new List<RateLimitSnapshot>();
        foreach (Registration<IDisposable, RateLimitOptions> registration in _instances.OfKind(InstanceRules.RateLimit))
        {
            rateLimits.Add(registration.Instance is IKeyedRateLimit keyed
                ? new RateLimitSnapshot(registration.Name, IsKeyed: true, keyed.KeyCount)
                : new RateLimitSnapshot(registration.Name, IsKeyed: false, KeyCount: null));
        }

        var timeouts = new List<TimeoutSnapshot>();
        foreach (Registration<TimeoutStrategy, TimeoutSetting> registration in _instances.OfKind(InstanceRules.Timeout))
        {
            timeouts.Add(new TimeoutSnapshot(registration.Name, registration.Instance.Timeout));
        }

        breakers.Sort(static (a, b) => string.CompareOrdinal(a.Name, b.Name));
        keyedBreakers.Sort(static (a, b) => string.CompareOrdinal(a.Name, b.Name));
        bulkheads.Sort(static (a, b) => string.CompareOrdinal(a.Name, b.Name));
        rateLimits.Sort(static (a, b) => string.CompareOrdinal(a.Name, b.Name));
        timeouts.Sort(static (a, b) => string.CompareOrdinal(a.Name, b.Name));
        return new ResilienceRegistrySnapshot(
            breakers, keyedBreakers, bulkheads, rateLimits, timeouts, _instances.SortedNames(InstanceKind.Retry), _instances.SortedNames(InstanceKind.CacheFallback))
        {
            Hedges = _instances.SortedNames(InstanceKind.Hedge),
            RetryBudgets = RetryBudgetSnapshots(),
        };
    }
}
