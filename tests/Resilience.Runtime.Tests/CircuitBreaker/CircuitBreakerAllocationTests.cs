using Microsoft.Extensions.Time.Testing;

namespace Resilience.Runtime.Tests.CircuitBreaker;

using CircuitBreaker = global::Resilience.CircuitBreaker;

/// <summary>The closed-state hot path (acquire + record) must not allocate, whatever the outcome.</summary>
[Collection(AllocationCollection.Name)]
public sealed class CircuitBreakerAllocationTests
{
    private const int Cycles = 10_000;

    public enum Outcome
    {
        Success,
        Failure,
        HandledException,
        Timeout,
        UnhandledException,
        CallerCancellation,
        Rejection,
    }

    public static TheoryData<string, Outcome> Cases()
    {
        var data = new TheoryData<string, Outcome>();
        foreach (string policy in new[] { "consecutive", "failure-ratio", "timeout-ratio" })
        {
            foreach (Outcome outcome in Enum.GetValues<Outcome>())
            {
                data.Add(policy, outcome);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void ClosedCircuit_AcquireAndRecord_AllocatesNothing(string policy, Outcome outcome)
    {
        var options = policy switch
        {
            // Never reached: the policy is consulted on every failure but never trips.
            "consecutive" => new CircuitBreakerOptions { FailureThreshold = int.MaxValue },
            // One success recorded first keeps the ratio below 1, so the division really runs and never trips.
            "failure-ratio" => new CircuitBreakerOptions { FailureRatio = 1.0, MinimumThroughput = 1 },
            _ => new CircuitBreakerOptions { FailureRatio = 1.0, TimeoutRatio = 1.0, MinimumThroughput = 1 },
        };
        options.Handle = [typeof(InvalidOperationException)];
        var time = new FakeTimeProvider();
        var breaker = new CircuitBreaker("alloc", options, time);
        breaker.Acquire().RecordSuccess();

        var handled = new InvalidOperationException();
        var timeout = new TimeoutException();
        var unhandled = new FormatException();
        var cancellation = new OperationCanceledException();
        var rejection = new BrokenCircuitException("nested", CircuitState.Open, null);
        using var source = new CancellationTokenSource();
        source.Cancel();
        CancellationToken cancelled = source.Token;

        Run(breaker, outcome, 1_000, handled, timeout, unhandled, cancellation, rejection, cancelled); // warm up
        long allocated = AllocationProbe.Least(
            () => Run(breaker, outcome, Cycles, handled, timeout, unhandled, cancellation, rejection, cancelled),
            out int windows);

        Assert.Equal(0, allocated);
        Assert.Equal(CircuitState.Closed, breaker.State);
        CircuitCounts counts = breaker.Counts;
        long expectedRequests = outcome is Outcome.UnhandledException or Outcome.CallerCancellation or Outcome.Rejection
            ? 1
            : 1 + 1_000 + (windows * Cycles);
        Assert.Equal(expectedRequests, counts.Requests); // the cycles really went through the breaker
    }

    private static void Run(
        CircuitBreaker breaker,
        Outcome outcome,
        int cycles,
        Exception handled,
        Exception timeout,
        Exception unhandled,
        Exception cancellation,
        Exception rejection,
        CancellationToken cancelled)
    {
        for (int i = 0; i < cycles; i++)
        {
            CircuitBreakerLease lease;
            if (i % 2 == 0)
            {
                lease = breaker.Acquire();
            }
            else if (!breaker.TryAcquire(out lease))
            {
                throw new InvalidOperationException("The circuit opened during an allocation test.");
            }

            _ = lease.IsCircuitOpen;
            switch (outcome)
            {
                case Outcome.Success: lease.RecordSuccess(); break;
                case Outcome.Failure: lease.RecordFailure(); break;
                case Outcome.HandledException: lease.RecordException(handled, CancellationToken.None); break;
                case Outcome.Timeout: lease.RecordException(timeout, CancellationToken.None); break;
                case Outcome.UnhandledException: lease.RecordException(unhandled, CancellationToken.None); break;
                case Outcome.CallerCancellation: lease.RecordException(cancellation, cancelled); break;
                default: lease.RecordException(rejection, CancellationToken.None); break;
            }
        }
    }
}
