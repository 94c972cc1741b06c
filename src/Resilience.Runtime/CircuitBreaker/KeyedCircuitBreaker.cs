using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;

namespace Resilience;

/// <summary>
/// One <see cref="CircuitBreaker"/> per key (per downstream host, per tenant), so one failing key opens only its own
/// circuit. Keys are created on first use and held in a bounded table: at most <see cref="CircuitBreakerOptions.MaxKeys"/>
/// at once, and idle keys are evicted. A <see langword="null"/> key is a key of its own.
/// </summary>
/// <remarks>
/// <para>
/// Every key's breaker has the same settings and name (the keyed breaker's). Acquiring for a key that exists is
/// lock-free on the key table and allocates nothing while its circuit is closed; the first use of a key takes a short
/// lock and allocates its breaker.
/// </para>
/// <para>
/// Eviction: a key counts as idle when it has not been used for <see cref="CircuitBreakerOptions.KeyIdleTimeout"/> AND
/// its breaker is closed with no lease outstanding, so idle eviction never closes an open circuit early nor loses a call
/// in flight. A timer on the <see cref="TimeProvider"/> sweeps idle keys every <c>KeyIdleTimeout / 2</c> (at least
/// 1 second, at most 1 day). When a new key would exceed <see cref="CircuitBreakerOptions.MaxKeys"/>, idle keys are
/// evicted first, then the least recently used ones whatever their state (the hard bound on memory), until about 90 %
/// of <see cref="CircuitBreakerOptions.MaxKeys"/> remain. An evicted key starts afresh, closed, when used again; outcomes
/// of calls still in flight on a key evicted as least recently used are recorded on its old breaker and lost.
/// </para>
/// <para>
/// A custom <see cref="CircuitBreakerOptions.TripPolicy"/> instance is shared by every key's breaker.
/// </para>
/// </remarks>
/// <typeparam name="TKey">The key type.</typeparam>
public sealed class KeyedCircuitBreaker<TKey> : IDisposable, IKeyedCircuitBreaker
    where TKey : notnull
{
    private static readonly TimerCallback SweepTick = static state =>
    {
        if (((WeakReference<KeyedCircuitBreaker<TKey>>)state!).TryGetTarget(out KeyedCircuitBreaker<TKey>? breaker))
        {
            breaker.SweepIdle();
        }
    };

    private readonly ConcurrentDictionary<PartitionKey, Entry> _entries = new(PartitionKeyComparer.Instance);
    private readonly object _gate = new();
    private readonly TimeProvider _timeProvider;

    // Read and written under _gate; replaced when configuration is reloaded.
    private CircuitBreakerOptions _options;
    private int _maxKeys;
    private int _evictionTarget;
    private TimeSpan _idleTimeout;
    private readonly ITimer _sweepTimer;
    private long[]? _evictionTimes;
    private Entry[]? _evictionEntries;
    private int _count;
    private bool _disposed;

    /// <summary>Creates the keyed breaker; no key exists yet.</summary>
    /// <param name="name">The name of every key's breaker, used in exceptions and events.</param>
    /// <param name="options">Settings of every key's breaker, and <see cref="CircuitBreakerOptions.MaxKeys"/> and <see cref="CircuitBreakerOptions.KeyIdleTimeout"/>; validated here and copied.</param>
    /// <param name="timeProvider">The clock; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="name"/> or <paramref name="options"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">A setting in <paramref name="options"/> is invalid (see <see cref="CircuitBreakerOptions.Validate"/>).</exception>
    public KeyedCircuitBreaker(string name, CircuitBreakerOptions options, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Name = name;
        _options = Copy(options);
        _timeProvider = timeProvider ?? TimeProvider.System;
        _maxKeys = _options.MaxKeys;
        _evictionTarget = (int)Math.Min(_maxKeys - 1L, _maxKeys * 9L / 10);
        _idleTimeout = _options.KeyIdleTimeout;

        TimeSpan sweepEvery = SweepPeriod(_idleTimeout);
        bool restoreFlow = false;
        if (!ExecutionContext.IsFlowSuppressed())
        {
            ExecutionContext.SuppressFlow();
            restoreFlow = true;
        }

        try
        {
            _sweepTimer = _timeProvider.CreateTimer(SweepTick, new WeakReference<KeyedCircuitBreaker<TKey>>(this), sweepEvery, sweepEvery);
        }
        finally
        {
            if (restoreFlow)
            {
                ExecutionContext.RestoreFlow();
            }
        }
    }

    /// <summary>The name of every key's breaker.</summary>
    public string Name { get; }

    /// <summary>Keys currently held; never above <see cref="CircuitBreakerOptions.MaxKeys"/>.</summary>
    public int KeyCount => Volatile.Read(ref _count);

    /// <summary>Asks to make a call for <paramref name="key"/>; throws <see cref="BrokenCircuitException"/> when the key's circuit rejects it.</summary>
    /// <param name="key">The key; <see langword="null"/> is a key of its own.</param>
    /// <returns>The lease on which to record the call's outcome exactly once.</returns>
    /// <exception cref="BrokenCircuitException">The key's circuit is open, half-open with every probe slot taken, or isolated.</exception>
    /// <exception cref="ObjectDisposedException">The keyed breaker was disposed.</exception>
    public CircuitBreakerLease Acquire(TKey? key)
    {
        if (TryAcquireCore(key, out CircuitBreakerLease lease, out CircuitBreaker breaker, out CircuitState state, out TimeSpan? retryAfter))
        {
            return lease;
        }

        throw new BrokenCircuitException(breaker.Name, state, retryAfter);
    }

    /// <summary>Asks to make a call for <paramref name="key"/>. Returns <see langword="false"/> when the key's circuit rejects it.</summary>
    /// <param name="key">The key; <see langword="null"/> is a key of its own.</param>
    /// <param name="lease">On success, the lease on which to record the call's outcome exactly once.</param>
    /// <exception cref="ObjectDisposedException">The keyed breaker was disposed.</exception>
    public bool TryAcquire(TKey? key, out CircuitBreakerLease lease) => TryAcquireCore(key, out lease, out _, out _, out _);

    /// <summary>Finds the breaker of an existing key, for inspection (state, counts) or <see cref="CircuitBreaker.Isolate"/>; creates nothing.</summary>
    /// <param name="key">The key; <see langword="null"/> is a key of its own.</param>
    /// <param name="breaker">The key's breaker, when the key is held.</param>
    /// <remarks>Does not count as a use of the key. A breaker found here is no longer the key's once the key is evicted.</remarks>
    public bool TryGet(TKey? key, [NotNullWhen(true)] out CircuitBreaker? breaker)
    {
        if (_entries.TryGetValue(new PartitionKey(key), out Entry? entry))
        {
            breaker = entry.Breaker;
            return true;
        }

        breaker = null;
        return false;
    }

    /// <summary>Stops the idle sweep and forgets every key; afterwards <see cref="Acquire"/> and <see cref="TryAcquire"/> throw <see cref="ObjectDisposedException"/>.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
        }

        _sweepTimer.Dispose();
        lock (_gate)
        {
            foreach (KeyValuePair<PartitionKey, Entry> pair in _entries)
            {
                RemoveLocked(pair.Value);
            }
        }
    }

    /// <inheritdoc />
    void IKeyedCircuitBreaker.Reconfigure(CircuitBreakerOptions options) => Reconfigure(options);

    /// <inheritdoc cref="IKeyedCircuitBreaker.Reconfigure"/>
    internal void Reconfigure(CircuitBreakerOptions options)
    {
        options.Validate();
        CircuitBreakerOptions copy = Copy(options);
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _options = copy;
            if (_maxKeys != copy.MaxKeys)
            {
                _maxKeys = copy.MaxKeys;
                _evictionTarget = (int)Math.Min(_maxKeys - 1L, _maxKeys * 9L / 10);
                _evictionTimes = null;
                _evictionEntries = null;
            }

            if (_idleTimeout != copy.KeyIdleTimeout)
            {
                _idleTimeout = copy.KeyIdleTimeout;
                TimeSpan sweepEvery = SweepPeriod(_idleTimeout);
                _sweepTimer.Change(sweepEvery, sweepEvery);
            }

            foreach (KeyValuePair<PartitionKey, Entry> pair in _entries)
            {
                pair.Value.Breaker.Reconfigure(copy);
            }
        }
    }

    /// <summary>Runs the idle sweep now (the timer runs it every <c>KeyIdleTimeout / 2</c>).</summary>
    internal void SweepIdle()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            long now = _timeProvider.GetTimestamp();
            foreach (KeyValuePair<PartitionKey, Entry> pair in _entries)
            {
                TryEvictIdleLocked(pair.Value, now);
            }
        }
    }

    private static TimeSpan SweepPeriod(TimeSpan idleTimeout)
        => TimeSpan.FromTicks(Math.Clamp(idleTimeout.Ticks / 2, TimeSpan.TicksPerSecond, TimeSpan.TicksPerDay));

    private static CircuitBreakerOptions Copy(CircuitBreakerOptions options) => new()
    {
        FailureThreshold = options.FailureThreshold,
        FailureRatio = options.FailureRatio,
        TimeoutRatio = options.TimeoutRatio,
        MinimumThroughput = options.MinimumThroughput,
        SamplingDuration = options.SamplingDuration,
        BreakDuration = options.BreakDuration,
        HalfOpenMaxCalls = options.HalfOpenMaxCalls,
        Handle = options.Handle is { } handle ? new List<Type>(handle).AsReadOnly() : null,
        TripPolicy = options.TripPolicy,
        MaxKeys = options.MaxKeys,
        KeyIdleTimeout = options.KeyIdleTimeout,
    };

    private bool TryAcquireCore(TKey? key, out CircuitBreakerLease lease, out CircuitBreaker breaker, out CircuitState rejectedIn, out TimeSpan? retryAfter)
    {
        while (true)
        {
            breaker = GetEntry(key).Breaker;
            if (!breaker.TryEnterLease())
            {
                // The key was evicted as idle between lookup and acquire: use its new breaker.
                continue;
            }

            bool granted = false;
            try
            {
                granted = breaker.TryAcquireReporting(out lease, out rejectedIn, out retryAfter);
            }
            finally
            {
                if (!granted)
                {
                    breaker.ExitLease();
                }
            }

            return granted;
        }
    }

    private Entry GetEntry(TKey? key)
    {
        long now = _timeProvider.GetTimestamp();
        if (_entries.TryGetValue(new PartitionKey(key), out Entry? entry))
        {
            if (Volatile.Read(ref entry.LastUse) != now)
            {
                Volatile.Write(ref entry.LastUse, now);
            }

            return entry;
        }

        return AddEntry(new PartitionKey(key), now);
    }

    private Entry AddEntry(PartitionKey key, long now)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_entries.TryGetValue(key, out Entry? existing))
            {
                Volatile.Write(ref existing.LastUse, now);
                return existing;
            }

            if (_count >= _maxKeys)
            {
                EvictLocked(now);
            }

            var entry = new Entry(key, new CircuitBreaker(Name, _options, _timeProvider, countLeases: true), now);
            _entries[key] = entry;
            Volatile.Write(ref _count, _count + 1);
            return entry;
        }
    }

    /// <summary>Evicts idle keys, then least recently used ones, down to ~90 % of MaxKeys. O(n log n), once per ~MaxKeys/10 new keys.</summary>
    private void EvictLocked(long now)
    {
        if (_evictionTimes is null || _evictionTimes.Length < _count)
        {
            // MaxKeys may have shrunk below the keys held (configuration reload): size for all of them.
            _evictionTimes = new long[Math.Max(_maxKeys, _count)];
            _evictionEntries = new Entry[_evictionTimes.Length];
        }

        long[] times = _evictionTimes;
        Entry[] entries = _evictionEntries!;
        int kept = 0;
        foreach (KeyValuePair<PartitionKey, Entry> pair in _entries)
        {
            Entry entry = pair.Value;
            if (!TryEvictIdleLocked(entry, now) && kept < entries.Length)
            {
                times[kept] = Volatile.Read(ref entry.LastUse);
                entries[kept] = entry;
                kept++;
            }
        }

        int excess = _count - _evictionTarget;
        if (excess > 0)
        {
            Array.Sort(times, entries, 0, kept);
            for (int i = 0; i < excess && i < kept; i++)
            {
                RemoveLocked(entries[i]);
            }
        }

        Array.Clear(entries, 0, kept);
    }

    private bool TryEvictIdleLocked(Entry entry, long now)
    {
        if (_timeProvider.GetElapsedTime(Volatile.Read(ref entry.LastUse), now) < _idleTimeout
            || !entry.Breaker.TryRetireIfIdle())
        {
            return false;
        }

        RemoveLocked(entry);
        return true;
    }

    private void RemoveLocked(Entry entry)
    {
        if (_entries.TryRemove(new KeyValuePair<PartitionKey, Entry>(entry.Key, entry)))
        {
            Volatile.Write(ref _count, _count - 1);
        }
    }

    private readonly struct PartitionKey
    {
        public readonly TKey? Value;

        public PartitionKey(TKey? value) => Value = value;
    }

    private sealed class PartitionKeyComparer : IEqualityComparer<PartitionKey>
    {
        public static readonly PartitionKeyComparer Instance = new();

        public bool Equals(PartitionKey x, PartitionKey y) => EqualityComparer<TKey?>.Default.Equals(x.Value, y.Value);

        public int GetHashCode(PartitionKey obj) => obj.Value is null ? 0 : EqualityComparer<TKey>.Default.GetHashCode(obj.Value);
    }

    private sealed class Entry
    {
        public readonly PartitionKey Key;
        public readonly CircuitBreaker Breaker;
        public long LastUse;

        public Entry(PartitionKey key, CircuitBreaker breaker, long lastUse)
        {
            Key = key;
            Breaker = breaker;
            LastUse = lastUse;
        }
    }
}
