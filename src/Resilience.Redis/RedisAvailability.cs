using System.Diagnostics.CodeAnalysis;
using System.Diagnostics.Metrics;
using System.Reflection;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Resilience.Redis;

/// <summary>
/// Whether Redis is usable now, for every backend that shares one connection. A backend runs its Redis operations
/// through <see cref="RunAsync{TState, T}"/> (or <see cref="Run{TState, T}"/>): each is bounded by
/// <see cref="RedisResilienceOptions.OperationTimeout"/>, and a failure or a timeout marks Redis unavailable, after
/// which calls skip Redis at once (no waiting) and use their local strategy; so does the connection reporting itself
/// failed (the multiplexer's <c>ConnectionFailed</c> event), so that a process with no call in flight notices too. A
/// background PING, every
/// <see cref="RedisResilienceOptions.AvailabilityProbeInterval"/> while Redis is unavailable, marks it available
/// again. Connecting (the multiplexer's first connect) also happens in that background probe, so no call ever waits
/// for a connect or a reconnect: until the first PING answers, calls use their local strategy.
/// </summary>
/// <remarks>
/// Each transition is logged once (Warning when Redis becomes unavailable, Information when it is back) and counted
/// in <c>resilience.redis.transitions</c>; every call served locally because of it is counted in
/// <c>resilience.redis.fallbacks</c> (meter <see cref="MeterName"/>). A timed-out operation is not cancelled on the
/// server (StackExchange.Redis cannot cancel a sent command): it may still complete there.
/// </remarks>
internal sealed partial class RedisAvailability : IDisposable
{
    /// <summary>The meter of the Redis backends: "Resilience.Redis".</summary>
    public const string MeterName = "Resilience.Redis";

    internal const string InstanceTag = "resilience.instance";
    internal const string StrategyTag = "resilience.strategy";
    internal const string StateTag = "resilience.redis.state";

    private const int Connecting = 0;
    private const int Available = 1;
    private const int Unavailable = 2;

    private static readonly string? s_version = typeof(RedisAvailability).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;

    private readonly Func<IConnectionMultiplexer> _connect;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger? _logger;
    private readonly Meter _meter;
    private readonly bool _ownsMeter;
    private readonly Counter<long> _fallbacks;
    private readonly Counter<long> _transitions;
    private readonly ITimer _probeTimer;
    private readonly TimeSpan _probeInterval;
    private IConnectionMultiplexer? _multiplexer;
    private IDatabase? _database;
    private int _state = Connecting;
    private int _probing;
    private readonly object _transitionGate = new();
    private volatile bool _disposed;

    /// <summary>Starts tracking; the first connect and PING run in the background at once.</summary>
    /// <param name="connect">Returns the connection; called once, from the background probe (it may block there).</param>
    /// <param name="options">The timeouts; validated here.</param>
    /// <param name="timeProvider">The clock of the timeouts and of the probe; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    /// <param name="loggerFactory">Where transitions are logged (category <c>Resilience.Redis</c>), if anywhere.</param>
    /// <param name="meterFactory">Creates the meter; a meter of its own when <see langword="null"/>.</param>
    public RedisAvailability(
        Func<IConnectionMultiplexer> connect,
        RedisResilienceOptions options,
        TimeProvider? timeProvider = null,
        ILoggerFactory? loggerFactory = null,
        IMeterFactory? meterFactory = null)
    {
        ArgumentNullException.ThrowIfNull(connect);
        ArgumentNullException.ThrowIfNull(options);
        if (options.OperationTimeout <= TimeSpan.Zero && options.OperationTimeout != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.OperationTimeout,
                "RedisResilienceOptions.OperationTimeout must be positive (\"Resilience:Redis:OperationTimeout\"), e.g. 00:00:00.250.");
        }

        if (options.AvailabilityProbeInterval <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.AvailabilityProbeInterval,
                "RedisResilienceOptions.AvailabilityProbeInterval must be positive (\"Resilience:Redis:AvailabilityProbeInterval\"), e.g. 00:00:00.500.");
        }

        _connect = connect;
        OperationTimeout = options.OperationTimeout;
        _probeInterval = options.AvailabilityProbeInterval;
        _timeProvider = timeProvider ?? TimeProvider.System;
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

        _fallbacks = _meter.CreateCounter<long>(
            "resilience.redis.fallbacks", "{call}", "Calls served by their local strategy because Redis was unavailable, failed or timed out.");
        _transitions = _meter.CreateCounter<long>(
            "resilience.redis.transitions", "{transition}", "Changes of Redis availability: to available or to unavailable.");
        _meter.CreateObservableGauge(
            "resilience.redis.available", () => Volatile.Read(ref _state) == Available ? 1 : 0, "{state}", "1 while Redis is usable, 0 while calls use their local strategies.");

        _probeTimer = _timeProvider.CreateTimer(static state => ((RedisAvailability)state!).OnProbeTimer(), this, TimeSpan.Zero, Timeout.InfiniteTimeSpan);
    }

    /// <summary>The meter the instruments are on.</summary>
    internal Meter Meter => _meter;

    /// <summary>How long one Redis operation may take.</summary>
    public TimeSpan OperationTimeout { get; }

    internal Exception? LastFailure { get; private set; }

    /// <summary>Whether calls use Redis now (the last operation or PING succeeded).</summary>
    public bool IsAvailable => Volatile.Read(ref _state) == Available;

    /// <summary>Raised after each transition, with the new availability (for tests and diagnostics).</summary>
    public event Action<bool>? Changed;

    /// <summary>The database when Redis is usable now; <see langword="false"/> (never waiting) otherwise.</summary>
    /// <param name="database">The database, when available.</param>
    public bool TryGetDatabase([NotNullWhen(true)] out IDatabase? database)
    {
        database = Volatile.Read(ref _state) == Available ? Volatile.Read(ref _database) : null;
        return database is not null;
    }

    /// <summary>
    /// Runs <paramref name="operation"/> if Redis is available, bounded by <see cref="OperationTimeout"/>. Returns
    /// <see langword="false"/> (and counts a fallback for <paramref name="instance"/>) when Redis is unavailable, or
    /// when the operation fails or times out (which also marks Redis unavailable); the caller then uses its local strategy.
    /// </summary>
    public async ValueTask<RedisOutcome<T>> RunAsync<TState, T>(TState state, Func<IDatabase, TState, Task<T>> operation, string instance, string strategy)
    {
        if (!TryGetDatabase(out IDatabase? database))
        {
            CountFallback(instance, strategy);
            return default;
        }

        try
        {
            Task<T> task = operation(database, state);
            T value = OperationTimeout == Timeout.InfiniteTimeSpan
                ? await task.ConfigureAwait(false)
                : await task.WaitAsync(OperationTimeout, _timeProvider).ConfigureAwait(false);
            return new RedisOutcome<T>(value);
        }
        catch (Exception e)
        {
            ReportFailure(e);
            CountFallback(instance, strategy);
            return default;
        }
    }

    /// <summary>The blocking form of <see cref="RunAsync{TState, T}"/>, for synchronous calls: it blocks at most <see cref="OperationTimeout"/>.</summary>
    public RedisOutcome<T> Run<TState, T>(TState state, Func<IDatabase, TState, Task<T>> operation, string instance, string strategy)
    {
        ValueTask<RedisOutcome<T>> pending = RunAsync(state, operation, instance, strategy);
        return pending.IsCompleted ? pending.Result : pending.AsTask().GetAwaiter().GetResult();
    }

    /// <summary>Counts one call served by its local strategy because of Redis.</summary>
    public void CountFallback(string instance, string strategy)
    {
        if (_fallbacks.Enabled)
        {
            _fallbacks.Add(1, new KeyValuePair<string, object?>(InstanceTag, instance), new KeyValuePair<string, object?>(StrategyTag, strategy));
        }
    }

    /// <summary>Marks Redis unavailable after a failed or timed-out operation (logged and counted once per transition) and starts probing.</summary>
    public void ReportFailure(Exception? exception)
    {
        LastFailure = exception;
        if (Volatile.Read(ref _state) == Unavailable)
        {
            return;
        }

        // A change of state and its report happen together (under the gate, only on transitions), so that reports come
        // in the order of the changes: the last one logged and counted is the state.
        lock (_transitionGate)
        {
            if (Interlocked.Exchange(ref _state, Unavailable) != Unavailable)
            {
                OnTransition(available: false, exception);
                ScheduleProbe(_probeInterval);
            }
        }
    }

    /// <summary>Stops probing and disposes the meter (unless a meter factory owns it). The connection belongs to its owner.</summary>
    public void Dispose()
    {
        _disposed = true;
        _probeTimer.Dispose();
        if (Volatile.Read(ref _multiplexer) is { } multiplexer)
        {
            multiplexer.ConnectionFailed -= OnConnectionFailed;
        }

        if (_ownsMeter)
        {
            _meter.Dispose();
        }
    }

    private void ScheduleProbe(TimeSpan dueTime)
    {
        if (!_disposed)
        {
            try
            {
                _probeTimer.Change(dueTime, Timeout.InfiniteTimeSpan);
            }
            catch (ObjectDisposedException)
            {
                // Disposed meanwhile: nothing to probe for.
            }
        }
    }

    private void OnProbeTimer()
    {
        if (_disposed || Interlocked.Exchange(ref _probing, 1) == 1)
        {
            return;
        }

        _ = ProbeAsync();
    }

    private async Task ProbeAsync()
    {
        Exception? failure = null;
        try
        {
            IDatabase database = Volatile.Read(ref _database) ?? await ConnectAsync().ConfigureAwait(false);
            Task<TimeSpan> ping = database.PingAsync();
            if (OperationTimeout == Timeout.InfiniteTimeSpan)
            {
                await ping.ConfigureAwait(false);
            }
            else
            {
                await ping.WaitAsync(OperationTimeout, _timeProvider).ConfigureAwait(false);
            }
        }
        catch (Exception e)
        {
            failure = e;
        }
        finally
        {
            Volatile.Write(ref _probing, 0);
        }

        if (failure is null)
        {
            lock (_transitionGate)
            {
                if (Interlocked.Exchange(ref _state, Available) != Available)
                {
                    OnTransition(available: true, null);
                }
            }

            return;
        }

        lock (_transitionGate)
        {
            if (Interlocked.CompareExchange(ref _state, Unavailable, Connecting) == Connecting)
            {
                OnTransition(available: false, failure);
            }
        }

        // Still unavailable (a call may have marked it so meanwhile too): try again later.
        if (Volatile.Read(ref _state) != Available)
        {
            ScheduleProbe(_probeInterval);
        }
    }

    private async Task<IDatabase> ConnectAsync()
    {
        // The connect may block (ConnectionMultiplexer.Connect): keep it off the timer's thread and off every call.
        IConnectionMultiplexer? multiplexer = _multiplexer;
        if (multiplexer is null)
        {
            multiplexer = await Task.Run(_connect).ConfigureAwait(false);

            // A dropped connection marks Redis unavailable at once, so that a process that was not calling notices
            // too, and its next call goes local instead of waiting for the reconnect.
            multiplexer.ConnectionFailed += OnConnectionFailed;
            Volatile.Write(ref _multiplexer, multiplexer);
            if (_disposed)
            {
                multiplexer.ConnectionFailed -= OnConnectionFailed;
            }
        }

        IDatabase database = multiplexer.GetDatabase();
        Volatile.Write(ref _database, database);
        return database;
    }

    private void OnConnectionFailed(object? sender, ConnectionFailedEventArgs e)
    {
        if (!_disposed)
        {
            ReportFailure(e.Exception ?? new RedisConnectionException(e.FailureType, $"The connection to {e.EndPoint} failed ({e.FailureType})."));
        }
    }

    private void OnTransition(bool available, Exception? exception)
    {
        if (_transitions.Enabled)
        {
            _transitions.Add(1, new KeyValuePair<string, object?>(StateTag, available ? "available" : "unavailable"));
        }

        if (_logger is not null)
        {
            if (available)
            {
                LogAvailable(_logger);
            }
            else
            {
                LogUnavailable(_logger, OperationTimeout.TotalMilliseconds, exception?.GetType().Name ?? "unknown", exception?.Message ?? "", exception);
            }
        }

        Changed?.Invoke(available);
    }

    [LoggerMessage(EventId = 100, EventName = "RedisUnavailable", Level = LogLevel.Warning,
        Message = "Redis is unavailable ({FailureType}: {FailureMessage}); instances on Redis use their local strategies until a PING answers " +
                  "(operation timeout {TimeoutMs} ms).")]
    private static partial void LogUnavailable(ILogger logger, double timeoutMs, string failureType, string failureMessage, Exception? exception);

    [LoggerMessage(EventId = 101, EventName = "RedisAvailable", Level = LogLevel.Information,
        Message = "Redis is available: instances on Redis use the shared state again.")]
    private static partial void LogAvailable(ILogger logger);
}

/// <summary>What a Redis operation gave: its value, or nothing when the caller must use its local strategy.</summary>
/// <typeparam name="T">The operation's result.</typeparam>
internal readonly struct RedisOutcome<T>
{
    /// <summary>A value Redis returned.</summary>
    public RedisOutcome(T value)
    {
        Value = value;
        Succeeded = true;
    }

    /// <summary>Whether Redis answered in time (otherwise use the local strategy).</summary>
    public bool Succeeded { get; }

    /// <summary>Redis's answer, when <see cref="Succeeded"/>.</summary>
    public T Value { get; }
}
