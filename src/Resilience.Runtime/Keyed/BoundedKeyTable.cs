using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Numerics;

namespace Resilience;

/// <summary>
/// The bounded per-key table behind the keyed strategies: a value per key created on first use (a <see langword="null"/>
/// key is a key of its own), last-use timestamps, eviction of idle keys by a sweep on a <see cref="TimeProvider"/> timer
/// every <c>idleTimeout / 2</c> (at least 1 second, at most 1 day), and a hard bound of <c>maxKeys</c>: when a new key
/// would exceed it, idle keys are evicted first, then keys whose value is at rest (<see cref="IsAtRestLocked"/>: evicting
/// them loses nothing), then the least recently used ones, down to about 90 % of <c>maxKeys</c>.
/// </summary>
/// <remarks>
/// <para>
/// Recency is a use counter, not only a timestamp: every use of a key that is not already the most recent one takes the
/// next number, so the order is exact even when many uses share one timestamp tick (or the clock is frozen).
/// </para>
/// <para>
/// Churn: a value removed while it still held state (<see cref="RetireLocked"/> says for how long it would have
/// mattered) is remembered in a fixed-size table of "state matters until" timestamps indexed by the key's hash (about
/// <c>maxKeys</c> slots, allocated on the first such removal; a slot keeps the latest of the times written to it). A key
/// created while its slot's time is still ahead gets <see cref="StartDrainedLocked"/>, so evicting a key can never hand it
/// a fresh state, whatever other keys do; a new key that merely shares the slot pays the same (a conservative false
/// positive, bounded by the memory).
/// </para>
/// <para>
/// A strategy derives a private class that says how to create a value, when an idle key's value may be retired, and what
/// to do with a removed value. <see cref="GetOrAdd"/> on an existing key is lock-free and allocates nothing; everything
/// else runs under one lock, and so do the derived class's callbacks.
/// </para>
/// </remarks>
/// <typeparam name="TKey">The key type.</typeparam>
/// <typeparam name="TValue">The per-key value (a breaker, a limiter).</typeparam>
/// <typeparam name="TSettings">The settings every key's value is created (and reconfigured) with.</typeparam>
internal abstract class BoundedKeyTable<TKey, TValue, TSettings> : IDisposable
    where TKey : notnull
    where TValue : class
    where TSettings : class
{
    private static readonly TimerCallback SweepTick = static state =>
    {
        if (((WeakReference<BoundedKeyTable<TKey, TValue, TSettings>>)state!).TryGetTarget(out BoundedKeyTable<TKey, TValue, TSettings>? table))
        {
            table.SweepIdle();
        }
    };

    private readonly ConcurrentDictionary<PartitionKey, Entry> _entries = new(PartitionKeyComparer.Instance);
    private readonly object _gate = new();
    private readonly object _owner;
    private readonly TimeProvider _timeProvider;
    private readonly ITimer _sweepTimer;

    // Read and written under _gate.
    private TSettings _settings;
    private int _maxKeys;
    private int _evictionTarget;
    private TimeSpan _idleTimeout;
    private long[]? _evictionTimes;
    private Entry[]? _evictionEntries;
    private long[]? _stateMattersUntil;
    private int _count;
    private bool _disposed;

    // The use counter: written by GetOrAdd without the lock (Interlocked).
    private long _useClock;

    /// <summary>Creates the empty table and starts its idle sweep.</summary>
    /// <param name="owner">The strategy, named in <see cref="ObjectDisposedException"/> once disposed.</param>
    /// <param name="timeProvider">The clock of timestamps and of the sweep timer.</param>
    /// <param name="settings">The settings new values are created with.</param>
    /// <param name="maxKeys">Most keys held at once (validated by the caller, at least 1).</param>
    /// <param name="idleTimeout">How long unused a key must be to count as idle.</param>
    protected BoundedKeyTable(object owner, TimeProvider timeProvider, TSettings settings, int maxKeys, TimeSpan idleTimeout)
    {
        _owner = owner;
        _settings = settings;
        _timeProvider = timeProvider;
        _maxKeys = maxKeys;
        _evictionTarget = EvictionTarget(maxKeys);
        _idleTimeout = idleTimeout;

        TimeSpan sweepEvery = SweepPeriod(idleTimeout);
        bool restoreFlow = false;
        if (!ExecutionContext.IsFlowSuppressed())
        {
            ExecutionContext.SuppressFlow();
            restoreFlow = true;
        }

        try
        {
            _sweepTimer = timeProvider.CreateTimer(SweepTick, new WeakReference<BoundedKeyTable<TKey, TValue, TSettings>>(this), sweepEvery, sweepEvery);
        }
        finally
        {
            if (restoreFlow)
            {
                ExecutionContext.RestoreFlow();
            }
        }
    }

    /// <summary>Keys currently held.</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>The value of <paramref name="key"/>, created when the key is not held; marks the key used now.</summary>
    /// <exception cref="ObjectDisposedException">The table was disposed and the key is not held.</exception>
    public TValue GetOrAdd(TKey? key)
    {
        long now = _timeProvider.GetTimestamp();
        if (_entries.TryGetValue(new PartitionKey(key), out Entry? entry))
        {
            if (Volatile.Read(ref entry.LastUse) != now)
            {
                Volatile.Write(ref entry.LastUse, now);
            }

            if (Volatile.Read(ref entry.UseOrder) != Volatile.Read(ref _useClock))
            {
                Volatile.Write(ref entry.UseOrder, Interlocked.Increment(ref _useClock));
            }

            return entry.Value;
        }

        return AddEntry(new PartitionKey(key), now).Value;
    }

    /// <summary>Finds the value of a held key; creates nothing and does not count as a use.</summary>
    public bool TryGetValue(TKey? key, [NotNullWhen(true)] out TValue? value)
    {
        if (_entries.TryGetValue(new PartitionKey(key), out Entry? entry))
        {
            value = entry.Value;
            return true;
        }

        value = null;
        return false;
    }

    /// <summary>Evicts idle keys now (the timer does it every <c>idleTimeout / 2</c>).</summary>
    public void SweepIdle()
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

    /// <summary>Stops the idle sweep and removes every key; afterwards new keys throw <see cref="ObjectDisposedException"/>.</summary>
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
                RemoveLocked(pair.Value, now: 0, remember: false);
            }
        }
    }

    /// <summary>Creates the value of a new key with the current settings; called under the table's lock.</summary>
    protected abstract TValue CreateValueLocked(TSettings settings);

    /// <summary>Called under the lock for a key unused for the idle timeout: retires its value and returns <see langword="true"/> when it may be evicted.</summary>
    protected abstract bool TryRetireIfIdleLocked(TValue value);

    /// <summary>Called under the lock once a key's value has left the table (idle, least recently used, or disposal).</summary>
    protected abstract void OnRemovedLocked(TValue value);

    /// <summary>
    /// Called under the lock when a key's value leaves the table: releases it (by default <see cref="OnRemovedLocked"/>)
    /// and returns for how long, in the clock's timestamp units, its state would still have mattered (0: nothing is lost
    /// by dropping it). Must decide and release atomically, so that no use slips in between.
    /// </summary>
    protected virtual long RetireLocked(TValue value)
    {
        OnRemovedLocked(value);
        return 0;
    }

    /// <summary>Called under the lock while choosing keys to evict: whether evicting this value loses nothing (it would be recreated the same). Default: never.</summary>
    protected virtual bool IsAtRestLocked(TValue value) => false;

    /// <summary>Called under the lock for a new key whose hash slot says an evicted key's state may still matter (see the remarks). Default: nothing.</summary>
    protected virtual void StartDrainedLocked(TValue value)
    {
    }

    /// <summary>Called under the lock by <see cref="Reconfigure"/> for every held value.</summary>
    /// <exception cref="NotSupportedException">The derived table does not support reconfiguration.</exception>
    protected virtual void ReconfigureValueLocked(TValue value, TSettings settings) => throw new NotSupportedException();

    /// <summary>
    /// Under the lock, unless disposed: new values get <paramref name="settings"/>, the bounds change (restarting the
    /// sweep timer when the idle timeout changed), and every held value is reconfigured with <paramref name="settings"/>.
    /// </summary>
    public void Reconfigure(TSettings settings, int maxKeys, TimeSpan idleTimeout)
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _settings = settings;
            if (_maxKeys != maxKeys)
            {
                _maxKeys = maxKeys;
                _evictionTarget = EvictionTarget(maxKeys);
                _evictionTimes = null;
                _evictionEntries = null;
            }

            if (_idleTimeout != idleTimeout)
            {
                _idleTimeout = idleTimeout;
                TimeSpan sweepEvery = SweepPeriod(idleTimeout);
                _sweepTimer.Change(sweepEvery, sweepEvery);
            }

            foreach (KeyValuePair<PartitionKey, Entry> pair in _entries)
            {
                ReconfigureValueLocked(pair.Value.Value, settings);
            }
        }
    }

    private static int EvictionTarget(int maxKeys) => (int)Math.Min(maxKeys - 1L, maxKeys * 9L / 10);

    private static TimeSpan SweepPeriod(TimeSpan idleTimeout)
        => TimeSpan.FromTicks(Math.Clamp(idleTimeout.Ticks / 2, TimeSpan.TicksPerSecond, TimeSpan.TicksPerDay));

    private Entry AddEntry(PartitionKey key, long now)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, _owner);
            if (_entries.TryGetValue(key, out Entry? existing))
            {
                Volatile.Write(ref existing.LastUse, now);
                Volatile.Write(ref existing.UseOrder, Interlocked.Increment(ref _useClock));
                return existing;
            }

            if (_count >= _maxKeys)
            {
                EvictLocked(now);
            }

            TValue value = CreateValueLocked(_settings);
            if (_stateMattersUntil is { } remembered && remembered[Slot(key, remembered.Length)] - now > 0)
            {
                StartDrainedLocked(value);
            }

            var entry = new Entry(key, value, now, Interlocked.Increment(ref _useClock));
            _entries[key] = entry;
            Volatile.Write(ref _count, _count + 1);
            return entry;
        }
    }

    /// <summary>Evicts idle keys, then keys at rest, then least recently used ones, down to ~90 % of MaxKeys. O(n log n), once per ~MaxKeys/10 new keys.</summary>
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
                // Keys at rest sort before all others (evicting them is free), each group by use.
                long order = Volatile.Read(ref entry.UseOrder);
                times[kept] = IsAtRestLocked(entry.Value) ? order : order | (1L << 62);
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
                RemoveLocked(entries[i], now, remember: true);
            }
        }

        Array.Clear(entries, 0, kept);
    }

    private bool TryEvictIdleLocked(Entry entry, long now)
    {
        if (_timeProvider.GetElapsedTime(Volatile.Read(ref entry.LastUse), now) < _idleTimeout
            || !TryRetireIfIdleLocked(entry.Value))
        {
            return false;
        }

        RemoveLocked(entry, now, remember: true);
        return true;
    }

    private static int Slot(PartitionKey key, int length)
    {
        // Fibonacci hashing of the key's hash code onto a power-of-two table.
        ulong mixed = unchecked((ulong)(uint)PartitionKeyComparer.Instance.GetHashCode(key) * 0x9E3779B97F4A7C15UL);
        return (int)(mixed >> (64 - BitOperations.Log2((uint)length)));
    }

    private void RemoveLocked(Entry entry, long now, bool remember)
    {
        if (_entries.TryRemove(new KeyValuePair<PartitionKey, Entry>(entry.Key, entry)))
        {
            Volatile.Write(ref _count, _count - 1);
            long pending = RetireLocked(entry.Value);
            if (remember && pending > 0)
            {
                _stateMattersUntil ??= new long[Math.Max(16, (int)BitOperations.RoundUpToPowerOf2((uint)_maxKeys))];
                int slot = Slot(entry.Key, _stateMattersUntil.Length);
                long until = now + Math.Min(pending, long.MaxValue / 4);
                if (until - _stateMattersUntil[slot] > 0 || _stateMattersUntil[slot] == 0)
                {
                    _stateMattersUntil[slot] = until;
                }
            }
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
        public readonly TValue Value;
        public long LastUse;
        public long UseOrder;

        public Entry(PartitionKey key, TValue value, long lastUse, long useOrder)
        {
            Key = key;
            Value = value;
            LastUse = lastUse;
            UseOrder = useOrder;
        }
    }
}
