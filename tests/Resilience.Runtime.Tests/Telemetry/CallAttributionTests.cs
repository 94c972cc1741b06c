using System.Diagnostics;
using Microsoft.Extensions.Time.Testing;

namespace Resilience.Runtime.Tests.Telemetry;

/// <summary>Rejections and timeouts are counted once, by the strategy, with the tags of the call they happened in.</summary>
[Collection(TelemetryCollection.Name)]
public sealed class CallAttributionTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_rejection_ending_a_call_is_counted_once_with_the_calls_tags(bool traced)
    {
        using var registry = new ResilienceRegistry(new FakeTimeProvider());
        using var metrics = new MetricCollector(registry);
        using SpanCollector? spans = traced ? new SpanCollector(registry) : null;
        Resilience.CircuitBreaker breaker = registry.GetOrAddCircuitBreaker("db", new CircuitBreakerOptions());
        breaker.Isolate();
        var decorator = new Decorator(registry, (_, _) => ValueTask.FromResult("never"), breaker);

        await Assert.ThrowsAsync<BrokenCircuitException>(() => decorator.GetAsync(1, default).AsTask());

        Recorded rejection = Assert.Single(metrics.Of("resilience.rejections"));
        Assert.Equal("db", rejection.Tag("resilience.instance"));
        Assert.Equal("circuit_breaker", rejection.Tag("resilience.strategy"));
        Assert.Equal("Resilience.BrokenCircuitException", rejection.Tag("error.type"));
        Assert.Equal("Tests.IUsers", rejection.Tag("resilience.interface"));
        Assert.Equal("GetAsync", rejection.Tag("resilience.method"));
        Assert.Equal("Tests.IUsers.GetAsync", rejection.Tag("resilience.operation"));

        Recorded call = Assert.Single(metrics.Of("resilience.calls"));
        Assert.Equal("rejected", call.Tag("resilience.outcome"));
        Assert.Equal("circuit_breaker", call.Tag("resilience.strategy"));
        Assert.Equal("db", call.Tag("resilience.instance"));
        Assert.Equal("Tests.IUsers.GetAsync", call.Tag("resilience.operation"));
    }

    [Fact]
    public async Task A_rejection_after_an_await_inside_the_call_is_attributed_to_the_call()
    {
        using var registry = new ResilienceRegistry(new FakeTimeProvider());
        using var metrics = new MetricCollector(registry);
        Resilience.Bulkhead bulkhead = registry.GetOrAddBulkhead("pool", new BulkheadOptions { MaxConcurrency = 1, MaxQueue = 0 });
        await bulkhead.EnterAsync(default);
        var decorator = new Decorator(registry, async (_, ct) =>
        {
            await Task.Yield();
            await bulkhead.EnterAsync(ct);
            return "never";
        });

        await Assert.ThrowsAsync<BulkheadRejectedException>(() => decorator.GetAsync(1, default).AsTask());

        Recorded rejection = Assert.Single(metrics.Of("resilience.rejections"));
        Assert.Equal("bulkhead", rejection.Tag("resilience.strategy"));
        Assert.Equal("Tests.IUsers", rejection.Tag("resilience.interface"));
        Assert.Equal("rejected", Assert.Single(metrics.Of("resilience.calls")).Tag("resilience.outcome"));
    }

    [Fact]
    public async Task Rejections_outside_a_call_have_no_call_tags_and_a_finished_call_leaves_nothing_behind()
    {
        using var registry = new ResilienceRegistry(new FakeTimeProvider());
        using var metrics = new MetricCollector(registry);
        Resilience.CircuitBreaker breaker = registry.GetOrAddCircuitBreaker("db", new CircuitBreakerOptions());
        CallTelemetry telemetry = registry.Telemetry.CreateCall("Tests.IUsers", "Get");

        // A synchronous call: its scope sets the ambient call on this very flow, and must restore it.
        var call = telemetry.Start();
        call.Dispose();
        breaker.Isolate();
        Assert.Throws<BrokenCircuitException>(() => breaker.Acquire());
        await Task.Yield();
        Assert.Throws<BrokenCircuitException>(() => breaker.Acquire());

        IReadOnlyList<Recorded> rejections = metrics.Of("resilience.rejections");
        Assert.Equal(2, rejections.Count);
        Assert.All(rejections, r =>
        {
            Assert.Equal("db", r.Tag("resilience.instance"));
            Assert.False(r.Tags.ContainsKey("resilience.interface"));
            Assert.False(r.Tags.ContainsKey("resilience.operation"));
        });
    }

    [Fact]
    public void Another_registrys_call_is_not_used_for_tags()
    {
        using var registry = new ResilienceRegistry(new FakeTimeProvider());
        using var other = new ResilienceRegistry(new FakeTimeProvider());
        using var metrics = new MetricCollector(registry);
        using var otherMetrics = new MetricCollector(other);
        Resilience.CircuitBreaker breaker = registry.GetOrAddCircuitBreaker("db", new CircuitBreakerOptions());
        breaker.Isolate();

        var call = other.Telemetry.CreateCall("Tests.IOther", "Get").Start();
        try
        {
            Assert.Throws<BrokenCircuitException>(() => breaker.Acquire());
        }
        finally
        {
            call.Dispose();
        }

        Assert.False(Assert.Single(metrics.Of("resilience.rejections")).Tags.ContainsKey("resilience.interface"));
    }

    [Fact]
    public void A_timeout_ending_a_call_is_counted_once_with_the_calls_tags()
    {
        var time = new FakeTimeProvider();
        using var registry = new ResilienceRegistry(time);
        using var metrics = new MetricCollector(registry);
        TimeoutStrategy timeout = registry.GetOrAddTimeout("Tests.IUsers.Get", TimeSpan.FromSeconds(1));
        CallTelemetry telemetry = registry.Telemetry.CreateCall("Tests.IUsers", "Get");

        Assert.Throws<ResilienceTimeoutException>(() => TimedCall(telemetry, timeout, time));

        Recorded recorded = Assert.Single(metrics.Of("resilience.timeouts"));
        Assert.Equal("Tests.IUsers.Get", recorded.Tag("resilience.instance"));
        Assert.Equal("timeout", recorded.Tag("resilience.strategy"));
        Assert.Equal("Resilience.ResilienceTimeoutException", recorded.Tag("error.type"));
        Assert.Equal("Tests.IUsers", recorded.Tag("resilience.interface"));
        Assert.Equal("Get", recorded.Tag("resilience.method"));

        Recorded call = Assert.Single(metrics.Of("resilience.calls"));
        Assert.Equal("failure", call.Tag("resilience.outcome"));
        Assert.Equal("Resilience.ResilienceTimeoutException", call.Tag("error.type"));
        Assert.Equal("timeout", call.Tag("resilience.strategy"));
        Assert.Equal("Tests.IUsers.Get", call.Tag("resilience.instance"));
        Assert.Empty(metrics.Of("resilience.rejections"));
    }

    [Fact]
    public void A_retried_attempt_timeout_is_counted_as_a_timeout_of_the_call_that_then_succeeds()
    {
        var time = new FakeTimeProvider();
        using var registry = new ResilienceRegistry(time);
        using var metrics = new MetricCollector(registry);
        RetryStrategy retry = registry.GetOrAddRetry("r", new RetryOptions { MaxRetries = 1, Delay = TimeSpan.Zero, Jitter = 0, AttemptTimeout = TimeSpan.FromSeconds(1) });
        CallTelemetry telemetry = registry.Telemetry.CreateCall("Tests.IUsers", "Get");

        var call = telemetry.Start();
        try
        {
            for (int attempt = 1; ; attempt++)
            {
                call.StartAttempt(attempt);
                try
                {
                    TimedCall(null, retry.AttemptTimeout!, attempt == 1 ? time : null);
                    break;
                }
                catch (Exception ex) when (retry.ShouldRetry(ex, attempt, default))
                {
                    call.RetryDelay(retry, attempt, ex, default);
                }
            }
        }
        catch (Exception ex) when (call.Failed(ex))
        {
            throw;
        }
        finally
        {
            call.Dispose();
        }

        Recorded recorded = Assert.Single(metrics.Of("resilience.timeouts"));
        Assert.Equal("r.attempt", recorded.Tag("resilience.instance"));
        Assert.Equal("Tests.IUsers", recorded.Tag("resilience.interface"));
        Assert.Equal("Resilience.ResilienceTimeoutException", Assert.Single(metrics.Of("resilience.retry.attempts")).Tag("error.type"));
        Assert.Equal("success", Assert.Single(metrics.Of("resilience.calls")).Tag("resilience.outcome"));
    }

    [Fact]
    public void Listening_to_call_metrics_only_sets_no_ambient_call()
    {
        using var registry = new ResilienceRegistry(new FakeTimeProvider());
        using var metrics = new MetricCollector(registry, "resilience.calls");
        CallTelemetry telemetry = registry.Telemetry.CreateCall("Tests.IUsers", "Get");

        var call = telemetry.Start();
        CallTelemetry? ambient = CallTelemetry.Ambient;
        call.Dispose();

        Assert.Null(ambient);
        Assert.Single(metrics.Of("resilience.calls"));
    }

    [Fact]
    public void A_traced_call_sets_no_ambient_call_and_its_span_carries_the_timeout()
    {
        var time = new FakeTimeProvider();
        using var registry = new ResilienceRegistry(time);
        using var metrics = new MetricCollector(registry);
        using var spans = new SpanCollector(registry);
        TimeoutStrategy timeout = registry.GetOrAddTimeout("t", TimeSpan.FromSeconds(1));
        CallTelemetry telemetry = registry.Telemetry.CreateCall("Tests.IUsers", "Get");
        CallTelemetry? ambient = null;

        Assert.Throws<ResilienceTimeoutException>(() => TimedCall(telemetry, timeout, time, () => ambient = CallTelemetry.Ambient));

        Assert.Null(ambient);
        Assert.Equal("Tests.IUsers", Assert.Single(metrics.Of("resilience.timeouts")).Tag("resilience.interface"));
        Activity span = spans.Stopped.Single(a => a.OperationName == "IUsers.Get");
        Assert.Single(span.Events, e => e.Name == "resilience.timeout");
        Assert.Equal("Resilience.ResilienceTimeoutException", span.GetTagItem("error.type"));
    }

    // The shape generated for a synchronous method with [Timeout] (the inner call sees the time run out).
    private static void TimedCall(CallTelemetry? telemetry, TimeoutStrategy timeout, FakeTimeProvider? expire, Action? inside = null)
    {
        var call = telemetry is null ? default : telemetry.Start();
        try
        {
            inside?.Invoke();
            TimeoutScope scope = timeout.Start(default);
            try
            {
                expire?.Advance(timeout.Timeout);
                scope.Token.ThrowIfCancellationRequested();
            }
            catch (OperationCanceledException ex) when (scope.IsExpired)
            {
                throw timeout.CreateException(ex);
            }
            finally
            {
                scope.Dispose();
            }
        }
        catch (Exception ex) when (call.Failed(ex))
        {
            throw;
        }
        finally
        {
            call.Dispose();
        }
    }
}
