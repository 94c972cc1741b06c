using System.Net;
using Resilience.Samples.Console.Stage;

namespace Resilience.Samples.Console.Scenes;

/// <summary>A price for a product.</summary>
/// <param name="Sku">The product.</param>
/// <param name="Price">The price.</param>
/// <param name="Source">Where it came from: the pricing engine, or the list price when the engine failed.</param>
internal sealed record Quote(string Sku, decimal Price, string Source);

/// <summary>Prices products with a pricing engine that may be down.</summary>
internal interface IPricingService
{
    // One quick retry first (Jitter = 0: exactly 20 ms). If the engine still fails, [Fallback] answers with
    // GetListPriceAsync instead of throwing. The fallback sees every failure below it: exhausted retries, rejections,
    // timeouts; never the caller's own cancellation.
    [Retry(MaxRetries = 1, DelayMs = 20, Jitter = 0)]
    [Fallback(nameof(GetListPriceAsync))]
    Task<Quote> GetQuoteAsync(string sku, CancellationToken cancellationToken = default);

    // The fallback: the same result type; any of the method's parameters (same name and type, same order); and
    // optionally the failure. The proxy calls it on the real service, which knows what a good degraded answer is.
    Task<Quote> GetListPriceAsync(string sku, Exception error);
}

/// <summary>Stands in for the pricing engine: it answers the first request and is down from then on.</summary>
internal sealed class FlakyPricingService(DownstreamLog log, Tally tally) : IPricingService
{
    private int _requests;

    public DownstreamLog Log { get; } = log;

    public async Task<Quote> GetQuoteAsync(string sku, CancellationToken cancellationToken = default)
    {
        Attempt attempt = Log.Begin(sku);
        await Task.Delay(5, cancellationToken);
        if (Interlocked.Increment(ref _requests) > 1)
        {
            Log.End(attempt, "500 Internal Server Error (engine down)");
            throw new HttpRequestException("500 Internal Server Error", null, HttpStatusCode.InternalServerError);
        }

        Log.End(attempt, "priced at 17.50");
        return new Quote(sku, 17.50m, "pricing engine");
    }

    public Task<Quote> GetListPriceAsync(string sku, Exception error)
    {
        tally.Increment(Counter.Fallbacks);
        Log.Write($"fallback for {sku} after {error.GetType().Name}: list price 19.90");
        return Task.FromResult(new Quote(sku, 19.90m, "list price"));
    }
}

/// <summary>Scene 3: the fallback answers when the engine is down.</summary>
internal static class FallbackScene
{
    public static async Task RunAsync(Demo demo)
    {
        demo.Log.Heading(
            "3. [Fallback]: a degraded answer instead of an error",
            "The pricing engine answers once, then goes down: the second quote comes from the list price.");

        var engine = new FlakyPricingService(demo.Downstream("pricing"), demo.Tally);
        IPricingService pricing = new PricingServiceResilient(engine, demo.Registry);

        CallResult<Quote> live = await demo.CallAsync("GetQuoteAsync(\"A-1\")", () => pricing.GetQuoteAsync("A-1"));
        demo.Expect(live.Value?.Source == "pricing engine", "while the engine is up, the quote comes from the engine");

        CallResult<Quote> degraded = await demo.CallAsync("GetQuoteAsync(\"B-2\")", () => pricing.GetQuoteAsync("B-2"));
        demo.Expect(
            degraded.Value?.Source == "list price" && engine.Log.AttemptCount("B-2") == 2,
            "with the engine down, the retry failed too and the fallback answered with the list price");
    }
}
