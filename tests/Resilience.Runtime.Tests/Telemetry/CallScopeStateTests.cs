using System.Diagnostics;
using Microsoft.Extensions.Time.Testing;

namespace Resilience.Runtime.Tests.Telemetry;

/// <summary>
/// The scope keeps its state in an object each thread reuses: a call must never see what an earlier call on the thread
/// left there, calls nested in calls must not share one, and concurrent calls must report their own outcomes.
/// </summary>
[Collection(TelemetryCollection.Name)]
public sealed class CallScopeStateTests
{
    private static readonly RetryOptions OneRetry = new() { MaxRetries = 3, Delay = TimeSpan.Zero, Jitter = 0 };

    [Fact]
    public void A_call_after_a_retried_failure_nobody_listened_to_reports_only_its_own_outcome()
    {
        using var registry = new ResilienceRegistry(new FakeTimeProvider());
        RetryStrategy retry = registry.GetOrAddRetry("r", OneRetry);
        CallTelemetry telemetry = registry.Telemetry.CreateCall("Tests.IUsers", "Get");
        var error = new InvalidOperationException("down");

        // Nobody listens: the retry takes the thread's state to remember the pending retry; the failure ends the call.
        var first = telemetry.Start();
        first.StartAttempt(1);
        first.RetryDelay(retry, 1, error, CancellationToken.None);
        first.StartAttempt(2);
        first.Failed(error);
        first.Dispose();

        using var metrics = new MetricCollector(registry, "resilience.calls", "resilience.retry.attempts");
        using var spans = new SpanCollector(registry);
        var second = telemetry.Start();
        second.StartAttempt(1);
        second.Dispose();

        Recorded call = Assert.Single(metrics.Of("resilience.calls"));
        Assert.Equal("success", call.Tag("resilience.outcome"));
        Assert.Null(call.Tag("error.type"));
        Assert.Empty(metrics.Of("resilience.retry.attempts"));
        Activity span = Assert.Single(spans.Stopped, a => a.DisplayName == "IUsers.Get");
        Assert.Equal("success", span.GetTagItem("resilience.outcome"));
        Assert.Equal(ActivityStatusCode.Unset, span.Status);
    }

    [Fact]
    public void A_retry_nobody_listens_to_is_still_raised_once_when_made()
    {
        using var registry = new ResilienceRegistry(new FakeTimeProvider());
        RetryStrategy retry = registry.GetOrAddRetry("r", OneRetry);
        CallTelemetry telemetry = registry.Telemetry.CreateCall("Tests.IUsers", "Get");
        var seen = new List<int>();
        registry.OnRetry += (_, e) => seen.Add(e.Attempt);

        var call = telemetry.Start();
        call.StartAttempt(1);
        call.RetryDelay(retry, 1, new TimeoutException(), CancellationToken.None);
        Assert.Empty(seen); // reported when made, not when the delay starts
        call.StartAttempt(2);
        call.RetryDelay(retry, 2, new TimeoutException(), CancellationToken.None);
        call.StartAttempt(3);
        call.Dispose();
        call.Dispose(); // a second dispose of the same local does nothing

        Assert.Equal([1, 2], seen);
    }

    [Fact]
    public void A_default_scope_can_retry_and_be_disposed()
    {
        using var registry = new ResilienceRegistry(new FakeTimeProvider());
        RetryStrategy retry = registry.GetOrAddRetry("r", OneRetry);
        CallScope scope = default;

        scope.RetryDelay(retry, 1, new TimeoutException(), CancellationToken.None);
        scope.StartAttempt(2);
        Assert.False(scope.Failed(new TimeoutException()));
        scope.Dispose();

        Assert.False(scope.HasChaos);
        Assert.Null(scope.Activity);
    }

    [Fact]
    public void Nested_measured_calls_each_report_their_own_outcome_and_allocate_nothing_per_call()
    {
        using var registry = new ResilienceRegistry(new FakeTimeProvider());
        using var metrics = new MetricCollector(registry, "resilience.calls");
        CallTelemetry outer = registry.Telemetry.CreateCall("Tests.IOuter", "Get");
        CallTelemetry middle = registry.Telemetry.CreateCall("Tests.IMiddle", "Get");
        CallTelemetry inner = registry.Telemetry.CreateCall("Tests.IInner", "Get");
        var failure = new InvalidOperationException("inner");

        void Nest()
        {
            var a = outer.Start();
            var b = middle.Start();
            var c = inner.Start();
            c.Failed(failure);
            c.Dispose();
            b.Fallback(failure);
            b.Dispose();
            a.Dispose();
        }

        Nest();
        Recorded[] first = [.. metrics.Of("resilience.calls")];
        Assert.Equal(3, first.Length);
        Assert.Equal(
            ["Tests.IInner.Get:failure", "Tests.IMiddle.Get:fallback", "Tests.IOuter.Get:success"],
            first.Select(r => $"{r.Tag("resilience.operation")}:{r.Tag("resilience.outcome")}"));

        using var quiet = new ResilienceRegistry(new FakeTimeProvider());
        using var quietMetrics = new NoOpListener(quiet);
        CallTelemetry a = quiet.Telemetry.CreateCall("Tests.IOuter", "Get");
        CallTelemetry b = quiet.Telemetry.CreateCall("Tests.IMiddle", "Get");
        CallTelemetry c = quiet.Telemetry.CreateCall("Tests.IInner", "Get");
        void NestQuietly(int count)
        {
            for (int i = 0; i < count; i++)
            {
                var x = a.Start();
                var y = b.Start();
                var z = c.Start();
                z.Dispose();
                y.Dispose();
                x.Dispose();
            }
        }

        NestQuietly(100);
        Assert.Equal(0, AllocationProbe.Least(() => NestQuietly(1_000)));
    }

    [Fact]
    public async Task Concurrent_calls_on_the_thread_pool_report_their_own_outcomes()
    {
        using var registry = new ResilienceRegistry(new FakeTimeProvider());
        using var metrics = new MetricCollector(registry, "resilience.calls");
        using var spans = new SpanCollector(registry);
        CallTelemetry telemetry = registry.Telemetry.CreateCall("Tests.IUsers", "Get");
        const int Workers = 8;
        const int CallsEach = 500;

        // Each call's outcome follows from its number; the span carries the number, so every span can be checked.
        static string Expected(int n) => (n % 3) switch { 0 => "success", 1 => "failure", _ => "fallback" };
        Task[] workers = Enumerable.Range(0, Workers).Select(w => Task.Run(async () =>
        {
            for (int i = 0; i < CallsEach; i++)
            {
                int n = (w * CallsEach) + i;
                var call = telemetry.Start();
                call.Activity?.SetTag("test.n", n);
                await Task.Yield(); // end the call on whatever thread resumes it
                switch (Expected(n))
                {
                    case "failure":
                        call.Failed(new InvalidOperationException(n.ToString(System.Globalization.CultureInfo.InvariantCulture)));
                        break;
                    case "fallback":
                        call.Fallback(new TimeoutException());
                        break;
                }

                call.Dispose();
            }
        })).ToArray();
        await Task.WhenAll(workers).WaitAsync(TimeSpan.FromSeconds(60));

        IReadOnlyList<Recorded> calls = metrics.Of("resilience.calls");
        Assert.Equal(Workers * CallsEach, calls.Count);
        Dictionary<string, int> byOutcome = calls.GroupBy(r => (string)r.Tag("resilience.outcome")!).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(Enumerable.Range(0, Workers * CallsEach).Count(n => Expected(n) == "success"), byOutcome["success"]);
        Assert.Equal(Enumerable.Range(0, Workers * CallsEach).Count(n => Expected(n) == "failure"), byOutcome["failure"]);
        Assert.Equal(Enumerable.Range(0, Workers * CallsEach).Count(n => Expected(n) == "fallback"), byOutcome["fallback"]);

        Activity[] callSpans = [.. spans.Stopped.Where(a => a.DisplayName == "IUsers.Get")];
        Assert.Equal(Workers * CallsEach, callSpans.Length);
        foreach (Activity span in callSpans)
        {
            int n = (int)span.GetTagItem("test.n")!;
            Assert.Equal(Expected(n), span.GetTagItem("resilience.outcome"));
            if (Expected(n) == "failure")
            {
                Assert.Equal(n.ToString(System.Globalization.CultureInfo.InvariantCulture), span.StatusDescription);
            }
        }
    }

    /// <summary>Enables the call metrics of one registry and ignores what they record.</summary>
    private sealed class NoOpListener : IDisposable
    {
        private readonly System.Diagnostics.Metrics.MeterListener _listener = new();

        public NoOpListener(ResilienceRegistry registry)
        {
            System.Diagnostics.Metrics.Meter meter = registry.Telemetry.Meter;
            _listener.InstrumentPublished = (instrument, l) =>
            {
                if (ReferenceEquals(instrument.Meter, meter) && instrument.Name is "resilience.calls" or "resilience.call.duration")
                {
                    l.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>(static (_, _, _, _) => { });
            _listener.SetMeasurementEventCallback<double>(static (_, _, _, _) => { });
            _listener.Start();
        }

        public void Dispose() => _listener.Dispose();
    }
}
