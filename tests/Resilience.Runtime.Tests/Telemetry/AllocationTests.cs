using Microsoft.Extensions.Time.Testing;

namespace Resilience.Runtime.Tests.Telemetry;

[Collection(TelemetryCollection.Name)]
public sealed class AllocationTests
{
    [Fact]
    public void Call_scope_with_nobody_listening_allocates_nothing()
    {
        using var registry = new ResilienceRegistry(new FakeTimeProvider());
        CallTelemetry telemetry = registry.Telemetry.CreateCall("Tests.IUsers", "GetAsync");
        Resilience.CircuitBreaker breaker = registry.GetOrAddCircuitBreaker("db", new CircuitBreakerOptions());
        RetryStrategy retry = registry.GetOrAddRetry("r", new RetryOptions());

        int sum = Run(telemetry, breaker, retry, 1000); // warm-up
        long allocated = AllocationProbe.Least(() => sum += Run(telemetry, breaker, retry, 10_000), out int windows);

        Assert.Equal(0, allocated);
        Assert.Equal(1_000 + (windows * 10_000), sum);
    }

    [Fact]
    public async Task Decorated_async_call_with_nobody_listening_allocates_nothing()
    {
        using var registry = new ResilienceRegistry(new FakeTimeProvider());
        Resilience.CircuitBreaker breaker = registry.GetOrAddCircuitBreaker("db", new CircuitBreakerOptions());
        RetryStrategy retry = registry.GetOrAddRetry("r", new RetryOptions());
        var decorator = new Decorator(registry, static (_, _) => ValueTask.FromResult("ok"), breaker, retry, fallback: true);

        for (int i = 0; i < 1000; i++)
        {
            await decorator.GetAsync(i, default);
        }

        long allocated = Measure(decorator);

        Assert.Equal(0, allocated);
    }

    private static long Measure(Decorator decorator) => AllocationProbe.Least(() =>
    {
        for (int i = 0; i < 10_000; i++)
        {
            ValueTask<string> pending = decorator.GetAsync(i, default);
            if (!pending.IsCompletedSuccessfully)
            {
                throw new InvalidOperationException("The call did not complete synchronously.");
            }
        }
    });

    // The shape generated for a synchronous method with a breaker and a retry.
    private static int Run(CallTelemetry telemetry, Resilience.CircuitBreaker breaker, RetryStrategy retry, int count)
    {
        int sum = 0;
        for (int i = 0; i < count; i++)
        {
            var call = telemetry.Start();
            try
            {
                CircuitBreakerLease lease = breaker.Acquire();
                try
                {
                    for (int attempt = 1; ; attempt++)
                    {
                        call.StartAttempt(attempt);
                        try
                        {
                            sum++;
                            lease.RecordSuccess();
                            break;
                        }
                        catch (Exception ex) when (retry.ShouldRetry(ex, attempt, default))
                        {
                            call.RetryDelay(retry, attempt, ex, default);
                        }
                    }
                }
                catch (Exception ex)
                {
                    lease.RecordException(ex, default);
                    throw;
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

        return sum;
    }
}
