using System.Diagnostics;
using Microsoft.Extensions.Time.Testing;

namespace Resilience.Runtime.Tests.Telemetry;

[Collection(TelemetryCollection.Name)]
public sealed class TracingTests
{
    [Fact]
    public async Task A_call_is_one_span_named_interface_dot_method_with_tags()
    {
        using var registry = new ResilienceRegistry(new FakeTimeProvider());
        using var spans = new SpanCollector(registry);
        var decorator = new Decorator(registry, (_, _) => ValueTask.FromResult("ok"));

        await decorator.GetAsync(1, default);

        Activity span = spans.Stopped.Single(a => a.OperationName == "IUsers.GetAsync");
        Assert.Equal("IUsers.GetAsync", span.OperationName);
        Assert.Equal("Tests.IUsers", span.GetTagItem("resilience.interface"));
        Assert.Equal("GetAsync", span.GetTagItem("resilience.method"));
        Assert.Equal("success", span.GetTagItem("resilience.outcome"));
        Assert.Equal(ActivityStatusCode.Unset, span.Status);
    }

    [Fact]
    public async Task Each_attempt_is_a_child_span_and_retries_are_events_on_the_call_span()
    {
        var time = new FakeTimeProvider();
        using var registry = new ResilienceRegistry(time);
        using var spans = new SpanCollector(registry);
        RetryStrategy retry = registry.GetOrAddRetry("r", new RetryOptions { MaxRetries = 2, Delay = TimeSpan.Zero, Backoff = BackoffType.Constant, Jitter = 0 });
        int calls = 0;
        string? parentSeenByInner = null;
        var decorator = new Decorator(registry, (_, _) =>
        {
            parentSeenByInner = Activity.Current?.OperationName;
            return ++calls < 3 ? throw new TimeoutException() : ValueTask.FromResult("ok");
        }, retry: retry);

        Assert.Equal("ok", await decorator.GetAsync(1, default));

        Activity call = spans.Stopped.Single(a => a.OperationName == "IUsers.GetAsync");
        List<Activity> attempts = spans.Stopped.Where(a => a.OperationName == "IUsers.GetAsync attempt").ToList();
        Assert.Equal([1, 2, 3], attempts.Select(a => (int)a.GetTagItem("resilience.attempt")!).Order());
        Assert.All(attempts, a => Assert.Equal(call.SpanId, a.ParentSpanId));
        Assert.Equal(2, attempts.Count(a => a.Status == ActivityStatusCode.Error && (string?)a.GetTagItem("error.type") == "System.TimeoutException"));
        Assert.Equal("IUsers.GetAsync attempt", parentSeenByInner);

        List<ActivityEvent> retries = call.Events.Where(e => e.Name == "resilience.retry").ToList();
        Assert.Equal(2, retries.Count);
        Assert.Equal(1, retries[0].Tags.Single(t => t.Key == "resilience.attempt").Value);
        Assert.Equal("success", call.GetTagItem("resilience.outcome"));
    }

    [Fact]
    public async Task Failure_sets_error_status_and_fallback_rejection_transition_and_timeout_are_events()
    {
        using var registry = new ResilienceRegistry(new FakeTimeProvider());
        using var spans = new SpanCollector(registry);
        Resilience.CircuitBreaker breaker = registry.GetOrAddCircuitBreaker("db", new CircuitBreakerOptions { FailureThreshold = 1 });
        TimeoutStrategy timeout = registry.GetOrAddTimeout("t", TimeSpan.FromSeconds(1));
        var failing = new Decorator(registry, (_, _) => throw timeout.CreateException(), breaker, fallback: true);
        var rejected = new Decorator(registry, (_, _) => ValueTask.FromResult("never"), breaker);

        Assert.Equal("fallback", await failing.GetAsync(1, default));
        await Assert.ThrowsAsync<BrokenCircuitException>(() => rejected.GetAsync(1, default).AsTask());

        List<Activity> calls = spans.Stopped.Where(a => a.OperationName == "IUsers.GetAsync").ToList();
        Activity fellBack = calls[0];
        Assert.Equal("fallback", fellBack.GetTagItem("resilience.outcome"));
        Assert.Contains(fellBack.Events, e => e.Name == "resilience.timeout" && e.Tags.Any(t => t.Key == "resilience.instance" && (string?)t.Value == "t"));
        Assert.Contains(fellBack.Events, e => e.Name == "resilience.circuit_breaker.transition" && e.Tags.Any(t => t.Key == "resilience.circuit_breaker.state" && (string?)t.Value == "open"));
        Assert.Contains(fellBack.Events, e => e.Name == "resilience.fallback");

        Activity failed = calls[1];
        Assert.Equal("rejected", failed.GetTagItem("resilience.outcome"));
        Assert.Equal("Resilience.BrokenCircuitException", failed.GetTagItem("error.type"));
        Assert.Equal(ActivityStatusCode.Error, failed.Status);
        Assert.Contains(failed.Events, e => e.Name == "resilience.rejection" && e.Tags.Any(t => t.Key == "resilience.strategy" && (string?)t.Value == "circuit_breaker"));
    }

    [Fact]
    public async Task Without_listeners_no_span_is_started()
    {
        using var registry = new ResilienceRegistry(new FakeTimeProvider());
        Activity? seen = new Activity("sentinel");
        var decorator = new Decorator(registry, (_, _) =>
        {
            seen = Activity.Current;
            return ValueTask.FromResult("ok");
        });

        await decorator.GetAsync(1, default);

        Assert.Null(seen);
    }
}
