using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Resilience.Tests.Shared;
using StackExchange.Redis;

namespace Resilience.Redis.Tests;

/// <summary>
/// <see cref="RedisAvailability"/> against a real server: calls never wait for a connect, a failure or a timeout makes
/// calls go local at once, a background PING brings Redis back, and each transition is logged and counted once.
/// </summary>
public sealed class RedisAvailabilityTests
{
    private static readonly TimeSpan EventTimeout = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Becomes_available_in_the_background_and_runs_operations_on_redis()
    {
        await using var server = await RedisServer.StartAsync();
        using var connection = await ConnectionMultiplexer.ConnectAsync(server.ConnectionString);
        var log = new ListLogger();
        using var availability = new RedisAvailability(() => connection, new RedisResilienceOptions(), loggerFactory: log.Factory);

        await WaitForAsync(availability, available: true);
        var outcome = await availability.RunAsync(0, static (db, _) => db.StringIncrementAsync("counter"), "api", "rate_limit");

        Assert.True(outcome.Succeeded);
        Assert.Equal(1, outcome.Value);
        Assert.Equal(["Information RedisAvailable"], log.Entries);
    }

    [Fact]
    public async Task A_call_never_waits_for_the_connect_it_goes_local_until_the_first_ping_answers()
    {
        await using var server = await RedisServer.StartAsync();
        using var release = new ManualResetEventSlim();
        using var connection = await ConnectionMultiplexer.ConnectAsync(server.ConnectionString);
        using var availability = new RedisAvailability(
            () =>
            {
                release.Wait(EventTimeout); // a connect that takes long
                return connection;
            },
            new RedisResilienceOptions());
        using var metrics = new RedisMetrics(availability);

        var called = false;
        var outcome = await availability.RunAsync(0, (db, _) =>
        {
            called = true;
            return db.PingAsync();
        }, "api", "rate_limit");

        Assert.False(outcome.Succeeded);
        Assert.False(called);
        Assert.Equal(1, metrics.Fallbacks);

        release.Set();
        await WaitForAsync(availability, available: true);
        Assert.True((await availability.RunAsync(0, static (db, _) => db.PingAsync(), "api", "rate_limit")).Succeeded);
    }

    [Fact]
    public async Task A_timed_out_operation_marks_redis_unavailable_later_calls_skip_it_and_a_ping_brings_it_back()
    {
        await using var server = await RedisServer.StartAsync();
        using var connection = await ConnectionMultiplexer.ConnectAsync(server.ConnectionString);
        var time = new FakeTimeProvider();
        var log = new ListLogger();
        var options = new RedisResilienceOptions { OperationTimeout = TimeSpan.FromMilliseconds(250), AvailabilityProbeInterval = TimeSpan.FromSeconds(1) };
        using var availability = new RedisAvailability(() => connection, options, time, log.Factory);
        await WaitForAsync(availability, available: true, time);
        using var metrics = new RedisMetrics(availability);

        var never = new TaskCompletionSource<long>();
        var pending = availability.RunAsync(0, (_, _) => never.Task, "api", "rate_limit");
        Assert.False(pending.IsCompleted);
        time.Advance(TimeSpan.FromMilliseconds(249));
        Assert.False(pending.IsCompleted);
        time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.False((await pending).Succeeded);
        Assert.False(availability.IsAvailable);

        // While unavailable: no Redis call, no waiting, counted each time, logged once.
        for (var i = 0; i < 5; i++)
        {
            var skipped = availability.RunAsync(0, (_, _) => never.Task, "api", "rate_limit");
            Assert.True(skipped.IsCompleted);
            Assert.False((await skipped).Succeeded);
        }

        Assert.Equal(6, metrics.Fallbacks);
        Assert.Equal(1, metrics.ToUnavailable);

        var back = WaitForAsync(availability, available: true);
        time.Advance(options.AvailabilityProbeInterval);
        await back;
        Assert.Equal(1, metrics.ToAvailable);
        Assert.Equal(["Information RedisAvailable", "Warning RedisUnavailable", "Information RedisAvailable"], log.Entries);
    }

    [Fact]
    public async Task Killed_server_falls_back_within_the_timeout_probes_meanwhile_and_resumes_after_restart()
    {
        await using var server = await RedisServer.StartAsync();
        var configuration = ConfigurationOptions.Parse(server.ConnectionString);
        configuration.BacklogPolicy = BacklogPolicy.FailFast;
        using var connection = await ConnectionMultiplexer.ConnectAsync(configuration);
        var log = new ListLogger();
        var options = new RedisResilienceOptions { OperationTimeout = TimeSpan.FromMilliseconds(250), AvailabilityProbeInterval = TimeSpan.FromMilliseconds(100) };
        using var availability = new RedisAvailability(() => connection, options, loggerFactory: log.Factory);
        await WaitForAsync(availability, available: true);

        server.Kill();
        var watch = Stopwatch.StartNew();
        var outcome = await availability.RunAsync(0, static (db, _) => db.StringIncrementAsync("counter"), "api", "rate_limit");
        watch.Stop();

        Assert.False(outcome.Succeeded);
        Assert.False(availability.IsAvailable);
        // Bounded by the operation timeout (250 ms); a generous margin for a busy machine, far below the 2 s command timeout.
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(1.5), $"took {watch.Elapsed}");

        var back = WaitForAsync(availability, available: true);
        await server.RestartAsync();
        await back;
        Assert.True((await availability.RunAsync(0, static (db, _) => db.StringIncrementAsync("counter"), "api", "rate_limit")).Succeeded);
        Assert.Equal(["Information RedisAvailable", "Warning RedisUnavailable", "Information RedisAvailable"], log.Entries);
    }

    [Fact]
    public async Task Synchronous_run_blocks_no_longer_than_the_timeout()
    {
        await using var server = await RedisServer.StartAsync();
        using var connection = await ConnectionMultiplexer.ConnectAsync(server.ConnectionString);
        var options = new RedisResilienceOptions { OperationTimeout = TimeSpan.FromMilliseconds(100) };
        using var availability = new RedisAvailability(() => connection, options);
        await WaitForAsync(availability, available: true);

        var watch = Stopwatch.StartNew();
        var outcome = availability.Run(0, static (_, _) => new TaskCompletionSource<long>().Task, "api", "rate_limit");

        Assert.False(outcome.Succeeded);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(1.5), $"took {watch.Elapsed}");
        Assert.True(availability.Run(0, static (db, _) => db.PingAsync(), "api", "rate_limit") is { Succeeded: false });
    }

    [Fact]
    public void Options_are_validated_with_the_key_to_change()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new RedisAvailability(
            () => throw new InvalidOperationException(), new RedisResilienceOptions { OperationTimeout = TimeSpan.Zero }));
        Assert.Contains("Resilience:Redis:OperationTimeout", e.Message);
        e = Assert.Throws<ArgumentOutOfRangeException>(() => new RedisAvailability(
            () => throw new InvalidOperationException(), new RedisResilienceOptions { AvailabilityProbeInterval = TimeSpan.Zero }));
        Assert.Contains("Resilience:Redis:AvailabilityProbeInterval", e.Message);
    }

    /// <summary>Waits (event-driven, bounded) until availability is <paramref name="available"/>; advances fake time by zero so a due probe runs.</summary>
    internal static async Task WaitForAsync(RedisAvailability availability, bool available, FakeTimeProvider? time = null)
    {
        var changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnChanged(bool now)
        {
            if (now == available)
            {
                changed.TrySetResult();
            }
        }

        availability.Changed += OnChanged;
        try
        {
            time?.Advance(TimeSpan.Zero);
            if (availability.IsAvailable != available)
            {
                await changed.Task.WaitAsync(EventTimeout);
            }
        }
        finally
        {
            availability.Changed -= OnChanged;
        }
    }

    /// <summary>Collects the Resilience.Redis counters.</summary>
    internal sealed class RedisMetrics : IDisposable
    {
        private readonly MeterListener _listener = new();
        private long _fallbacks;
        private long _toAvailable;
        private long _toUnavailable;

        public RedisMetrics(RedisAvailability availability)
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (ReferenceEquals(instrument.Meter, availability.Meter))
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
            {
                if (instrument.Name == "resilience.redis.fallbacks")
                {
                    Interlocked.Add(ref _fallbacks, value);
                }
                else if (instrument.Name == "resilience.redis.transitions")
                {
                    foreach (var tag in tags)
                    {
                        if (tag.Key == RedisAvailability.StateTag)
                        {
                            Interlocked.Add(ref (string?)tag.Value == "available" ? ref _toAvailable : ref _toUnavailable, value);
                        }
                    }
                }
            });
            _listener.Start();
        }

        public long Fallbacks => Interlocked.Read(ref _fallbacks);

        public long ToAvailable => Interlocked.Read(ref _toAvailable);

        public long ToUnavailable => Interlocked.Read(ref _toUnavailable);

        public void Dispose() => _listener.Dispose();
    }

    /// <summary>Records "Level EventName" of each log entry.</summary>
    internal sealed class ListLogger : ILogger, ILoggerProvider
    {
        private readonly List<string> _entries = [];

        public ILoggerFactory Factory => new SingleLoggerFactory(this);

        public string[] Entries
        {
            get
            {
                lock (_entries)
                {
                    return [.. _entries];
                }
            }
        }

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (_entries)
            {
                _entries.Add($"{logLevel} {eventId.Name}");
            }
        }

        public ILogger CreateLogger(string categoryName) => this;

        public void Dispose()
        {
        }

        private sealed class SingleLoggerFactory(ListLogger logger) : ILoggerFactory
        {
            public void AddProvider(ILoggerProvider provider)
            {
            }

            public ILogger CreateLogger(string categoryName) => logger;

            public void Dispose()
            {
            }
        }
    }
}
