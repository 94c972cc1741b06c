using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;

namespace Resilience;

/// <summary>
/// The bounded per-key table behind the keyed strategies: a value per key created on first use (a <see langword="null"/>
/// key is a key of its own), last-use timestamps, eviction of idle keys by a sweep on a <see cref="TimeProvider"/> timer
/// every <c>idleTimeout / 2</c> (at least 1 second, at most 1 day), and a hard bound of <c>maxKeys</c>: when a new key
/// would exceed it, idle keys are evicted first, then the least recently used ones, down to about 90 % of <c>maxKeys</c>.
/// </summary>
/// <remarks>
/// A strategy derives a private class that says how to create a value, when an idle key's value may be retired, and what
/// to do with a removed value. <see cref="GetOrAdd"/> on an existing key is lock-free and allocates nothing; everything
/// else runs under one lock, and so do the derived class's callbacks.
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
    private int _count;
    private bool _disposed;

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
                RemoveLocked(pair.Value);
            }
        }
    }

    /// <summary>Creates the value of a new key with the current settings; called under the table's lock.</summary>
    protected abstract TValue CreateValueLocked(TSettings settings);

    /// <summary>Called under the lock for a key unused for the idle timeout: retires its value and returns <see langword="true"/> when it may be evicted.</summary>
    protected abstract bool TryRetireIfIdleLocked(TValue value);

    /// <summary>Called under the lock once a key's value has left the table (idle, least recently used, or disposal).</summary>
    protected abstract void OnRemovedLocked(TValue value);

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
                return existing;
            }

            if (_count >= _maxKeys)
            {
                EvictLocked(now);
            }

            var entry = new Entry(key, CreateValueLocked(_settings), now);
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
            || !TryRetireIfIdleLocked(entry.Value))
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
            OnRemovedLocked(entry.Value);
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

        public Entry(PartitionKey key, TValue value, long lastUse)
        {
            Key = key;
            Value = value;
            LastUse = lastUse;
        }
    }
}
