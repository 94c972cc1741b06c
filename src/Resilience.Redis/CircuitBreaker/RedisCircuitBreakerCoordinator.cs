using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Resilience.Redis;

/// <summary>
/// Shares one breaker's state (or the circuits of a keyed breaker's shared keys) on Redis.
/// </summary>
/// <remarks>
/// <para>
/// When a circuit here opens by itself (trip policy, failed probe), one script sets the circuit's state key with an
/// expiry of the break duration (only if no other process did), clears its probe counter and publishes the opening
/// on the breaker's channel; every other process subscribed to the channel opens its circuit with reason
/// <see cref="CircuitTransitionReason.Remote"/> for the rest of that break. When a probe here succeeds, the state and
/// probe keys are deleted and the closing is published: the others close. Successes and failures of a closed circuit
/// never reach Redis.
/// </para>
/// <para>
/// A half-open circuit asks Redis before each probe: the probe script refuses while the state key exists (another
/// process opened again; the circuit opens here for the rest of it) and otherwise counts the probe; more than
/// <see cref="CircuitBreaker.HalfOpenMaxCalls"/> probes in one half-open period (the counter expires after a break
/// duration, in case a probe never reports back) are refused, and the circuit opens here until the counter expires or
/// the probe's outcome arrives.
/// </para>
/// <para>
/// While Redis is unavailable (see <see cref="RedisAvailability"/>) nothing is sent and every probe is admitted by the
/// local breaker alone. When Redis is back, the channel is subscribed again and each circuit reads its state key, so an
/// opening missed meanwhile is applied.
/// </para>
/// </remarks>
internal sealed partial class RedisCircuitBreakerCoordinator : CircuitBreakerCoordinator, IDisposable
{
    internal const string Strategy = "circuit_breaker";

    // KEYS: state, probes. ARGV: break ms, channel, instance id, key part. Returns -1 when this call opened it, else the state key's PTTL.
    private const string TripScript = """
        if redis.call('SET', KEYS[1], ARGV[3], 'PX', ARGV[1], 'NX') then
          redis.call('DEL', KEYS[2])
          redis.call('PUBLISH', ARGV[2], 'o|' .. ARGV[1] .. '|' .. ARGV[3] .. '|' .. ARGV[4])
          return -1
        end
        return redis.call('PTTL', KEYS[1])
        """;

    // KEYS: state, probes. ARGV: channel, instance id, key part.
    private const string CloseScript = """
        redis.call('DEL', KEYS[1], KEYS[2])
        redis.call('PUBLISH', ARGV[1], 'c|0|' .. ARGV[2] .. '|' .. ARGV[3])
        return 1
        """;

    // KEYS: state, probes. ARGV: probe window ms, probe limit. Returns {admitted, wait ms}.
    private const string ProbeScript = """
        local open = redis.call('PTTL', KEYS[1])
        if open > 0 then return {0, open} end
        local n = redis.call('INCR', KEYS[2])
        if n == 1 then redis.call('PEXPIRE', KEYS[2], ARGV[1]) end
        if n <= tonumber(ARGV[2]) then return {1, 0} end
        return {0, redis.call('PTTL', KEYS[2])}
        """;

    private readonly RedisAvailability _availability;
    private readonly string _name;
    private readonly string _keyPrefix;
    private readonly HashSet<string>? _sharedKeys;
    private readonly string _instanceId;
    private readonly RedisChannel _channel;
    private readonly ILogger? _logger;
    private readonly Action<bool> _onAvailabilityChanged;
    private readonly ConcurrentDictionary<string, CircuitBreaker> _circuits = new(StringComparer.Ordinal);
    private readonly TaskCompletionSource _subscribed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private ISubscriber? _subscriber;
    private int _subscribing;
    private volatile bool _disposed;

    public RedisCircuitBreakerCoordinator(
        RedisAvailability availability, string keyPrefix, string name, HashSet<string>? sharedKeys, string instanceId, ILoggerFactory? loggerFactory)
    {
        _availability = availability;
        _keyPrefix = keyPrefix;
        _name = name;
        _sharedKeys = sharedKeys;
        _instanceId = instanceId;
        _channel = RedisChannel.Literal($"{keyPrefix}cb:{name}");
        _logger = loggerFactory?.CreateLogger(RedisAvailability.MeterName);
        _onAvailabilityChanged = OnAvailabilityChanged;
        availability.Changed += _onAvailabilityChanged;
        if (availability.IsAvailable)
        {
            Subscribe();
        }
    }

    /// <summary>Completes once the channel is subscribed (for tests and start-up checks).</summary>
    public Task Subscribed => _subscribed.Task;

    public override bool SharesKey(object? key) => _sharedKeys is not null && key is not null && _sharedKeys.Contains(KeyText(key));

    public override void Attach(CircuitBreaker breaker, object? key)
    {
        string circuit = CircuitOf(key);
        _circuits[circuit] = breaker;

        // A circuit created after the fleet opened (a new process, an evicted key used again) opens here too.
        if (_availability.IsAvailable)
        {
            _ = SyncAsync(circuit, breaker);
        }
    }

    public override void OnStateChanged(CircuitBreaker breaker, CircuitStateChangedEventArgs change)
    {
        string circuit = CircuitOf(change.IsKeyed ? change.Key : null);
        switch (change.Reason)
        {
            case CircuitTransitionReason.TripPolicy or CircuitTransitionReason.ProbeFailed when change.NewState == CircuitState.Open:
                long breakMs = Math.Max(1, (long)breaker.BreakDuration.TotalMilliseconds);
                _ = _availability.RunAsync(
                    (Coordinator: this, Circuit: circuit, BreakMs: breakMs),
                    static (db, s) => db.ScriptEvaluateAsync(
                        TripScript,
                        [s.Coordinator.StateKey(s.Circuit), s.Coordinator.ProbesKey(s.Circuit)],
                        [s.BreakMs, s.Coordinator._channel.ToString(), s.Coordinator._instanceId, s.Circuit]),
                    _name,
                    Strategy);
                break;
            case CircuitTransitionReason.ProbeSucceeded:
                _ = _availability.RunAsync(
                    (Coordinator: this, Circuit: circuit),
                    static (db, s) => db.ScriptEvaluateAsync(
                        CloseScript,
                        [s.Coordinator.StateKey(s.Circuit), s.Coordinator.ProbesKey(s.Circuit)],
                        [s.Coordinator._channel.ToString(), s.Coordinator._instanceId, s.Circuit]),
                    _name,
                    Strategy);
                break;
        }
    }

    public override bool TryAcquireProbe(CircuitBreaker breaker, object? key)
    {
        string circuit = CircuitOf(key);
        long windowMs = Math.Max(1, (long)breaker.BreakDuration.TotalMilliseconds);
        RedisOutcome<RedisResult> outcome = _availability.Run(
            (Coordinator: this, Circuit: circuit, WindowMs: windowMs, Limit: breaker.HalfOpenMaxCalls),
            static (db, s) => db.ScriptEvaluateAsync(
                ProbeScript,
                [s.Coordinator.StateKey(s.Circuit), s.Coordinator.ProbesKey(s.Circuit)],
                [s.WindowMs, s.Limit]),
            _name,
            Strategy);
        if (!outcome.Succeeded)
        {
            return true; // Redis unavailable: the local breaker decides alone
        }

        var reply = (RedisResult[])outcome.Value!;
        if ((long)reply[0] == 1)
        {
            return true;
        }

        // Refused: open here until the fleet's break or probe window ends (or the probe's outcome arrives first).
        long waitMs = (long)reply[1];
        if (waitMs > 0)
        {
            breaker.OpenRemotely(TimeSpan.FromMilliseconds(waitMs));
        }

        return false;
    }

    public void Dispose()
    {
        _disposed = true;
        _availability.Changed -= _onAvailabilityChanged;
        if (_subscriber is { } subscriber)
        {
            try
            {
                subscriber.Unsubscribe(_channel, null, CommandFlags.FireAndForget);
            }
            catch (Exception e) when (e is RedisException or ObjectDisposedException)
            {
                // The connection is gone: nothing to unsubscribe from.
            }
        }
    }

    private static string KeyText(object key) => Convert.ToString(key, CultureInfo.InvariantCulture) ?? string.Empty;

    /// <summary>The circuit's id in keys and messages: empty for a breaker that is not keyed, <c>k:{key}</c> for a shared key.</summary>
    private static string CircuitOf(object? key) => key is null ? string.Empty : "k:" + KeyText(key);

    // One hash tag per circuit, so that its two keys are in one cluster slot.
    private RedisKey StateKey(string circuit) => $"{_keyPrefix}{{cb:{_name}{(circuit.Length == 0 ? "" : "|" + circuit)}}}:state";

    private RedisKey ProbesKey(string circuit) => $"{_keyPrefix}{{cb:{_name}{(circuit.Length == 0 ? "" : "|" + circuit)}}}:probes";

    private void OnAvailabilityChanged(bool available)
    {
        if (!available || _disposed)
        {
            return;
        }

        Subscribe();
        foreach (KeyValuePair<string, CircuitBreaker> circuit in _circuits)
        {
            _ = SyncAsync(circuit.Key, circuit.Value);
        }
    }

    private void Subscribe()
    {
        if (_disposed || Volatile.Read(ref _subscriber) is not null || Interlocked.Exchange(ref _subscribing, 1) == 1)
        {
            return;
        }

        if (!_availability.TryGetDatabase(out IDatabase? database))
        {
            Volatile.Write(ref _subscribing, 0); // the next transition to available tries again
            return;
        }

        _ = SubscribeAsync(database.Multiplexer.GetSubscriber());
    }

    private async Task SubscribeAsync(ISubscriber subscriber)
    {
        try
        {
            // StackExchange.Redis subscribes again by itself after a reconnect.
            await subscriber.SubscribeAsync(_channel, (_, message) => OnMessage(message)).WaitAsync(_availability.OperationTimeout).ConfigureAwait(false);
            Volatile.Write(ref _subscriber, subscriber);
            _subscribed.TrySetResult();
        }
        catch (Exception e)
        {
            _availability.ReportFailure(e);
        }
        finally
        {
            Volatile.Write(ref _subscribing, 0);
        }
    }

    private async Task SyncAsync(string circuit, CircuitBreaker breaker)
    {
        RedisOutcome<TimeSpan?> ttl = await _availability.RunAsync(
            (Coordinator: this, Circuit: circuit),
            static (db, s) => db.KeyTimeToLiveAsync(s.Coordinator.StateKey(s.Circuit)),
            _name,
            Strategy).ConfigureAwait(false);
        if (ttl.Succeeded && ttl.Value is { } rest && rest > TimeSpan.Zero)
        {
            breaker.OpenRemotely(rest);
        }
    }

    private void OnMessage(RedisValue message)
    {
        // o|{break ms}|{instance}|{circuit} or c|0|{instance}|{circuit}; the circuit (a key's text) may hold '|'.
        string[] parts = ((string?)message ?? string.Empty).Split('|', 4);
        if (parts.Length != 4 || parts[2] == _instanceId || !_circuits.TryGetValue(parts[3], out CircuitBreaker? breaker))
        {
            return;
        }

        if (parts[0] == "o" && long.TryParse(parts[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out long breakMs))
        {
            breaker.OpenRemotely(TimeSpan.FromMilliseconds(breakMs));
            if (_logger is not null)
            {
                LogRemoteOpen(_logger, _name, parts[3], parts[2]);
            }
        }
        else if (parts[0] == "c")
        {
            breaker.CloseRemotely();
        }
    }

    [LoggerMessage(EventId = 102, EventName = "RemoteCircuitOpened", Level = LogLevel.Debug,
        Message = "Circuit breaker {Name} {Circuit} opened by process {Instance} through Redis.")]
    private static partial void LogRemoteOpen(ILogger logger, string name, string circuit, string instance);
}
