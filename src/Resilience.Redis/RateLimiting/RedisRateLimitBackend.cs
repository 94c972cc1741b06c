using System.Collections.Concurrent;
using System.Globalization;
using StackExchange.Redis;

namespace Resilience.Redis;

/// <summary>
/// One rate limit counted on Redis by <see cref="RedisRateLimitScripts"/>, fleet-wide. With
/// <see cref="RedisRateLimitOptions.LeasePermits"/> above 1, a round trip asks for that many permits and keeps the
/// ones it does not use at once in a local lease, which later calls take without a round trip.
/// </summary>
/// <remarks>
/// <para>
/// A lease holds at most <c>LeasePermits - 1</c> permits per partition (surplus from concurrent round trips is dropped,
/// never added), and leased permits expire one <see cref="RateLimitOptions.Window"/> after they were granted. A keyed
/// limit keeps leases for at most <see cref="RateLimitOptions.MaxKeys"/> keys. So at any
/// moment a process holds at most <c>LeasePermits - 1</c> permits it has not used, and over any span the fleet admits
/// at most what Redis granted in it plus <c>processes × (LeasePermits - 1)</c> per partition.
/// </para>
/// <para>
/// When Redis is unavailable, slow or failing (see <see cref="RedisAvailability"/>), the answer is
/// <see cref="RateLimitDecision.UseLocal"/>: the rate limit's local limiter decides, per process. Leased permits are
/// still used first.
/// </para>
/// </remarks>
internal sealed class RedisRateLimitBackend : IRateLimitBackend
{
    private const string Strategy = "rate_limit";

    private static readonly Func<IDatabase, (RedisRateLimitBackend Backend, Settings Settings, RedisKey Key), Task<RedisResult>> s_evaluate =
        static (database, state) => database.ScriptEvaluateAsync(state.Settings.Script, [state.Key], state.Settings.Arguments);

    private readonly RedisAvailability _availability;
    private readonly string _name;
    private readonly string _keyPrefix;
    private readonly int _leasePermits;
    private readonly TimeProvider _timeProvider;
    private readonly LeasePool _globalPool = new();
    private readonly ConcurrentDictionary<string, LeasePool> _pools = new(StringComparer.Ordinal);
    private volatile Settings _settings;

    /// <summary>Creates the backend of the rate limit <paramref name="name"/>.</summary>
    /// <param name="availability">Runs the round trips and says whether Redis is usable.</param>
    /// <param name="keyPrefix">The prefix of every key (<see cref="RedisResilienceOptions.KeyPrefix"/>).</param>
    /// <param name="name">The instance name.</param>
    /// <param name="options">The limit's effective settings, validated.</param>
    /// <param name="leasePermits">Permits asked for per round trip; 1 (no lease) to <see cref="RateLimitOptions.PermitLimit"/>.</param>
    /// <param name="timeProvider">The clock of lease expiry.</param>
    public RedisRateLimitBackend(RedisAvailability availability, string keyPrefix, string name, RateLimitOptions options, int leasePermits, TimeProvider timeProvider)
    {
        if (leasePermits < 1 || leasePermits > options.PermitLimit)
        {
            throw new ArgumentOutOfRangeException(
                nameof(leasePermits), leasePermits,
                $"LeasePermits of rate limit '{name}' must be between 1 (no lease) and its PermitLimit ({options.PermitLimit}).");
        }

        _availability = availability;
        _name = name;
        _keyPrefix = keyPrefix + "rl:" + name + ":";
        _leasePermits = leasePermits;
        _timeProvider = timeProvider;
        _settings = new Settings(_keyPrefix, options, leasePermits);
    }

    /// <summary>Whether <paramref name="algorithm"/> has a script here.</summary>
    internal static bool Supports(RateLimitAlgorithm algorithm)
        => algorithm is RateLimitAlgorithm.TokenBucket or RateLimitAlgorithm.SlidingWindow or RateLimitAlgorithm.FixedWindow;

    /// <summary>Why a limit with <paramref name="algorithm"/> cannot run on Redis.</summary>
    internal static string UnsupportedAlgorithm(RateLimitAlgorithm algorithm)
        => $"The {algorithm} algorithm is not counted on Redis (TokenBucket, SlidingWindow and FixedWindow are); "
            + "use one of those, or keep this rate limit Local.";

    /// <summary>Permits asked for per round trip.</summary>
    public int LeasePermits => _leasePermits;

    /// <summary>The permit limit counted now (after reloads).</summary>
    internal int PermitLimit => _settings.PermitLimit;

    /// <summary>Keys of a keyed limit that hold a lease now (expired ones included until swept).</summary>
    internal int LeasedKeys => _pools.Count;

    /// <summary>The Redis key of a partition (<see langword="null"/>: the limit that is not keyed).</summary>
    internal RedisKey KeyOf(string? partition) => partition is null ? _settings.GlobalKey : (RedisKey)(_settings.KeyBase + partition);

    /// <inheritdoc />
    public async ValueTask<RateLimitDecision> AcquireAsync(string? partition, CancellationToken cancellationToken)
    {
        if (_leasePermits > 1 && TakeLeased(partition))
        {
            return RateLimitDecision.Acquired;
        }

        Settings settings = _settings;
        RedisOutcome<RedisResult> outcome = await _availability
            .RunAsync((this, settings, KeyOf(partition)), s_evaluate, _name, Strategy)
            .ConfigureAwait(false);
        return Decide(partition, settings, outcome);
    }

    /// <inheritdoc />
    public RateLimitDecision Acquire(string? partition)
    {
        if (_leasePermits > 1 && TakeLeased(partition))
        {
            return RateLimitDecision.Acquired;
        }

        Settings settings = _settings;
        RedisOutcome<RedisResult> outcome = _availability.Run((this, settings, KeyOf(partition)), s_evaluate, _name, Strategy);
        return Decide(partition, settings, outcome);
    }

    /// <inheritdoc />
    public void Reconfigure(RateLimitOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _settings = new Settings(_keyPrefix, options, Math.Min(_leasePermits, options.PermitLimit));
    }

    /// <summary>Drops the leased permits (they are not returned: Redis counts them as used).</summary>
    public void Dispose()
    {
        _pools.Clear();
        _globalPool.Drop();
    }

    private RateLimitDecision Decide(string? partition, Settings settings, RedisOutcome<RedisResult> outcome)
    {
        if (!outcome.Succeeded)
        {
            return RateLimitDecision.UseLocal;
        }

        var reply = (RedisResult[])outcome.Value!;
        long granted = (long)reply[0];
        if (granted > 0)
        {
            if (granted > 1)
            {
                AddLeased(partition, (int)granted - 1, settings.LeaseLifetime);
            }

            return RateLimitDecision.Acquired;
        }

        long retryMicroseconds = (long)reply[1];
        return RateLimitDecision.Rejected(TimeSpan.FromTicks(Math.Max(0, retryMicroseconds) * 10));
    }

    private bool TakeLeased(string? partition)
    {
        if (partition is null)
        {
            return _globalPool.TryTake(_timeProvider.GetTimestamp());
        }

        if (!_pools.TryGetValue(partition, out LeasePool? pool))
        {
            return false;
        }

        if (pool.TryTake(_timeProvider.GetTimestamp()))
        {
            return true;
        }

        // Drained or expired: forget the key (a round trip that adds to it meanwhile only loses permits, never adds any).
        _pools.TryRemove(new KeyValuePair<string, LeasePool>(partition, pool));
        return false;
    }

    private void AddLeased(string? partition, int permits, TimeSpan lifetime)
    {
        long now = _timeProvider.GetTimestamp();
        long expires = now + (long)(lifetime.TotalSeconds * _timeProvider.TimestampFrequency);
        if (partition is null)
        {
            _globalPool.Add(permits, _leasePermits - 1, expires);
            return;
        }

        if (!_pools.TryGetValue(partition, out LeasePool? pool))
        {
            // At most MaxKeys keys hold a lease: past it, expired and drained ones go, and if none did, this key's
            // surplus is dropped (never more permits, only fewer).
            if (_pools.Count >= _settings.MaxKeys && !SweepPools(now))
            {
                return;
            }

            pool = _pools.GetOrAdd(partition, static _ => new LeasePool());
        }

        pool.Add(permits, _leasePermits - 1, expires);
    }

    private bool SweepPools(long now)
    {
        var removed = false;
        foreach (KeyValuePair<string, LeasePool> pair in _pools)
        {
            if (pair.Value.IsSpent(now))
            {
                removed |= _pools.TryRemove(pair);
            }
        }

        return removed;
    }

    /// <summary>The settings of one configuration: the script of the algorithm, its arguments, the keys.</summary>
    private sealed class Settings
    {
        public Settings(string keyPrefix, RateLimitOptions options, int leasePermits)
        {
            long windowMicroseconds = Math.Max(1, options.Window.Ticks / 10);
            (Script, string tag, int segments) = options.Algorithm switch
            {
                RateLimitAlgorithm.SlidingWindow => (RedisRateLimitScripts.SlidingWindow, "sw" + options.SegmentsPerWindow.ToString(CultureInfo.InvariantCulture), options.SegmentsPerWindow),
                RateLimitAlgorithm.FixedWindow => (RedisRateLimitScripts.FixedWindow, "fw", 1),
                RateLimitAlgorithm.TokenBucket => (RedisRateLimitScripts.TokenBucket, "tb", 1),
                _ => throw new ArgumentException(UnsupportedAlgorithm(options.Algorithm), nameof(options)),
            };

            // The key names the algorithm (and, for the windows, the window and segments its state is numbered in): a reload
            // that changes them starts counting afresh instead of misreading the old state. A new PermitLimit keeps the state.
            KeyBase = options.Algorithm == RateLimitAlgorithm.TokenBucket
                ? keyPrefix + tag + ":"
                : keyPrefix + tag + ":" + windowMicroseconds.ToString(CultureInfo.InvariantCulture) + ":";
            GlobalKey = KeyBase + "*";
            Arguments = [options.PermitLimit, windowMicroseconds, leasePermits, segments];
            LeaseLifetime = options.Window;
            MaxKeys = options.MaxKeys;
            PermitLimit = options.PermitLimit;
        }

        public int PermitLimit { get; }

        public int MaxKeys { get; }

        public string Script { get; }

        public string KeyBase { get; }

        public RedisKey GlobalKey { get; }

        public RedisValue[] Arguments { get; }

        public TimeSpan LeaseLifetime { get; }
    }

    /// <summary>Permits granted by Redis and not used yet, with when they expire.</summary>
    private sealed class LeasePool
    {
        private readonly object _lock = new();
        private int _remaining;
        private long _expires;

        public bool TryTake(long now)
        {
            lock (_lock)
            {
                if (_remaining > 0 && now < _expires)
                {
                    _remaining--;
                    return true;
                }

                _remaining = 0;
                return false;
            }
        }

        public void Add(int permits, int capacity, long expires)
        {
            lock (_lock)
            {
                // Only the newest grant is kept when the pool still holds some (concurrent round trips): never more than
                // capacity unused permits, so the slack stays LeasePermits - 1 per process.
                _remaining = Math.Min(capacity, permits);
                _expires = expires;
            }
        }

        public bool IsSpent(long now)
        {
            lock (_lock)
            {
                return _remaining == 0 || now >= _expires;
            }
        }

        public void Drop()
        {
            lock (_lock)
            {
                _remaining = 0;
            }
        }
    }
}
