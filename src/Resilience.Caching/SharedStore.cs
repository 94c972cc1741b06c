using System.Diagnostics.Metrics;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.Logging;

namespace Resilience.Caching;

/// <summary>
/// The two tiers of a shared store: results as objects in an <see cref="InMemoryCacheFallbackStore"/> in front, and as
/// bytes in a shared cache behind it (<see cref="ISharedTier"/>).
/// </summary>
/// <remarks>
/// <para>
/// A fresh lookup is answered by the in-memory tier when it holds a fresh result (no allocation, no round trip), and
/// otherwise by the shared cache. A stale lookup (a failed call) reads the shared cache first and answers with the
/// newer of its entry and the in-memory one. A result read from the shared cache is kept in memory.
/// </para>
/// <para>
/// A stored result goes to memory at once, and to the shared cache in the background (the call does not wait),
/// at most once per <see cref="SharedCacheFallbackStoreOptions.MinimumWriteInterval"/> per key.
/// </para>
/// <para>
/// A read blocks the call at most <see cref="SharedCacheFallbackStoreOptions.OperationTimeout"/>. A read or write that
/// fails or times out marks the shared cache unavailable (logged once, counted): calls then use only the in-memory tier,
/// without waiting, and every <see cref="SharedCacheFallbackStoreOptions.RetryInterval"/> one background read checks
/// whether it is back. The first read, which makes the connection, also runs in the background, when the store is
/// created: until it answers the store uses the in-memory tier alone, so no call waits for a connect.
/// </para>
/// </remarks>
internal sealed partial class SharedStore : IDisposable
{
    /// <summary>The meter of the shared stores: "Resilience.Caching".</summary>
    public const string MeterName = "Resilience.Caching";

    /// <summary><see cref="State"/>: the shared cache is used.</summary>
    public const int Available = 0;

    /// <summary><see cref="State"/>: the shared cache failed; calls use the in-memory tier until a background read answers.</summary>
    public const int Unavailable = 1;

    /// <summary><see cref="State"/>: the first background read (which makes the connection) has not answered yet.</summary>
    public const int Connecting = 2;

    private const string ProbeKey = "probe";

    private static readonly string? s_version = typeof(SharedStore).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;

    private readonly ISharedTier _tier;
    private readonly InMemoryCacheFallbackStore _local;
    private readonly TimeProvider _timeProvider;
    private readonly JsonSerializerOptions _json;
    private readonly string _prefix;
    private readonly TimeSpan _timeout;
    private readonly TimeSpan _retryInterval;
    private readonly TimeSpan _probeTimeout;
    private readonly TimeSpan _writeInterval;
    private readonly ILogger? _logger;
    private readonly Meter _meter;
    private readonly bool _ownsMeter;
    private readonly Counter<long> _fallbacks;
    private readonly Counter<long> _transitions;
    private readonly KeyValuePair<string, object?> _kindTag;
    private int _state = Connecting;
    private long _retryAtTicks;
    private int _probing;
    private readonly object _transitionGate = new();

    public SharedStore(
        ISharedTier tier, SharedCacheFallbackStoreOptions options, TimeProvider? timeProvider, ILoggerFactory? loggerFactory, IMeterFactory? meterFactory)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _tier = tier;
        _timeProvider = timeProvider ?? TimeProvider.System;
        _local = new InMemoryCacheFallbackStore(options.LocalMaxEntries, _timeProvider);
        _json = options.TypeInfoResolver is JsonSerializerContext context
            ? context.Options
            : new JsonSerializerOptions { TypeInfoResolver = options.TypeInfoResolver };
        _json.MakeReadOnly();
        _prefix = options.KeyPrefix;
        _timeout = options.OperationTimeout;
        _retryInterval = options.RetryInterval;
        _probeTimeout = options.RetryInterval > options.OperationTimeout ? options.RetryInterval : options.OperationTimeout;
        _writeInterval = options.MinimumWriteInterval;
        _logger = loggerFactory?.CreateLogger(MeterName);
        if (meterFactory is not null)
        {
            _meter = meterFactory.Create(new MeterOptions(MeterName) { Version = s_version });
        }
        else
        {
            _meter = new Meter(MeterName, s_version);
            _ownsMeter = true;
        }

        _kindTag = new KeyValuePair<string, object?>("resilience.cache.shared_store", tier.Kind);
        _fallbacks = _meter.CreateCounter<long>(
            "resilience.cache.shared_store.fallbacks", "{operation}",
            "Reads and writes of a shared cache fallback store served by its in-memory tier alone because the shared cache was unavailable, failed or timed out.");
        _transitions = _meter.CreateCounter<long>(
            "resilience.cache.shared_store.transitions", "{transition}", "Changes of a shared cache's availability: to available or to unavailable.");

        // The first read makes the connection, in the background: no call waits for a connect.
        _probing = 1;
        _ = ProbeAsync();
    }

    /// <summary><see cref="Available"/>, <see cref="Unavailable"/> or <see cref="Connecting"/>.</summary>
    public int State => Volatile.Read(ref _state);

    /// <summary>Whether the shared cache is used now.</summary>
    public bool IsAvailable => Volatile.Read(ref _state) == Available;

    /// <summary>The in-memory tier alone (the object-based interface, which has no result type to deserialize with).</summary>
    public bool TryGetLocal(in CacheKey key, out CacheFallbackEntry entry) => TryGetMemory(key, out entry);

    public bool TryGet<T>(in CacheKey key, CacheFallbackLookup lookup, out CacheFallbackEntry entry)
    {
        bool inMemory = TryGetMemory(key, out CacheFallbackEntry memory);
        if (lookup == CacheFallbackLookup.Fresh && inMemory && _timeProvider.GetUtcNow() < memory.FreshUntil)
        {
            entry = memory;
            return true;
        }

        JsonTypeInfo<T> typeInfo = TypeInfo<T>();
        if (TryRead(key, typeInfo, out CacheFallbackEntry shared) && (!inMemory || shared.StoredAt > memory.StoredAt))
        {
            _local.Set(key, new CacheFallbackEntry(new Remembered(shared.Value, shared.StoredAt), shared.StoredAt, shared.FreshUntil, shared.StaleUntil));
            entry = shared;
            return true;
        }

        entry = memory;
        return inMemory;
    }

    public void SetLocal(in CacheKey key, CacheFallbackEntry entry)
        => _local.Set(key, new CacheFallbackEntry(new Remembered(entry.Value, DateTimeOffset.MaxValue), entry.StoredAt, entry.FreshUntil, entry.StaleUntil));

    public void Set<T>(in CacheKey key, CacheFallbackEntry entry)
    {
        JsonTypeInfo<T> typeInfo = TypeInfo<T>();
        DateTimeOffset writtenAt = entry.StoredAt;
        bool write = true;
        if (_local.TryGet(key, out CacheFallbackEntry previous)
            && previous.Value is Remembered remembered
            && remembered.SharedAt != DateTimeOffset.MaxValue
            && entry.StoredAt >= remembered.SharedAt
            && entry.StoredAt - remembered.SharedAt < _writeInterval)
        {
            writtenAt = remembered.SharedAt;
            write = false;
        }

        TimeSpan timeToLive = entry.StaleUntil - _timeProvider.GetUtcNow();
        write &= timeToLive > TimeSpan.Zero;
        if (write && !IsUsable())
        {
            _fallbacks.Add(1, _kindTag);
            write = false;
            writtenAt = DateTimeOffset.MaxValue;
        }

        _local.Set(key, new CacheFallbackEntry(new Remembered(entry.Value, writtenAt), entry.StoredAt, entry.FreshUntil, entry.StaleUntil));
        if (write)
        {
            byte[] bytes = EntrySerializer.Serialize(entry, typeInfo);
            Task task;
            try
            {
                // The key's text is made here, only for the shared cache.
                task = _tier.SetAsync(_prefix + key.ToString(), bytes, timeToLive);
            }
            catch (Exception e)
            {
                task = Task.FromException(e);
            }

            if (!task.IsCompletedSuccessfully)
            {
                _ = ObserveWriteAsync(task);
            }
        }
    }

    public void Dispose()
    {
        if (_ownsMeter)
        {
            _meter.Dispose();
        }
    }

    private bool TryGetMemory(in CacheKey key, out CacheFallbackEntry entry)
    {
        if (_local.TryGet(key, out CacheFallbackEntry stored) && stored.Value is Remembered remembered)
        {
            entry = new CacheFallbackEntry(remembered.Value, stored.StoredAt, stored.FreshUntil, stored.StaleUntil);
            return true;
        }

        entry = default;
        return false;
    }

    private bool TryRead<T>(in CacheKey key, JsonTypeInfo<T> typeInfo, out CacheFallbackEntry entry)
    {
        entry = default;
        if (!IsUsable())
        {
            _fallbacks.Add(1, _kindTag);
            return false;
        }

        byte[]? bytes;
        try
        {
            Task<byte[]?> task = _tier.GetAsync(_prefix + key.ToString());
            if (!task.IsCompleted && !task.Wait(_timeout))
            {
                _ = task.ContinueWith(static t => _ = t.Exception, TaskScheduler.Default);
                MarkUnavailable(new TimeoutException($"The shared cache did not answer within {_timeout.TotalMilliseconds} ms."));
                _fallbacks.Add(1, _kindTag);
                return false;
            }

            bytes = task.GetAwaiter().GetResult();
        }
        catch (Exception e)
        {
            MarkUnavailable(e is AggregateException { InnerException: { } inner } ? inner : e);
            _fallbacks.Add(1, _kindTag);
            return false;
        }

        return bytes is not null && EntrySerializer.TryDeserialize(bytes, typeInfo, out entry) && _timeProvider.GetUtcNow() < entry.StaleUntil;
    }

    private JsonTypeInfo<T> TypeInfo<T>()
    {
        if (_json.TryGetTypeInfo(typeof(T), out JsonTypeInfo? info) && info is JsonTypeInfo<T> typed)
        {
            return typed;
        }

        throw new InvalidOperationException(
            $"The shared cache fallback store has no System.Text.Json metadata for {typeof(T).FullName}, the result type of a [CacheFallback] method. "
            + $"Add [JsonSerializable(typeof({typeof(T).Name}))] to the JsonSerializerContext set as SharedCacheFallbackStoreOptions.TypeInfoResolver "
            + "(AddResilienceDistributedCacheStore / AddResilienceHybridCacheStore).");
    }

    /// <summary>True when the shared cache may be used now; otherwise starts a background check if one is due.</summary>
    private bool IsUsable()
    {
        int state = Volatile.Read(ref _state);
        if (state == Available)
        {
            return true;
        }

        if (state == Unavailable
            && _timeProvider.GetUtcNow().UtcTicks >= Volatile.Read(ref _retryAtTicks) && Interlocked.CompareExchange(ref _probing, 1, 0) == 0)
        {
            _ = ProbeAsync();
        }

        return false;
    }

    private async Task ProbeAsync()
    {
        Exception? error = null;
        try
        {
            await Task.Yield();

            // No call waits for this read (it may be the first connect): it gets the longer of the two settings.
            await _tier.GetAsync(_prefix + ProbeKey).WaitAsync(_probeTimeout).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            error = e;
        }

        // Done before the state changes, so that a call that sees the new state can start the next check.
        Volatile.Write(ref _probing, 0);
        if (error is not null)
        {
            MarkUnavailable(error);
        }
        else
        {
            // A change of state and its report happen together (under the gate, only on these rare transitions), so that
            // the reports come in the order of the changes: the last one logged is the store's state.
            lock (_transitionGate)
            {
                if (Interlocked.Exchange(ref _state, Available) == Unavailable)
                {
                    _transitions.Add(1, _kindTag, new KeyValuePair<string, object?>("resilience.cache.shared_store.state", "available"));
                    if (_logger is not null)
                    {
                        LogAvailable(_logger, _tier.Kind);
                    }
                }
            }
        }
    }

    private async Task ObserveWriteAsync(Task write)
    {
        try
        {
            await write.WaitAsync(_timeout).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            _ = write.ContinueWith(static t => _ = t.Exception, TaskScheduler.Default);
            MarkUnavailable(e);
        }
    }

    private void MarkUnavailable(Exception error)
    {
        Volatile.Write(ref _retryAtTicks, (_timeProvider.GetUtcNow() + _retryInterval).UtcTicks);
        if (Volatile.Read(ref _state) == Unavailable)
        {
            return;
        }

        lock (_transitionGate)
        {
            if (Interlocked.Exchange(ref _state, Unavailable) != Unavailable)
            {
                _transitions.Add(1, _kindTag, new KeyValuePair<string, object?>("resilience.cache.shared_store.state", "unavailable"));
                if (_logger is not null)
                {
                    LogUnavailable(_logger, error, _tier.Kind, _retryInterval.TotalMilliseconds);
                }
            }
        }
    }

    [LoggerMessage(EventId = 110, EventName = "SharedCacheUnavailable", Level = LogLevel.Warning, Message =
        "The shared cache ({Kind}) failed or did not answer: cache fallbacks use only their in-memory tier; checking again every {RetryIntervalMs} ms")]
    private static partial void LogUnavailable(ILogger logger, Exception error, string kind, double retryIntervalMs);

    [LoggerMessage(EventId = 111, EventName = "SharedCacheAvailable", Level = LogLevel.Information, Message = "The shared cache ({Kind}) answers again: cache fallbacks share results again")]
    private static partial void LogAvailable(ILogger logger, string kind);

    /// <summary>A result in the in-memory tier, and when this process last wrote its key to the shared cache (MaxValue: not written).</summary>
    private sealed class Remembered(object? value, DateTimeOffset sharedAt)
    {
        public object? Value { get; } = value;

        public DateTimeOffset SharedAt { get; } = sharedAt;
    }
}
