using System.Diagnostics.Metrics;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Resilience.Caching.Tests;

/// <summary>Changes of the shared cache's availability are logged once each and counted; the instruments are the documented ones.</summary>
public sealed class SharedStoreTelemetryTests
{
    [Fact]
    public async Task Each_transition_is_logged_once_and_counted_and_skipped_operations_are_counted()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var cache = new SwitchableCache { Down = true };
        var logs = new ListLoggerFactory();
        var measurements = new List<(string Name, long Value, string? State)>();
        using var meters = new OwnMeterFactory();
        using var listener = Listen(meters, measurements); // before the store: its first background read fails at once
        using var store = new DistributedCacheFallbackStore(
            cache, new SharedCacheFallbackStoreOptions { TypeInfoResolver = TestJsonContext.Default }, time, logs, meters);
        var strategy = new CacheFallbackStrategy("s", new CacheFallbackOptions(), store, time);
        SharedStoreTests.Connected(store); // the first background read failed: unavailable

        // The store changes its state first and logs and counts the change after, on the thread of the background
        // read. Wait until that report is made: otherwise, with that thread descheduled (a loaded machine), the check
        // started below can find the cache back and report "available" before this "unavailable" is reported.
        await WaitForLogsAsync(logs, 1);

        for (int i = 0; i < 5; i++)
        {
            strategy.TryGetStale("k", new TimeoutException(), CancellationToken.None, out int _);
        }

        cache.Down = false;
        time.Advance(TimeSpan.FromSeconds(5));
        strategy.TryGetStale("k", new TimeoutException(), CancellationToken.None, out int _);
        for (int i = 0; i < 500 && !store.IsSharedCacheAvailable; i++)
        {
            await Task.Delay(10);
        }

        Assert.True(store.IsSharedCacheAvailable);
        await WaitForLogsAsync(logs, 2); // the same: "available" is reported just after the state changed
        Assert.Equal(
            [(110, LogLevel.Warning, "SharedCacheUnavailable"), (111, LogLevel.Information, "SharedCacheAvailable")],
            logs.Entries.Select(e => (e.Id.Id, e.Level, e.Id.Name!)));
        Assert.Equal(["unavailable", "available"], measurements.Where(m => m.Name.EndsWith("transitions", StringComparison.Ordinal)).Select(m => m.State!));
        Assert.Equal(6, measurements.Where(m => m.Name.EndsWith("fallbacks", StringComparison.Ordinal)).Sum(m => m.Value)); // 5 skipped, 1 skipped that started the check
    }

    [Fact]
    public void The_meter_publishes_the_documented_instruments()
    {
        using var store = new DistributedCacheFallbackStore(new SwitchableCache(), new SharedCacheFallbackStoreOptions { TypeInfoResolver = TestJsonContext.Default });
        var names = new List<string>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, _) =>
            {
                if (instrument.Meter.Name == "Resilience.Caching")
                {
                    // Stores made meanwhile by tests running in parallel publish here too, on their own threads.
                    lock (names)
                    {
                        names.Add(instrument.Name);
                    }
                }
            },
        };
        listener.Start();
        string[] published;
        lock (names)
        {
            published = [.. names];
        }

        string docs = File.ReadAllText(FindDocs());
        Assert.Contains("resilience.cache.shared_store.fallbacks", published);
        Assert.Contains("resilience.cache.shared_store.transitions", published);
        Assert.All(published, name => Assert.Contains($"| `{name}` |", docs, StringComparison.Ordinal));
    }

    /// <summary>
    /// Waits (bounded) until <paramref name="count"/> entries were logged. A transition is counted before it is logged,
    /// on the same thread, so its measurement is recorded by then too.
    /// </summary>
    private static async Task WaitForLogsAsync(ListLoggerFactory logs, int count)
    {
        for (int i = 0; i < 500 && logs.Count < count; i++)
        {
            await Task.Delay(10);
        }
    }

    private static MeterListener Listen(OwnMeterFactory meters, List<(string, long, string?)> measurements)
    {
        var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == "Resilience.Caching" && ReferenceEquals(instrument.Meter.Scope, meters))
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            string? state = null;
            foreach (var tag in tags)
            {
                if (tag.Key == "resilience.cache.shared_store.state")
                {
                    state = (string?)tag.Value;
                }
            }

            lock (measurements)
            {
                measurements.Add((instrument.Name, value, state));
            }
        });
        listener.Start();
        return listener;
    }

    private static string FindDocs()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "docs", "telemetry.md");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException("docs/telemetry.md was not found above " + AppContext.BaseDirectory);
    }

    private sealed class SwitchableCache : IDistributedCache
    {
        private readonly MemoryDistributedCache _inner = new(Microsoft.Extensions.Options.Options.Create(new MemoryDistributedCacheOptions()));

        public volatile bool Down;

        public byte[]? Get(string key) => throw new NotSupportedException();

        public Task<byte[]?> GetAsync(string key, CancellationToken token = default)
            => Down ? Task.FromException<byte[]?>(new IOException("down")) : _inner.GetAsync(key, token);

        public void Set(string key, byte[] value, DistributedCacheEntryOptions options) => throw new NotSupportedException();

        public Task SetAsync(string key, byte[] value, DistributedCacheEntryOptions options, CancellationToken token = default)
            => Down ? Task.FromException(new IOException("down")) : _inner.SetAsync(key, value, options, token);

        public void Refresh(string key) => _inner.Refresh(key);

        public Task RefreshAsync(string key, CancellationToken token = default) => _inner.RefreshAsync(key, token);

        public void Remove(string key) => _inner.Remove(key);

        public Task RemoveAsync(string key, CancellationToken token = default) => _inner.RemoveAsync(key, token);
    }

    /// <summary>Meters of this test only (other tests' stores publish meters of the same name meanwhile).</summary>
    private sealed class OwnMeterFactory : IMeterFactory
    {
        private readonly List<Meter> _meters = [];

        public Meter Create(MeterOptions options)
        {
            var meter = new Meter(options.Name, options.Version, options.Tags, scope: this);
            _meters.Add(meter);
            return meter;
        }

        public void Dispose() => _meters.ForEach(m => m.Dispose());
    }

    private sealed class ListLoggerFactory : ILoggerFactory, ILogger
    {
        public List<(EventId Id, LogLevel Level)> Entries { get; } = [];

        public int Count
        {
            get
            {
                lock (Entries)
                {
                    return Entries.Count;
                }
            }
        }

        public ILogger CreateLogger(string categoryName) => this;

        public void AddProvider(ILoggerProvider provider)
        {
        }

        public void Dispose()
        {
        }

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (Entries)
            {
                Entries.Add((eventId, logLevel));
            }
        }
    }
}
