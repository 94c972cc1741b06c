using System.Diagnostics;
using Microsoft.Extensions.Time.Testing;

namespace Resilience.Runtime.Tests.Telemetry;

/// <summary>A <see cref="ResilientCall{T}"/> reports like a generated method, tagged <c>resilience.operation</c>.</summary>
[Collection(TelemetryCollection.Name)]
public sealed class ResilientCallTelemetryTests
{
    private static readonly RetryOptions TwoRetries = new() { MaxRetries = 2, Delay = TimeSpan.Zero, Backoff = BackoffType.Constant, Jitter = 0 };

    [Fact]
    public async Task A_call_is_a_span_named_after_the_operation_with_a_child_span_per_attempt()
    {
        using var registry = new ResilienceRegistry(new FakeTimeProvider());
        using var spans = new SpanCollector(registry);
        ResilientCall<string> resilient = ResilientCall.For<string>(registry).WithName("payments.charge").WithRetry(TwoRetries).Build();
        int calls = 0;

        Assert.Equal("ok", await resilient.ExecuteAsync(_ => ++calls < 3 ? throw new TimeoutException() : ValueTask.FromResult("ok")));

        Activity call = spans.Stopped.Single(a => a.OperationName == "payments.charge");
        Assert.Equal("payments.charge", call.GetTagItem("resilience.operation"));
        Assert.Null(call.GetTagItem("resilience.interface"));
        Assert.Null(call.GetTagItem("resilience.method"));
        Assert.Equal("success", call.GetTagItem("resilience.outcome"));
        Assert.Equal(2, call.Events.Count(e => e.Name == "resilience.retry"));
        List<Activity> attempts = spans.Stopped.Where(a => a.OperationName == "payments.charge attempt").ToList();
        Assert.Equal([1, 2, 3], attempts.Select(a => (int)a.GetTagItem("resilience.attempt")!).Order());
        Assert.All(attempts, a => Assert.Equal(call.SpanId, a.ParentSpanId));
        Assert.All(attempts, a => Assert.Equal("payments.charge", a.GetTagItem("resilience.operation")));
    }

    [Fact]
    public async Task Calls_retries_and_outcomes_are_measured_with_the_operation_tag()
    {
        using var registry = new ResilienceRegistry(new FakeTimeProvider());
        using var metrics = new MetricCollector(registry);
        var retries = new List<RetryEventArgs>();
        var fallbacks = new List<FallbackEventArgs>();
        registry.OnRetry += (_, e) => retries.Add(e);
        registry.OnFallback += (_, e) => fallbacks.Add(e);
        ResilientCall<string> resilient = ResilientCall.For<string>(registry)
            .WithName("payments.charge")
            .WithRetry(TwoRetries)
            .WithFallback((_, _) => ValueTask.FromResult("fallback"))
            .Build();

        Assert.Equal("fallback", await resilient.ExecuteAsync(_ => ValueTask.FromException<string>(new TimeoutException())));
        Assert.Equal("ok", await resilient.ExecuteAsync(_ => ValueTask.FromResult("ok")));

        IReadOnlyList<Recorded> calls = metrics.Of("resilience.calls");
        Assert.Equal(2, calls.Count);
        Assert.All(calls, c =>
        {
            Assert.Equal("payments.charge", c.Tag("resilience.operation"));
            Assert.False(c.Tags.ContainsKey("resilience.interface"));
        });
        Assert.Contains(calls, c => (string?)c.Tag("resilience.outcome") == "fallback" && (string?)c.Tag("error.type") == "System.TimeoutException");
        Assert.Contains(calls, c => (string?)c.Tag("resilience.outcome") == "success");
        Assert.Equal(2, metrics.Of("resilience.call.duration").Count);

        IReadOnlyList<Recorded> retried = metrics.Of("resilience.retry.attempts");
        Assert.Equal(2, retried.Count);
        Assert.All(retried, r => Assert.Equal(("payments.charge", "payments.charge"), (r.Tag("resilience.operation"), r.Tag("resilience.instance"))));

        Assert.Equal(2, retries.Count);
        Assert.All(retries, r => Assert.Equal(("payments.charge", "", ""), (r.OperationName, r.InterfaceName, r.MethodName)));
        Assert.Equal("payments.charge", Assert.Single(fallbacks).OperationName);
    }

    [Fact]
    public async Task Rejections_and_timeouts_of_private_strategies_are_counted_with_the_operation()
    {
        var time = new FakeTimeProvider();
        using var registry = new ResilienceRegistry(time);
        using var metrics = new MetricCollector(registry);
        ResilientCall<string> limited = ResilientCall.For<string>(registry)
            .WithName("search")
            .WithRateLimit(new RateLimitOptions { PermitLimit = 1, Window = TimeSpan.FromMinutes(1), Algorithm = RateLimitAlgorithm.FixedWindow })
            .Build();
        ResilientCall<string> timed = ResilientCall.For<string>(registry).WithTimeout(TimeSpan.FromSeconds(1)).Build();

        Assert.Equal("ok", await limited.ExecuteAsync(_ => ValueTask.FromResult("ok")));
        await Assert.ThrowsAsync<RateLimitRejectedException>(() => limited.ExecuteAsync(_ => ValueTask.FromResult("never")).AsTask());
        await Assert.ThrowsAsync<ResilienceTimeoutException>(() => timed.ExecuteAsync(async ct =>
        {
            Task wait = Task.Delay(System.Threading.Timeout.InfiniteTimeSpan, ct);
            time.Advance(TimeSpan.FromSeconds(1));
            await wait;
            return "never";
        }).AsTask());

        Recorded rejection = Assert.Single(metrics.Of("resilience.rejections"));
        Assert.Equal(("search", "rate_limit", "search"), (rejection.Tag("resilience.instance"), rejection.Tag("resilience.strategy"), rejection.Tag("resilience.operation")));
        Recorded timeout = Assert.Single(metrics.Of("resilience.timeouts"));
        Assert.Equal(("ResilientCall<String>", "ResilientCall<String>"), (timeout.Tag("resilience.instance"), timeout.Tag("resilience.operation")));

        IReadOnlyList<Recorded> calls = metrics.Of("resilience.calls");
        Assert.Contains(calls, c => (string?)c.Tag("resilience.outcome") == "rejected" && (string?)c.Tag("resilience.strategy") == "rate_limit" && (string?)c.Tag("resilience.instance") == "search");
        Assert.Contains(calls, c => (string?)c.Tag("resilience.outcome") == "failure" && (string?)c.Tag("resilience.strategy") == "timeout");
    }

    [Fact]
    public async Task A_private_breaker_reports_its_transitions_and_rejections()
    {
        using var registry = new ResilienceRegistry(new FakeTimeProvider());
        using var metrics = new MetricCollector(registry);
        var changes = new List<CircuitStateChangedEventArgs>();
        registry.OnBreakerStateChanged += (_, e) => changes.Add(e);
        ResilientCall<int> resilient = ResilientCall.For<int>(registry).WithCircuitBreaker(new CircuitBreakerOptions { FailureThreshold = 1 }).Build();

        await Assert.ThrowsAsync<InvalidOperationException>(() => resilient.ExecuteAsync(_ => ValueTask.FromException<int>(new InvalidOperationException())).AsTask());
        await Assert.ThrowsAsync<BrokenCircuitException>(() => resilient.ExecuteAsync(_ => ValueTask.FromResult(1)).AsTask());

        Assert.Equal("ResilientCall<Int32>", Assert.Single(changes).Name);
        Assert.Equal("open", Assert.Single(metrics.Of("resilience.circuit_breaker.transitions")).Tag("resilience.circuit_breaker.state"));
        Assert.Equal("ResilientCall<Int32>", Assert.Single(metrics.Of("resilience.rejections")).Tag("resilience.operation"));
    }

    [Fact]
    public void WithName_may_be_given_once_and_not_empty()
    {
        using var registry = new ResilienceRegistry(new FakeTimeProvider());

        Assert.ThrowsAny<ArgumentException>(() => ResilientCall.For<int>(registry).WithName(""));
        var ex = Assert.Throws<InvalidOperationException>(() => ResilientCall.For<int>(registry).WithName("a").WithName("b"));
        Assert.StartsWith("WithName was already called", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_nobody_listening_a_synchronous_execution_allocates_nothing()
    {
        using var registry = new ResilienceRegistry(new FakeTimeProvider());
        ResilientCall<int> resilient = ResilientCall.For<int>(registry).WithName("op").WithRetry(TwoRetries).WithCircuitBreaker(new CircuitBreakerOptions()).Build();
        Func<int, CancellationToken, ValueTask<int>> action = static (x, _) => new ValueTask<int>(x);

        for (int i = 0; i < 100; i++)
        {
            await resilient.ExecuteAsync(action, i);
        }

        int sum = 0;
        long allocated = AllocationProbe.Least(
            () =>
            {
                for (int i = 0; i < 1_000; i++)
                {
                    ValueTask<int> pending = resilient.ExecuteAsync(action, 1);
                    if (!pending.IsCompletedSuccessfully)
                    {
                        throw new InvalidOperationException("The execution did not complete synchronously.");
                    }

                    sum += pending.Result; // completed: no suspension, no allocation
                }
            },
            out int windows);

        Assert.Equal(0, allocated);
        Assert.Equal(windows * 1_000, sum);
    }
}
