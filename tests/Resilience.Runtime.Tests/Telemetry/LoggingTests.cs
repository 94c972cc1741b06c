using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Resilience.Runtime.Tests.Telemetry;

[Collection(TelemetryCollection.Name)]
public sealed class LoggingTests
{
    [Fact]
    public async Task Registry_from_DI_logs_retries_transitions_rejections_fallbacks_and_stale_answers()
    {
        var time = new FakeTimeProvider();
        var logs = new TestLoggerFactory();
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(time);
        services.AddSingleton<ILoggerFactory>(logs);
        services.AddResilienceRegistry();
        await using ServiceProvider provider = services.BuildServiceProvider();
        var registry = provider.GetRequiredService<ResilienceRegistry>();

        RetryStrategy retry = registry.GetOrAddRetry("r", new RetryOptions { MaxRetries = 1, Delay = TimeSpan.Zero, Jitter = 0 });
        Resilience.CircuitBreaker breaker = registry.GetOrAddCircuitBreaker("db", new CircuitBreakerOptions { FailureThreshold = 1 });
        var decorator = new Decorator(registry, (_, _) => throw new InvalidOperationException("down"), breaker, retry, fallback: true);
        Assert.Equal("fallback", await decorator.GetAsync(1, default));
        Assert.Throws<BrokenCircuitException>(() => breaker.Acquire());

        CacheFallbackStrategy cache = registry.GetOrAddCacheFallback("c", new CacheFallbackOptions { Ttl = TimeSpan.FromSeconds(1), StaleTtl = TimeSpan.FromMinutes(1) });
        cache.Store("k", "old");
        time.Advance(TimeSpan.FromSeconds(2));
        Assert.True(cache.TryGetStale("k", new TimeoutException(), default, out string? stale));
        Assert.Equal("old", stale);

        Assert.All(logs.Entries, e => Assert.Equal("Resilience", e.Category));
        Assert.Contains(logs.Entries, e => e.EventName == "Retry" && e.Level == LogLevel.Information && e.Message == "Tests.IUsers.GetAsync: retry 1 after waiting 0 ms; the previous attempt failed with System.InvalidOperationException: down" && e.Exception is null);
        Assert.Contains(logs.Entries, e => e.EventName == "CircuitBreakerStateChanged" && e.Message.Contains("'db' went from Closed to Open", StringComparison.Ordinal));
        Assert.Contains(logs.Entries, e => e.EventName == "Rejected" && e.Message.Contains("'db' (circuit_breaker)", StringComparison.Ordinal));
        Assert.Contains(logs.Entries, e => e.EventName == "Fallback" && e.Exception is InvalidOperationException);
        Assert.Contains(logs.Entries, e => e.EventName == "StaleResultServed" && e.Message.Contains("key '[hidden]'", StringComparison.Ordinal) && e.Exception is TimeoutException);
    }

    [Fact]
    public async Task Registry_without_logger_factory_logs_nothing_and_still_works()
    {
        var services = new ServiceCollection();
        services.AddResilienceRegistry();
        await using ServiceProvider provider = services.BuildServiceProvider();
        var registry = provider.GetRequiredService<ResilienceRegistry>();
        var decorator = new Decorator(registry, (_, _) => throw new InvalidOperationException(), fallback: true);

        Assert.Equal("fallback", await decorator.GetAsync(1, default));
        Assert.Null(registry.Telemetry.Logger);
    }
}

internal sealed record LogEntry(string Category, LogLevel Level, string? EventName, string Message, Exception? Exception);

internal sealed class TestLoggerFactory : ILoggerFactory
{
    public ConcurrentQueue<LogEntry> Entries { get; } = new();

    public void AddProvider(ILoggerProvider provider) => throw new NotSupportedException();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(TestLoggerFactory owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            => owner.Entries.Enqueue(new LogEntry(category, logLevel, eventId.Name, formatter(state, exception), exception));
    }
}
