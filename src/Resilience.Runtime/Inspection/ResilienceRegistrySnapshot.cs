namespace Resilience;

/// <summary>
/// What a <see cref="ResilienceRegistry"/> holds at one moment: every named instance and its current state, from
/// <see cref="ResilienceRegistry.GetSnapshot"/>. Each list is sorted by name (ordinal).
/// </summary>
/// <remarks>
/// Instances are read one after another, so the snapshot is not atomic across instances; each instance's own values
/// are read together. Taking a snapshot changes nothing: no state transition, no event, no use of a key.
/// </remarks>
public sealed class ResilienceRegistrySnapshot
{
    internal ResilienceRegistrySnapshot(
        IReadOnlyList<CircuitBreakerSnapshot> circuitBreakers,
        IReadOnlyList<KeyedCircuitBreakerSnapshot> keyedCircuitBreakers,
        IReadOnlyList<BulkheadSnapshot> bulkheads,
        IReadOnlyList<RateLimitSnapshot> rateLimits,
        IReadOnlyList<TimeoutSnapshot> timeouts,
        IReadOnlyList<string> retries,
        IReadOnlyList<string> cacheFallbacks)
    {
        CircuitBreakers = circuitBreakers;
        KeyedCircuitBreakers = keyedCircuitBreakers;
        Bulkheads = bulkheads;
        RateLimits = rateLimits;
        Timeouts = timeouts;
        Retries = retries;
        CacheFallbacks = cacheFallbacks;
    }

    /// <summary>The circuit breakers without a key.</summary>
    public IReadOnlyList<CircuitBreakerSnapshot> CircuitBreakers { get; }

    /// <summary>The keyed circuit breakers (one circuit per key).</summary>
    public IReadOnlyList<KeyedCircuitBreakerSnapshot> KeyedCircuitBreakers { get; }

    /// <summary>The bulkheads.</summary>
    public IReadOnlyList<BulkheadSnapshot> Bulkheads { get; }

    /// <summary>The rate limits, keyed and not.</summary>
    public IReadOnlyList<RateLimitSnapshot> RateLimits { get; }

    /// <summary>The timeouts.</summary>
    public IReadOnlyList<TimeoutSnapshot> Timeouts { get; }

    /// <summary>The names of the retry strategies (they hold no state between calls).</summary>
    public IReadOnlyList<string> Retries { get; }

    /// <summary>The names of the cache fallbacks.</summary>
    public IReadOnlyList<string> CacheFallbacks { get; }

    /// <summary>The names of the hedges, ordinal order.</summary>
    public IReadOnlyList<string> Hedges { get; internal init; } = [];

    /// <summary>The retry budgets with the calls and retries of their current window, by name in ordinal order.</summary>
    public IReadOnlyList<RetryBudgetSnapshot> RetryBudgets { get; internal init; } = [];
}

/// <summary>One circuit breaker's state in a <see cref="ResilienceRegistrySnapshot"/>.</summary>
/// <param name="Name">The breaker's name.</param>
/// <param name="State">
/// The state as <see cref="CircuitBreaker.State"/> reports it: an open circuit whose break has passed reports
/// <see cref="CircuitState.HalfOpen"/> (the next call is admitted as a probe).
/// </param>
/// <param name="RetryAfter">When <see cref="State"/> is <see cref="CircuitState.Open"/>, the rest of the break (the time until a probe is admitted); otherwise <see langword="null"/>.</param>
/// <param name="Counts">The breaker's counts (<see cref="CircuitBreaker.Counts"/>).</param>
public sealed record CircuitBreakerSnapshot(string Name, CircuitState State, TimeSpan? RetryAfter, CircuitCounts Counts);

/// <summary>One keyed circuit breaker in a <see cref="ResilienceRegistrySnapshot"/>: how many of its keys are in each state.</summary>
/// <param name="Name">The keyed breaker's name.</param>
/// <param name="KeyCount">Keys held (<see cref="KeyedCircuitBreaker{TKey}.KeyCount"/>).</param>
/// <param name="KeysClosed">Keys whose circuit is closed.</param>
/// <param name="KeysOpen">Keys whose circuit is open; a key whose break has passed counts as open until its next call.</param>
/// <param name="KeysHalfOpen">Keys whose circuit is half-open.</param>
/// <param name="KeysIsolated">Keys whose circuit was isolated by hand.</param>
/// <remarks>The per-state counts are read together; <paramref name="KeyCount"/> is read just before them.</remarks>
public sealed record KeyedCircuitBreakerSnapshot(string Name, int KeyCount, long KeysClosed, long KeysOpen, long KeysHalfOpen, long KeysIsolated);

/// <summary>One bulkhead in a <see cref="ResilienceRegistrySnapshot"/>.</summary>
/// <param name="Name">The bulkhead's name.</param>
/// <param name="MaxConcurrency">Its concurrency limit now (configuration included).</param>
/// <param name="MaxQueue">Its queue limit now (configuration included).</param>
/// <param name="Running">Calls holding a slot.</param>
/// <param name="Queued">Calls waiting for a slot.</param>
public sealed record BulkheadSnapshot(string Name, int MaxConcurrency, int MaxQueue, int Running, int Queued);

/// <summary>One rate limit in a <see cref="ResilienceRegistrySnapshot"/>.</summary>
/// <param name="Name">The rate limit's name.</param>
/// <param name="IsKeyed">Whether it keeps one limit per key.</param>
/// <param name="KeyCount">Keyed limits: keys held now; <see langword="null"/> for a limit without a key.</param>
public sealed record RateLimitSnapshot(string Name, bool IsKeyed, int? KeyCount);

/// <summary>One timeout in a <see cref="ResilienceRegistrySnapshot"/>.</summary>
/// <param name="Name">The timeout's name.</param>
/// <param name="Timeout">Its limit now (configuration included).</param>
public sealed record TimeoutSnapshot(string Name, TimeSpan Timeout);

/// <summary>A retry budget at the time of the snapshot.</summary>
/// <param name="Name">The budget's name.</param>
/// <param name="Ratio">Retries allowed per call of the window.</param>
/// <param name="Calls">Calls counted in the current window.</param>
/// <param name="Retries">Retries made in the current window.</param>
public sealed record RetryBudgetSnapshot(string Name, double Ratio, long Calls, long Retries);
