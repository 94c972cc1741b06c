using Resilience.Samples.Console.Stage;

namespace Resilience.Samples.Console.Scenes;

/// <summary>Estimates shipping costs with a carrier API that is sometimes very slow.</summary>
internal interface IShippingService
{
    // [Timeout] bounds the whole call (every retry and delay inside it included) to 200 ms. The proxy hands the real
    // service a token that is cancelled when the time is up, so the slow work really stops, and the caller gets a
    // ResilienceTimeoutException. Give the method a CancellationToken parameter, or the work can only be abandoned.
    [Timeout(200)]
    Task<decimal> EstimateAsync(string postcode, CancellationToken cancellationToken = default);
}

/// <summary>Stands in for the carrier API: fast for most postcodes, 5 seconds for a remote island.</summary>
internal sealed class SlowShippingService(DownstreamLog log) : IShippingService
{
    private readonly TaskCompletionSource _cancelled = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when the service has seen its token cancelled and stopped working.</summary>
    public Task Cancelled => _cancelled.Task;

    public async Task<decimal> EstimateAsync(string postcode, CancellationToken cancellationToken = default)
    {
        int workMilliseconds = postcode == "ZE2 9" ? 5_000 : 40;
        log.Write($"estimating {postcode} (this takes {workMilliseconds} ms)");
        long started = TimeProvider.System.GetTimestamp();
        try
        {
            await Task.Delay(workMilliseconds, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            _cancelled.TrySetResult();
            log.Write($"estimating {postcode}: token cancelled after {TimeProvider.System.GetElapsedTime(started).TotalMilliseconds:0} ms, work stopped");
            throw;
        }

        log.Write($"estimating {postcode}: 4.90");
        return 4.90m;
    }
}

/// <summary>Scene 6: the timeout cancels slow work.</summary>
internal static class TimeoutScene
{
    public static async Task RunAsync(Demo demo)
    {
        demo.Log.Heading(
            "6. [Timeout(200)]: slow work is cancelled, not waited for",
            "The second estimate would take 5 s; the carrier sees its token cancelled at 200 ms.");

        var carrier = new SlowShippingService(demo.Downstream("shipping"));
        IShippingService shipping = new ShippingServiceResilient(carrier, demo.Registry);

        CallResult<decimal> fast = await demo.CallAsync("EstimateAsync(\"10115\")", () => shipping.EstimateAsync("10115"));
        demo.Expect(fast.Succeeded, "a 40 ms estimate finished well within the 200 ms");

        TimeSpan before = demo.Log.Elapsed;
        CallResult<decimal> slow = await demo.CallAsync("EstimateAsync(\"ZE2 9\")", () => shipping.EstimateAsync("ZE2 9"));
        TimeSpan took = demo.Log.Elapsed - before;

        // The caller's wait ends at the deadline; the carrier's own cancelled await resumes on another thread,
        // possibly a moment later (on a busy machine): wait for it, bounded.
        bool carrierStopped = await carrier.Cancelled.WaitAsync(TimeSpan.FromSeconds(2)).ContinueWith(t => t.IsCompletedSuccessfully, TaskScheduler.Default);
        demo.Expect(
            slow.Error is ResilienceTimeoutException && carrierStopped,
            "the 5 s estimate ended with ResilienceTimeoutException, and the carrier saw its token cancelled");
        demo.Expect(took < TimeSpan.FromSeconds(2), $"the caller got its answer after {took.TotalMilliseconds:0} ms, not 5 s");
    }
}
