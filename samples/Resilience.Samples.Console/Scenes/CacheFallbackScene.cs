using System.Collections.Concurrent;
using System.Net;
using Resilience.Samples.Console.Stage;

namespace Resilience.Samples.Console.Scenes;

/// <summary>A product as the catalog describes it.</summary>
/// <param name="Sku">The product.</param>
/// <param name="Name">Its name.</param>
/// <param name="Price">Its price.</param>
internal sealed record Product(string Sku, string Name, decimal Price);

/// <summary>Reads products from a catalog service.</summary>
internal interface ICatalogService
{
    // [CacheFallback] remembers every successful answer, per argument list (here: per sku; the CancellationToken is
    // never part of the key). For TtlMs = 200 ms a remembered answer is returned without calling the catalog at all.
    // After that the catalog is called again; if it fails, an answer younger than TtlMs + StaleTtlMs is returned
    // instead of the error: stale data beats no data for a product page.
    [CacheFallback(TtlMs = 200, StaleTtlMs = 60_000)]
    Task<Product> GetProductAsync(string sku, CancellationToken cancellationToken = default);
}

/// <summary>Stands in for the catalog service, which the scene takes down halfway through.</summary>
internal sealed class FlakyCatalogService(DownstreamLog log) : ICatalogService
{
    private volatile bool _down;
    private int _reads;

    /// <summary>How many reads reached the catalog.</summary>
    public int Reads => Volatile.Read(ref _reads);

    public void GoDown()
    {
        _down = true;
        log.Write("the catalog goes down");
    }

    public async Task<Product> GetProductAsync(string sku, CancellationToken cancellationToken = default)
    {
        int read = Interlocked.Increment(ref _reads);
        await Task.Delay(5, cancellationToken);
        if (_down)
        {
            log.Write($"read #{read} ({sku}): 503 Service Unavailable");
            throw new HttpRequestException("503 Service Unavailable", null, HttpStatusCode.ServiceUnavailable);
        }

        log.Write($"read #{read} ({sku}): found");
        return new Product(sku, "Espresso cup", 7.50m);
    }
}

/// <summary>Scene 7: a fresh hit, then a stale answer when the catalog is down.</summary>
internal static class CacheFallbackScene
{
    public static async Task RunAsync(Demo demo)
    {
        demo.Log.Heading(
            "7. [CacheFallback]: fresh answers from memory, stale ones when the downstream fails",
            "The second read never reaches the catalog; the third, after the catalog went down, gets the remembered product.");

        var catalog = new FlakyCatalogService(demo.Downstream("catalog"));
        ICatalogService products = new CatalogServiceResilient(catalog, demo.Registry);

        // The cache fallback is named after the method; find the proxy's instance by that name to watch the stale
        // answers it serves.
        string cacheName = $"{typeof(ICatalogService).FullName}.{nameof(ICatalogService.GetProductAsync)}";
        if (!demo.Registry.TryGetCacheFallback(cacheName, out CacheFallbackStrategy? cache))
        {
            throw new InvalidOperationException($"The proxy registered no cache fallback named '{cacheName}'.");
        }

        var staleAnswers = new ConcurrentQueue<StaleResultServedEventArgs>();
        cache.StaleResultServed += (_, e) =>
        {
            staleAnswers.Enqueue(e);
            demo.Tally.Increment(Counter.StaleAnswers);
            demo.Log.Strategy("cache", $"stale answer for {e.Key}, {e.Age.TotalMilliseconds:0} ms old, instead of {e.Exception.GetType().Name}");
        };

        CallResult<Product> first = await demo.CallAsync("GetProductAsync(\"A-1\")", () => products.GetProductAsync("A-1"));
        CallResult<Product> fresh = await demo.CallAsync("GetProductAsync(\"A-1\")", () => products.GetProductAsync("A-1"));
        demo.Expect(
            first.Succeeded && fresh.Value == first.Value && catalog.Reads == 1,
            "the second read was a fresh hit: answered from memory, the catalog was not called");

        await demo.PauseAsync(250, "the 200 ms freshness runs out");
        catalog.GoDown();
        CallResult<Product> stale = await demo.CallAsync("GetProductAsync(\"A-1\")", () => products.GetProductAsync("A-1"));
        demo.Expect(
            stale.Succeeded && stale.Value == first.Value && catalog.Reads == 2,
            "the catalog was called again, failed, and the remembered product answered");
        demo.Expect(
            staleAnswers.Count == 1 && staleAnswers.TryPeek(out StaleResultServedEventArgs? served) && served.Exception is HttpRequestException,
            "StaleResultServed reported the stale answer and the failure it replaced");
    }
}
