using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Resilience.Runtime.Tests.Telemetry;

/// <summary>What the registry's log lines say, at which level, and what they leave out.</summary>
[Collection(TelemetryCollection.Name)]
public sealed class LogLineTests
{
    private readonly FakeTimeProvider _time = new();
    private readonly TestLoggerFactory _logs = new();

    [Fact]
    public async Task A_retry_is_one_Information_line_naming_the_operation_once_with_the_exception_type_and_message_only()
    {
        await using ServiceProvider provider = Build(out ResilienceRegistry registry);
        RetryStrategy retry = registry.GetOrAddRetry("Tests.IUsers.GetAsync", new RetryOptions { MaxRetries = 2, Delay = TimeSpan.Zero, Jitter = 0 });
        int calls = 0;
        var decorator = new Decorator(registry, (_, _) => ++calls < 3 ? throw new TimeoutException("slow\nsecond line") : new ValueTask<string>("ok"), retry: retry);

        Assert.Equal("ok", await decorator.GetAsync(1, default));

        LogEntry[] retries = _logs.Entries.Where(e => e.EventName == "Retry").ToArray();
        Assert.Equal(2, retries.Length);
        Assert.All(retries, e =>
        {
            Assert.Equal(LogLevel.Information, e.Level);
            Assert.Null(e.Exception); // no stack trace on a retry
            Assert.DoesNotContain('\n', e.Message);
            Assert.Single(AllIndexesOf(e.Message, "Tests.IUsers.GetAsync"));
        });
        Assert.Equal("Tests.IUsers.GetAsync: retry 1 after waiting 0 ms; the previous attempt failed with System.TimeoutException: slow …", retries[0].Message);
        Assert.DoesNotContain(_logs.Entries, e => e.EventName == "FailedAfterRetries"); // it succeeded in the end
    }

    [Fact]
    public async Task The_failure_after_retries_is_one_Warning_with_the_full_exception()
    {
        await using ServiceProvider provider = Build(out ResilienceRegistry registry);
        RetryStrategy retry = registry.GetOrAddRetry("r", new RetryOptions { MaxRetries = 2, Delay = TimeSpan.Zero, Jitter = 0 });
        int calls = 0;
        var decorator = new Decorator(registry, (_, _) => throw new InvalidOperationException($"down {++calls}"), retry: retry);

        await Assert.ThrowsAsync<InvalidOperationException>(() => decorator.GetAsync(1, default).AsTask());

        LogEntry failed = Assert.Single(_logs.Entries, e => e.EventName == "FailedAfterRetries");
        Assert.Equal(LogLevel.Warning, failed.Level);
        Assert.Equal("Tests.IUsers.GetAsync failed after 2 retries.", failed.Message);
        Assert.Equal("down 3", Assert.IsType<InvalidOperationException>(failed.Exception).Message);
        Assert.NotNull(failed.Exception!.StackTrace);
    }

    [Fact]
    public async Task A_failure_without_retries_is_left_to_the_caller()
    {
        await using ServiceProvider provider = Build(out ResilienceRegistry registry);
        var decorator = new Decorator(registry, (_, _) => throw new InvalidOperationException("down"));

        await Assert.ThrowsAsync<InvalidOperationException>(() => decorator.GetAsync(1, default).AsTask());

        Assert.Empty(_logs.Entries);
    }

    [Fact]
    public async Task Breaker_transitions_are_Warning_when_calls_stop_and_Information_when_they_resume()
    {
        await using ServiceProvider provider = Build(out ResilienceRegistry registry);
        Resilience.CircuitBreaker breaker = registry.GetOrAddCircuitBreaker("db", new CircuitBreakerOptions { FailureThreshold = 1, BreakDuration = TimeSpan.FromSeconds(1) });

        breaker.Acquire().RecordFailure();                 // Closed → Open
        _time.Advance(TimeSpan.FromSeconds(1));
        breaker.Acquire().RecordFailure();                 // Open → HalfOpen, HalfOpen → Open
        _time.Advance(TimeSpan.FromSeconds(1));
        breaker.Acquire().RecordSuccess();                 // Open → HalfOpen, HalfOpen → Closed
        breaker.Isolate();                                 // Closed → Isolated
        breaker.Reset();                                   // Isolated → Closed

        Assert.Equal(
            [
                (LogLevel.Warning, "Circuit breaker 'db' went from Closed to Open (TripPolicy)."),
                (LogLevel.Information, "Circuit breaker 'db' went from Open to HalfOpen (BreakDurationElapsed)."),
                (LogLevel.Warning, "Circuit breaker 'db' went from HalfOpen to Open (ProbeFailed)."),
                (LogLevel.Information, "Circuit breaker 'db' went from Open to HalfOpen (BreakDurationElapsed)."),
                (LogLevel.Information, "Circuit breaker 'db' went from HalfOpen to Closed (ProbeSucceeded)."),
                (LogLevel.Warning, "Circuit breaker 'db' went from Closed to Isolated (Isolated)."),
                (LogLevel.Information, "Circuit breaker 'db' went from Isolated to Closed (Reset)."),
            ],
            _logs.Entries.Where(e => e.EventName == "CircuitBreakerStateChanged").Select(e => (e.Level, e.Message)));
        Assert.All(_logs.Entries, e => Assert.Null(e.Exception));
    }

    [Fact]
    public async Task Cache_keys_are_hidden_by_default()
    {
        await using ServiceProvider provider = Build(out ResilienceRegistry registry);

        ServeStale(registry, "user:alice@example.com");

        LogEntry stale = Assert.Single(_logs.Entries, e => e.EventName == "StaleResultServed");
        Assert.Contains("(key '[hidden]')", stale.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(_logs.Entries, e => e.Message.Contains("alice", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Cache_keys_are_logged_when_configuration_opts_in()
    {
        IConfigurationRoot configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Resilience:Logging:IncludeArgumentValues"] = "true" })
            .Build();
        await using ServiceProvider provider = Build(out ResilienceRegistry registry, configuration);

        ServeStale(registry, "user:alice@example.com");

        Assert.Contains(_logs.Entries, e => e.EventName == "StaleResultServed" && e.Message.Contains("(key 'user:alice@example.com')", StringComparison.Ordinal));
    }

    private void ServeStale(ResilienceRegistry registry, string key)
    {
        CacheFallbackStrategy cache = registry.GetOrAddCacheFallback("c", new CacheFallbackOptions { Ttl = TimeSpan.FromSeconds(1), StaleTtl = TimeSpan.FromMinutes(1) });
        cache.Store(key, "old");
        _time.Advance(TimeSpan.FromSeconds(2));
        Assert.True(cache.TryGetStale(key, new TimeoutException(), default, out string? _));
    }

    private static IEnumerable<int> AllIndexesOf(string text, string value)
    {
        for (int i = text.IndexOf(value, StringComparison.Ordinal); i >= 0; i = text.IndexOf(value, i + 1, StringComparison.Ordinal))
        {
            yield return i;
        }
    }

    private ServiceProvider Build(out ResilienceRegistry registry, IConfiguration? configuration = null)
    {
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(_time);
        services.AddSingleton<ILoggerFactory>(_logs);
        if (configuration is not null)
        {
            services.AddResilienceConfiguration(configuration.GetSection(ResilienceOptions.SectionName));
        }
        else
        {
            services.AddResilienceRegistry();
        }

        ServiceProvider provider = services.BuildServiceProvider();
        registry = provider.GetRequiredService<ResilienceRegistry>();
        return provider;
    }
}
