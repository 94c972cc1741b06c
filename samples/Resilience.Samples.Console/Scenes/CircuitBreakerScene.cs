using System.Collections.Concurrent;
using System.Net;
using Resilience.Samples.Console.Stage;

namespace Resilience.Samples.Console.Scenes;

// [CircuitBreaker] on the interface: one breaker shared by every method of it, named after the interface
// ("Resilience.Samples.Console.Scenes.IPaymentsService"; set Name = "..." to choose another or to share it).
// 3 failures in a row open the circuit. While open, calls are rejected at once with BrokenCircuitException, so the
// struggling provider gets a rest and callers do not wait for timeouts. After BreakDurationMs one probe call is let
// through (half-open): a success closes the circuit, a failure opens it for another break.

/// <summary>Takes payments through an external provider.</summary>
[CircuitBreaker(FailureThreshold = 3, BreakDurationMs = 300)]
internal interface IPaymentsService
{
    Task<string> ChargeAsync(string orderId, decimal amount, CancellationToken cancellationToken = default);
}

/// <summary>Stands in for the payment provider: it is down for its first 4 charges, then recovers.</summary>
internal sealed class FlakyPaymentsService(DownstreamLog log) : IPaymentsService
{
    private const int ChargesWhileDown = 4;
    private int _charges;

    public int Charges => Volatile.Read(ref _charges);

    public async Task<string> ChargeAsync(string orderId, decimal amount, CancellationToken cancellationToken = default)
    {
        int charge = Interlocked.Increment(ref _charges);
        await Task.Delay(5, cancellationToken);
        if (charge <= ChargesWhileDown)
        {
            log.Write($"charge #{charge} ({orderId}, {amount:0.00}): 503, provider down");
            throw new HttpRequestException("503 Service Unavailable", null, HttpStatusCode.ServiceUnavailable);
        }

        log.Write($"charge #{charge} ({orderId}, {amount:0.00}): charged");
        return $"receipt #{charge}";
    }
}

/// <summary>Scene 2: the circuit opens, rejects, half-opens, re-opens after a failed probe, then closes.</summary>
internal static class CircuitBreakerScene
{
    public static async Task RunAsync(Demo demo)
    {
        demo.Log.Heading(
            "2. [CircuitBreaker]: stop calling a provider that is down, probe it now and then",
            "The provider is down for 4 charges. Watch the breaker open, reject without calling, and probe after 300 ms.");

        var provider = new FlakyPaymentsService(demo.Downstream("payments"));
        IPaymentsService payments = new PaymentsServiceResilient(provider, demo.Registry);

        // The proxy created the breaker in the registry under the interface's name; fetch it to watch its state.
        string breakerName = typeof(IPaymentsService).FullName!;
        if (!demo.Registry.TryGetCircuitBreaker(breakerName, out CircuitBreaker? breaker))
        {
            demo.Expect(false, $"the registry holds a breaker named '{breakerName}'");
            return;
        }

        var states = new ConcurrentQueue<CircuitState>();
        breaker.StateChanged += (_, e) =>
        {
            states.Enqueue(e.NewState);
            demo.Log.Strategy("breaker", $"{e.OldState} -> {e.NewState} ({e.Reason})");
        };

        int order = 0;
        Task<CallResult<string>> ChargeNextAsync()
        {
            string orderId = $"order-{++order}";
            return demo.CallAsync($"ChargeAsync(\"{orderId}\", 19.90)", () => payments.ChargeAsync(orderId, 19.90m));
        }

        // Orders 1-3 fail and open the circuit; orders 4-5 are rejected without reaching the provider.
        for (int i = 0; i < 5; i++)
        {
            await ChargeNextAsync();
        }

        demo.Expect(
            breaker.State == CircuitState.Open && provider.Charges == 3,
            "the circuit opened after 3 failures, and the 2 calls after that never reached the provider");

        // The break ends; the next call is the probe. The provider is still down (charge 4), so the circuit re-opens.
        await demo.PauseAsync(350, "the circuit stays open for 300 ms");
        CallResult<string> failedProbe = await ChargeNextAsync();
        CallResult<string> rejected = await ChargeNextAsync();
        demo.Expect(
            failedProbe.Error is HttpRequestException && rejected.Error is BrokenCircuitException,
            "after the break one probe went through, failed, and the circuit opened again");

        // Next break; this time the probe succeeds and the circuit closes: calls flow again.
        await demo.PauseAsync(350, "another 300 ms break");
        CallResult<string> probe = await ChargeNextAsync();
        CallResult<string> afterwards = await ChargeNextAsync();
        demo.Expect(
            probe.Succeeded && afterwards.Succeeded && breaker.State == CircuitState.Closed,
            "the next probe succeeded, the circuit closed, and calls flow again");

        CircuitState[] expected = [CircuitState.Open, CircuitState.HalfOpen, CircuitState.Open, CircuitState.HalfOpen, CircuitState.Closed];
        demo.Expect(
            states.SequenceEqual(expected),
            $"StateChanged reported {string.Join(" -> ", expected)}");
        demo.Expect(provider.Charges == 6, "9 calls, of which only 6 reached the provider");
    }
}
