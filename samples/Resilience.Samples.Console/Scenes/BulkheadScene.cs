using Resilience.Samples.Console.Stage;

namespace Resilience.Samples.Console.Scenes;

/// <summary>Renders page thumbnails: slow, memory-hungry work.</summary>
internal interface IThumbnailService
{
    // [Bulkhead] caps how many calls run at once: 2 renders run, 1 more may wait for a free slot, and any further
    // call is rejected at once with BulkheadRejectedException instead of piling up and starving everything else.
    // Name: every declaration with the same name shares one bulkhead (here it also lets the scene look it up).
    [Bulkhead(MaxConcurrency = 2, MaxQueue = 1, Name = "thumbnails")]
    Task<string> RenderAsync(int page, CancellationToken cancellationToken = default);
}

/// <summary>Stands in for the renderer: each page takes 200 ms. It remembers how many renders ran at once.</summary>
internal sealed class SlowThumbnailService(DownstreamLog log) : IThumbnailService
{
    private int _running;
    private int _maxRunning;
    private int _rendered;

    public int MaxRunning => Volatile.Read(ref _maxRunning);

    public int Rendered => Volatile.Read(ref _rendered);

    public async Task<string> RenderAsync(int page, CancellationToken cancellationToken = default)
    {
        int running = Interlocked.Increment(ref _running);
        InterlockedMax(ref _maxRunning, running);
        log.Write($"page {page}: rendering starts ({running} running)");
        try
        {
            await Task.Delay(200, cancellationToken);
            Interlocked.Increment(ref _rendered);
            log.Write($"page {page}: rendered");
            return $"page-{page}.png";
        }
        finally
        {
            Interlocked.Decrement(ref _running);
        }
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int current = Volatile.Read(ref target);
        while (value > current)
        {
            int seen = Interlocked.CompareExchange(ref target, value, current);
            if (seen == current)
            {
                return;
            }

            current = seen;
        }
    }
}

/// <summary>Scene 5: five concurrent renders against a bulkhead of 2 running + 1 queued.</summary>
internal static class BulkheadScene
{
    public static async Task RunAsync(Demo demo)
    {
        demo.Log.Heading(
            "5. [Bulkhead]: at most 2 at once, 1 waiting, the rest rejected",
            "Five renders start together: pages 1-2 run, page 3 waits for a slot, pages 4-5 are rejected at once.");

        var renderer = new SlowThumbnailService(demo.Downstream("renderer"));
        IThumbnailService thumbnails = new ThumbnailServiceResilient(renderer, demo.Registry);

        // Start all five without awaiting, as five concurrent requests would.
        var calls = new Task<CallResult<string>>[5];
        for (int i = 0; i < calls.Length; i++)
        {
            int page = i + 1;
            calls[i] = demo.CallAsync($"RenderAsync({page})", () => thumbnails.RenderAsync(page));
        }

        if (demo.Registry.TryGetBulkhead("thumbnails", out Bulkhead? bulkhead))
        {
            demo.Log.Strategy("bulkhead", $"{bulkhead.RunningCount} running, {bulkhead.QueuedCount} queued");
        }

        CallResult<string>[] results = await Task.WhenAll(calls);

        demo.Expect(
            results[0].Succeeded && results[1].Succeeded && results[2].Succeeded,
            "pages 1-3 were rendered (page 3 after waiting for a slot)");
        demo.Expect(
            results[3].Error is BulkheadRejectedException && results[4].Error is BulkheadRejectedException,
            "pages 4-5 were rejected with BulkheadRejectedException");
        demo.Expect(renderer.MaxRunning == 2, "the renderer never had more than 2 renders running");
    }
}
