namespace Resilience;

/// <summary>
/// The default <see cref="ICacheFallbackStore"/>: a thread-safe in-process dictionary holding at most
/// <see cref="MaxEntries"/> entries; entries past their stale time are dropped, then the least recently used.
/// </summary>
/// <remarks>
/// <para>
/// <see cref="TryGet"/> drops an entry past its <see cref="CacheFallbackEntry.StaleUntil"/> when it meets it. When a new
/// key arrives and the store is full, it first sweeps out every entry past its stale time (at most once per
/// <see cref="MaxEntries"/>/10 insertions, so the sweep costs O(1) per insertion amortised) and, if it is still full,
/// evicts the least recently used entry (read or written) in O(1).
/// </para>
/// <para>Replacing the entry of an existing key allocates nothing; every operation takes one short lock.</para>
/// </remarks>
public sealed class InMemoryCacheFallbackStore : ICacheFallbackStore
{
    private readonly Dictionary<string, Node> _map;
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
        _map = new Dictionary<string, Node>(Math.Min(maxEntries, 1024), StringComparer.Ordinal);
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
        DateTimeOffset now = _timeProvider.GetUtcNow();
        lock (_sync)
        {
            if (_map.TryGetValue(key, out Node? node))
            {
                if (now < node.Entry.StaleUntil)
                {
                    MoveToHead(node);
                    entry = node.Entry;
                    return true;
                }

                Remove(node);
            }
        }

        entry = default;
        return false;
    }

    /// <inheritdoc />
    public void Set(string key, CacheFallbackEntry entry)
    {
        ArgumentNullException.ThrowIfNull(key);
        DateTimeOffset now = _timeProvider.GetUtcNow();
        bool expired = now >= entry.StaleUntil;
        lock (_sync)
        {
            if (_map.TryGetValue(key, out Node? node))
            {
                if (expired)
                {
                    Remove(node);
                    return;
                }

                node.Entry = entry;
                MoveToHead(node);
                return;
            }

            if (expired)
            {
                return;
            }

            if (_map.Count >= _maxEntries)
            {
                MakeRoom(now);
            }

            node = new Node(key, entry);
            _map.Add(key, node);
            AddToHead(node);
            _insertsSinceSweep++;
        }
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
                if (now >= node.Entry.StaleUntil)
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

    private sealed class Node(string key, CacheFallbackEntry entry)
    {
        public readonly string Key = key;
        public CacheFallbackEntry Entry = entry;
        public Node? Previous;
        public Node? Next;
    }
}
