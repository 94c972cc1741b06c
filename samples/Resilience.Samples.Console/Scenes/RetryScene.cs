using System.Net;
using Resilience.Samples.Console.Stage;

namespace Resilience.Samples.Console.Scenes;

/// <summary>Stock levels from the warehouse; the warehouse API sometimes fails for a moment.</summary>
internal interface IInventoryService
{
    // [Retry] calls again after a failure: up to 3 retries after the first attempt, waiting 40 ms, then 80 ms,
    // then 160 ms (Exponential: DelayMs × Multiplier^(retry − 1)). Jitter = 0 keeps the numbers exact for this
    // demo; in production keep the default 0.2, so that many clients do not retry in lockstep.
    [Retry(MaxRetries = 3, DelayMs = 40, Backoff = BackoffType.Exponential, Multiplier = 2.0, Jitter = 0)]
    Task<int> GetStockAsync(string sku, CancellationToken cancellationToken = default);
}

/// <summary>
/// Stands in for the warehouse API, with a fixed script per SKU: A-1 fails twice and then answers, B-2 always
/// fails, and an unknown SKU fails with <see cref="PermanentException"/> (retrying cannot help).
/// </summary>
internal sealed class FlakyInventoryService(DownstreamLog log) : IInventoryService
{
    public DownstreamLog Log { get; } = log;

    public async Task<int> GetStockAsync(string sku, CancellationToken cancellationToken = default)
    {
        Attempt attempt = Log.Begin(sku);
        await Task.Delay(5, cancellationToken); // the network round trip

        int failuresBeforeSuccess = sku switch
        {
            "A-1" => 2,
            "B-2" => int.MaxValue,
            _ => throw Permanent(attempt),
        };

        if (attempt.Number <= failuresBeforeSuccess)
        {
            Log.End(attempt, "503 Service Unavailable");
            throw new HttpRequestException("503 Service Unavailable", null, HttpStatusCode.ServiceUnavailable);
        }

        Log.End(attempt, "42 in stock");
        return 42;
    }

    private PermanentException Permanent(Attempt attempt)
    {
        Log.End(attempt, "404 unknown SKU");
        // PermanentException tells every retry "do not bother": the answer will not change.
        return new PermanentException($"SKU '{attempt.Request}' does not exist.");
    }
}

/// <summary>Scene 1: retries, with the backoff growing between attempts.</summary>
internal static class RetryScene
{
    // Only lower bounds are checked: a busy machine adds time to every wait. Timers run on a coarse clock (a few
    // milliseconds on some systems), so one may fire slightly before a precise stopwatch sees the full delay: 5 ms slack.
    private const double SlackMilliseconds = 5;

    public static async Task RunAsync(Demo demo)
    {
        demo.Log.Heading(
            "1. [Retry]: transient failures are retried, with a growing delay",
            "Watch the wait before each retry: 40 ms, then 80 ms, then 160 ms (Jitter = 0, so no random spread).");

        var warehouse = new FlakyInventoryService(demo.Downstream("inventory"));

        // The generated decorator implements the same interface; it needs the real service and, optionally, the
        // registry that owns the strategy instances (without one it uses ResilienceRegistry.Shared).
        IInventoryService inventory = new InventoryServiceResilient(warehouse, demo.Registry);

        CallResult<int> recovered = await demo.CallAsync("GetStockAsync(\"A-1\")", () => inventory.GetStockAsync("A-1"));
        demo.Expect(
            recovered.Value == 42 && warehouse.Log.AttemptCount("A-1") == 3,
            "A-1 answered on attempt 3, after 2 retries; the caller never saw the failures");
        demo.Expect(
            WaitsAreAtLeast(warehouse.Log.Waits("A-1"), 40, 80),
            "the retries waited at least 40 ms, then at least 80 ms");

        CallResult<int> exhausted = await demo.CallAsync("GetStockAsync(\"B-2\")", () => inventory.GetStockAsync("B-2"));
        demo.Expect(
            exhausted.Error is HttpRequestException && warehouse.Log.AttemptCount("B-2") == 4,
            "B-2 gave up after 1 + 3 attempts and the last failure reached the caller");
        demo.Expect(
            WaitsAreAtLeast(warehouse.Log.Waits("B-2"), 40, 80, 160),
            "the retries waited at least 40, 80, then 160 ms");

        CallResult<int> unknown = await demo.CallAsync("GetStockAsync(\"Z-9\")", () => inventory.GetStockAsync("Z-9"));
        demo.Expect(
            unknown.Error is PermanentException && warehouse.Log.AttemptCount("Z-9") == 1,
            "Z-9 failed with PermanentException, which is never retried");
    }

    // Whether each wait before a retry lasted at least the configured delay.
    private static bool WaitsAreAtLeast(IReadOnlyList<TimeSpan> waits, params int[] minimumMilliseconds)
    {
        if (waits.Count != minimumMilliseconds.Length)
        {
            return false;
        }

        for (int i = 0; i < waits.Count; i++)
        {
            if (waits[i].TotalMilliseconds < minimumMilliseconds[i] - SlackMilliseconds)
            {
                return false;
            }
        }

        return true;
    }
}
