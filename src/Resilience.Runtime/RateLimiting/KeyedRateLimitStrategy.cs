using System.Collections.Concurrent;
using System.Threading.RateLimiting;

namespace Resilience;

/// <summary>
/// One rate limit per key (per tenant, per user), each as <see cref="RateLimitStrategy"/> describes. Keys unused for
/// <see cref="RateLimitOptions.KeyIdleTimeout"/> are evicted and at most <see cref="RateLimitOptions.MaxKeys"/> are
/// kept, so memory stays bounded however many distinct keys pass. A <see langword="null"/> key is a key of its own.
/// </summary>
/// <remarks>
/// <para>
/// A key's limit is created on its first use. Taking a permit for a key that exists is lock-free on the key table and
/// allocates nothing when a permit is available.
/// </para>
/// <para>
/// Eviction: when a new key would exceed <see cref="RateLimitOptions.MaxKeys"/>, idle keys are evicted first, then the
/// least recently used ones, until about 90 % of <see cref="RateLimitOptions.MaxKeys"/> remain, so the cost is amortised
/// over the next 10 % of new keys. A timer on the <see cref="TimeProvider"/> also sweeps idle keys every
/// <c>KeyIdleTimeout / 2</c> (at least 1 second, at most 1 day). A key counts as idle when it has not been used for
/// <see cref="RateLimitOptions.KeyIdleTimeout"/> and its limit is fully replenished with nobody queued, so idle eviction
/// never hands a key a fresh budget early. An evicted key starts afresh when used again; callers still queued on a key
/// evicted as least recently used move to its new limit.
/// </para>
/// </remarks>
/// <typeparam name="TKey">The key type.</typeparam>
public sealed class KeyedRateLimitStrategy<TKey> : IDisposable
    where TKey : notnull
{
    private static readonly TimerCallback SweepTick = static state =>
    {
        if (((WeakReference<KeyedRateLimitStrategy<TKey>>)state!).TryGetTarget(out KeyedRateLimitStrategy<TKey>? strategy))
        {
            strategy.SweepIdle();
        }
    };

    private readonly ConcurrentDictionary<PartitionKey, Entry> _entries = new(PartitionKeyComparer.Instance);
    private readonly object _gate = new();
    private readonly RateLimitOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly bool _canQueue;
    private readonly int _maxKeys;
    private readonly int _evictionTarget;
    private readonly TimeSpan _idleTimeout;
    private readonly ITimer _sweepTimer;
    private long[]? _evictionTimes;
    private Entry[]? _evictionEntries;
    private int _count;
    private bool _disposed;

    /// <summary>Creates the limit.</summary>
    /// <param name="name">The limit's name, used in <see cref="RateLimitRejectedException"/>.</param>
    /// <param name="options">Settings; validated here.</param>
    /// <param name="timeProvider">The clock; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    public KeyedRateLimitStrategy(string name, RateLimitOptions options, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Name = name;
        _options = options.Clone();
        _timeProvider = timeProvider ?? TimeProvider.System;
        _canQueue = _options.QueueLimit > 0;
        _maxKeys = _options.MaxKeys;
        _evictionTarget = (int)Math.Min(_maxKeys - 1L, _maxKeys * 9L / 10);
        _idleTimeout = _options.KeyIdleTimeout;

        TimeSpan sweepEvery = TimeSpan.FromTicks(Math.Clamp(_idleTimeout.Ticks / 2, TimeSpan.TicksPerSecond, TimeSpan.TicksPerDay));
        bool restoreFlow = false;
        if (!ExecutionContext.IsFlowSuppressed())
        {
            ExecutionContext.SuppressFlow();
            restoreFlow = true;
        }

        try
        {
            _sweepTimer = _timeProvider.CreateTimer(SweepTick, new WeakReference<KeyedRateLimitStrategy<TKey>>(this), sweepEvery, sweepEvery);
        }
        finally
        {
            if (restoreFlow)
            {
                ExecutionContext.RestoreFlow();
            }
        }
    }

    /// <summary>The limit's name.</summary>
    public string Name { get; }

    /// <summary>Keys currently held.</summary>
    public int KeyCount => Volatile.Read(ref _count);

    /// <summary>Where rejections, timeouts and transitions are reported; set by the registry that created the instance.</summary>
    internal ResilienceTelemetry? Telemetry { get; set; }

    /// <summary>Takes a permit for <paramref name="key"/> if one is available now; never waits.</summary>
    /// <param name="key">The partition key.</param>
    /// <exception cref="ObjectDisposedException">The strategy was disposed.</exception>
    public bool TryAcquire(TKey? key)
    {
        while (true)
        {
            RateLimitLease lease = GetEntry(key).Limiter.TryAcquireInternal(1);
            if (ReferenceEquals(lease, TimeProviderRateLimiter.SuccessLease))
            {
                return true;
            }

            if (!ReferenceEquals(lease, TimeProviderRateLimiter.DisposedLease))
            {
                lease.Dispose();
                return false;
            }

            // The key was evicted between lookup and acquire: use its new limit.
        }
    }

    /// <summary>Takes a permit for <paramref name="key"/>, waiting in its queue if there is room; throws <see cref="RateLimitRejectedException"/> otherwise.</summary>
    /// <param name="key">The partition key.</param>
    /// <param name="cancellationToken">Ends the wait.</param>
    /// <returns>A task that completes when the permit is taken; it is already complete, and nothing was allocated, when one was available for an existing key.</returns>
    /// <exception cref="RateLimitRejectedException">No permit for the key, and its queue was full (or <see cref="RateLimitOptions.QueueLimit"/> is 0).</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled while waiting.</exception>
    public ValueTask AcquireAsync(TKey? key, CancellationToken cancellationToken)
    {
        while (true)
        {
            TimeProviderRateLimiter limiter = GetEntry(key).Limiter;
            ValueTask<RateLimitLease> pending = _canQueue
                ? limiter.AcquireInternalAsync(1, cancellationToken)
                : new ValueTask<RateLimitLease>(limiter.TryAcquireInternal(1));

            if (!pending.IsCompletedSuccessfully)
            {
                return AwaitLeaseAsync(key, pending, cancellationToken);
            }

            RateLimitLease lease = pending.Result;
            if (ReferenceEquals(lease, TimeProviderRateLimiter.SuccessLease))
            {
                return default;
            }

            if (!ReferenceEquals(lease, TimeProviderRateLimiter.DisposedLease))
            {
                return ValueTask.FromException(RateLimitStrategy.CreateRejection(Name, lease, Telemetry));
            }
        }
    }

    /// <summary>Takes a permit for <paramref name="key"/>, blocking in its queue if there is room; for synchronous methods.</summary>
    /// <param name="key">The partition key.</param>
    /// <param name="cancellationToken">Ends the wait.</param>
    /// <exception cref="RateLimitRejectedException">No permit for the key, and its queue was full (or <see cref="RateLimitOptions.QueueLimit"/> is 0).</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled while waiting.</exception>
    public void Acquire(TKey? key, CancellationToken cancellationToken)
    {
        while (true)
        {
            TimeProviderRateLimiter limiter = GetEntry(key).Limiter;
            RateLimitLease lease = limiter.TryAcquireInternal(1);
            if (_canQueue && !ReferenceEquals(lease, TimeProviderRateLimiter.SuccessLease) && !ReferenceEquals(lease, TimeProviderRateLimiter.DisposedLease))
            {
                lease.Dispose();
                ValueTask<RateLimitLease> pending = limiter.AcquireInternalAsync(1, cancellationToken);
                lease = pending.IsCompleted ? pending.Result : pending.AsTask().GetAwaiter().GetResult();
            }

            if (ReferenceEquals(lease, TimeProviderRateLimiter.SuccessLease))
            {
                return;
            }

            if (!ReferenceEquals(lease, TimeProviderRateLimiter.DisposedLease))
            {
                throw RateLimitStrategy.CreateRejection(Name, lease, Telemetry);
            }
        }
    }

    /// <summary>Stops the idle sweep and releases every key's limit; callers still queued fail with <see cref="ObjectDisposedException"/>.</summary>
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
                if (IsIdle(pair.Value, now))
                {
                    RemoveLocked(pair.Value);
                }
            }
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

            var entry = new Entry(key, new TimeProviderRateLimiter(_options, _timeProvider), now);
            _entries[key] = entry;
            Volatile.Write(ref _count, _count + 1);
            return entry;
        }
    }

    /// <summary>Evicts idle keys, then least recently used ones, down to ~90 % of MaxKeys. O(n log n), once per ~MaxKeys/10 new keys.</summary>
    private void EvictLocked(long now)
    {
        long[] times = _evictionTimes ??= new long[_maxKeys];
        Entry[] entries = _evictionEntries ??= new Entry[_maxKeys];
        int kept = 0;
        foreach (KeyValuePair<PartitionKey, Entry> pair in _entries)
        {
            Entry entry = pair.Value;
            if (IsIdle(entry, now))
            {
                RemoveLocked(entry);
            }
            else if (kept < entries.Length)
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

    private bool IsIdle(Entry entry, long now) =>
        _timeProvider.GetElapsedTime(Volatile.Read(ref entry.LastUse), now) >= _idleTimeout
        && entry.Limiter.IdleDuration is not null;

    private void RemoveLocked(Entry entry)
    {
        if (_entries.TryRemove(new KeyValuePair<PartitionKey, Entry>(entry.Key, entry)))
        {
            Volatile.Write(ref _count, _count - 1);
            entry.Limiter.Dispose();
        }
    }

    private async ValueTask AwaitLeaseAsync(TKey? key, ValueTask<RateLimitLease> pending, CancellationToken cancellationToken)
    {
        RateLimitLease lease = await pending.ConfigureAwait(false);
        if (ReferenceEquals(lease, TimeProviderRateLimiter.DisposedLease))
        {
            // Evicted while queued: wait on the key's new limit.
            await AcquireAsync(key, cancellationToken).ConfigureAwait(false);
        }
        else if (!ReferenceEquals(lease, TimeProviderRateLimiter.SuccessLease))
        {
            throw RateLimitStrategy.CreateRejection(Name, lease, Telemetry);
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
        public readonly TimeProviderRateLimiter Limiter;
        public long LastUse;

        public Entry(PartitionKey key, TimeProviderRateLimiter limiter, long lastUse)
        {
            Key = key;
            Limiter = limiter;
            LastUse = lastUse;
        }
    }
}
