namespace Resilience;

/// <summary>
/// The default <see cref="ICacheFallbackStore"/>: a thread-safe in-process dictionary holding at most
/// <see cref="MaxEntries"/> entries; entries past their stale time are dropped, then the least recently used.
/// </summary>
/// <remarks>
/// <para>
/// A lookup drops an entry past its <see cref="CacheFallbackEntry.StaleUntil"/> when it meets it. When a new
/// key arrives and the store is full, it first sweeps out every entry past its stale time (at most once per
/// <see cref="MaxEntries"/>/10 insertions, so the sweep costs O(1) per insertion amortised) and, if it is still full,
/// evicts the least recently used entry (read or written) in O(1).
/// </para>
/// <para>
/// Entries are keyed by <see cref="CacheKey"/>: a string key is the key with that text (<see cref="CacheKey.FromText"/>),
/// so a string key and a key made from arguments with the same text find the same entry. Every operation takes one
/// short lock. A lookup allocates nothing. Storing a result under a key already present replaces the entry's value
/// and times in place, under the lock, and allocates nothing when the result's type is the one stored there before
/// (<see cref="CacheFallbackStrategy"/> stores results by their type, so a value-type result is not boxed); storing
/// under a new key allocates its entry (one object holding the key, the value and the times) and may grow the
/// dictionary.
/// </para>
/// <para>
/// Why not <c>IMemoryCache</c> (Microsoft.Extensions.Caching.Memory's <c>MemoryCache</c>): it would add that package
/// to the core's dependencies, and it cannot keep this store's promises. Its keys and values are <see cref="object"/>s,
/// so every lookup would box the <see cref="CacheKey"/> and every store box a value-type result, and every
/// <c>Set</c> allocates a new cache entry object, so neither a hit nor a repeated store could be allocation-free. Its
/// bound is a <c>SizeLimit</c> over sizes each entry must declare, and a store that would exceed it is not kept while a
/// compaction runs in the background, so the newest result (the one a failure should fall back to) can be the one
/// missing; this store drops the least recently used entry, at once, and keeps the new one.
/// </para>
/// </remarks>
public sealed class InMemoryCacheFallbackStore : ICacheFallbackStore
{
    private readonly Dictionary<CacheKey, Node> _map;
    private readonly TimeProvider _timeProvider;
    private readonly int _maxEntries;
    private readonly int _sweepInterval;
    private readonly object _sync = new();

    // A doubly linked list through the nodes: most recently used at the head, eviction candidates at the tail.
    private Node? _head;
    private Node? _tail;
    private int _insertsSinceSweep;

    /// <summary>Creates the store.</summary>
    /// <param name="maxEntries">The most entries kept; at least 1. Default 10 000.</param>
    /// <param name="timeProvider">The clock used to drop expired entries; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    public InMemoryCacheFallbackStore(int maxEntries = 10_000, TimeProvider? timeProvider = null)
    {
        if (maxEntries < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(maxEntries), maxEntries, $"maxEntries must be at least 1; got {maxEntries}.");
        }

        _maxEntries = maxEntries;
        _sweepInterval = Math.Max(1, maxEntries / 10);
        _insertsSinceSweep = _sweepInterval; // the first time the store is full, sweep at once
        _timeProvider = timeProvider ?? TimeProvider.System;
        _map = new Dictionary<CacheKey, Node>(Math.Min(maxEntries, 1024));
    }

    /// <summary>The most entries kept.</summary>
    public int MaxEntries => _maxEntries;

    /// <summary>Entries held now, including expired ones not yet dropped.</summary>
    public int Count
    {
        get
        {
            lock (_sync)
            {
                return _map.Count;
            }
        }
    }

    /// <inheritdoc />
    public bool TryGet(string key, out CacheFallbackEntry entry)
    {
        ArgumentNullException.ThrowIfNull(key);
        return TryGet(CacheKey.FromText(key), out entry);
    }

    /// <summary>Looks up <paramref name="key"/>.</summary>
    /// <param name="key">The cache key.</param>
    /// <param name="entry">The entry, when found (a value-type result is boxed for it).</param>
    /// <returns><see langword="true"/> when an entry was found (fresh or stale).</returns>
    public bool TryGet(in CacheKey key, out CacheFallbackEntry entry)
    {
        DateTimeOffset now = _timeProvider.GetUtcNow();
        lock (_sync)
        {
            if (Find(key, now) is { } node)
            {
                entry = new CacheFallbackEntry(node.BoxedValue, node.StoredAt, node.FreshUntil, node.StaleUntil);
                return true;
            }
        }

        entry = default;
        return false;
    }

    /// <inheritdoc />
    public void Set(string key, CacheFallbackEntry entry)
    {
        ArgumentNullException.ThrowIfNull(key);
        Set(CacheKey.FromText(key), entry);
    }

    /// <summary>Stores or replaces the entry for <paramref name="key"/>.</summary>
    /// <param name="key">The cache key.</param>
    /// <param name="entry">The entry.</param>
    public void Set(in CacheKey key, CacheFallbackEntry entry) => Set(key, entry.Value, entry);

    /// <summary>
    /// Looks up <paramref name="key"/> for a result of type <typeparamref name="T"/>: true when an entry is found (fresh or
    /// stale) and its value is a <typeparamref name="T"/> (a stored <see langword="null"/> counts when
    /// <typeparamref name="T"/> admits null). <paramref name="times"/> carries the entry's times (its value is not set).
    /// </summary>
    internal bool TryGet<T>(in CacheKey key, out T value, out CacheFallbackEntry times)
    {
        DateTimeOffset now = _timeProvider.GetUtcNow();
        lock (_sync)
        {
            if (Find(key, now) is { } node)
            {
                times = new CacheFallbackEntry(null, node.StoredAt, node.FreshUntil, node.StaleUntil);
                if (node is Node<T> typed)
                {
                    value = typed.Value;
                    return true;
                }

                return TryCast(node.BoxedValue, out value);
            }
        }

        value = default!;
        times = default;
        return false;
    }

    /// <summary>Stores <paramref name="value"/> with the times of <paramref name="times"/> (whose value is ignored).</summary>
    internal void Set<T>(in CacheKey key, T value, in CacheFallbackEntry times)
    {
        DateTimeOffset now = _timeProvider.GetUtcNow();
        bool expired = now >= times.StaleUntil;
        lock (_sync)
        {
            if (_map.TryGetValue(key, out Node? node))
            {
                if (expired)
                {
                    Remove(node);
                    return;
                }

                if (node is Node<T> typed)
                {
                    // In place: readers take the same lock, so none sees a value with another entry's times.
                    typed.Value = value;
                    typed.SetTimes(times);
                    MoveToHead(typed);
                    return;
                }

                Remove(node);
            }
            else if (expired)
            {
                return;
            }

            if (_map.Count >= _maxEntries)
            {
                MakeRoom(now);
            }

            node = new Node<T>(key, value, times);
            _map.Add(key, node);
            AddToHead(node);
            _insertsSinceSweep++;
        }
    }

    /// <summary>A stored value as a <typeparamref name="T"/>: a stored null answers callers whose T admits null.</summary>
    internal static bool TryCast<T>(object? stored, out T value)
    {
        if (stored is T typed)
        {
            value = typed;
            return true;
        }

        value = default!;
        return stored is null && default(T) is null;
    }

    /// <summary>The live node of <paramref name="key"/>, moved to the head; an expired one is dropped. Under the lock.</summary>
    private Node? Find(in CacheKey key, DateTimeOffset now)
    {
        if (_map.TryGetValue(key, out Node? node))
        {
            if (now < node.StaleUntil)
            {
                MoveToHead(node);
                return node;
            }

            Remove(node);
        }

        return null;
    }

    private void MakeRoom(DateTimeOffset now)
    {
        if (_insertsSinceSweep >= _sweepInterval)
        {
            _insertsSinceSweep = 0;
            Node? node = _tail;
            while (node is not null)
            {
                Node? previous = node.Previous;
                if (now >= node.StaleUntil)
                {
                    Remove(node);
                }

                node = previous;
            }
        }

        while (_map.Count >= _maxEntries && _tail is not null)
        {
            Remove(_tail);
        }
    }

    private void Remove(Node node)
    {
        _map.Remove(node.Key);
        Unlink(node);
    }

    private void MoveToHead(Node node)
    {
        if (ReferenceEquals(node, _head))
        {
            return;
        }

        Unlink(node);
        AddToHead(node);
    }

    private void AddToHead(Node node)
    {
        node.Previous = null;
        node.Next = _head;
        if (_head is not null)
        {
            _head.Previous = node;
        }

        _head = node;
        _tail ??= node;
    }

    private void Unlink(Node node)
    {
        if (node.Previous is not null)
        {
            node.Previous.Next = node.Next;
        }
        else
        {
            _head = node.Next;
        }

        if (node.Next is not null)
        {
            node.Next.Previous = node.Previous;
        }
        else
        {
            _tail = node.Previous;
        }

        node.Previous = null;
        node.Next = null;
    }

    /// <summary>An entry: its key, times and place in the recency list; <see cref="Node{T}"/> holds the value.</summary>
    private abstract class Node(CacheKey key, in CacheFallbackEntry times)
    {
        public readonly CacheKey Key = key;
        public DateTimeOffset StoredAt = times.StoredAt;
        public DateTimeOffset FreshUntil = times.FreshUntil;
        public DateTimeOffset StaleUntil = times.StaleUntil;
        public Node? Previous;
        public Node? Next;

        public abstract object? BoxedValue { get; }

        public void SetTimes(in CacheFallbackEntry times)
        {
            StoredAt = times.StoredAt;
            FreshUntil = times.FreshUntil;
            StaleUntil = times.StaleUntil;
        }
    }

    /// <summary>An entry whose value is kept as a <typeparamref name="T"/>, so that storing a value type does not box it.</summary>
    private sealed class Node<T>(CacheKey key, T value, in CacheFallbackEntry times) : Node(key, times)
    {
        public T Value = value;

        public override object? BoxedValue => Value;
    }
}
