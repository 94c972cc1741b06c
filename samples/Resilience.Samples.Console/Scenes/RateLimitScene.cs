using Resilience.Samples.Console.Stage;

namespace Resilience.Samples.Console.Scenes;

/// <summary>Exports reports for many tenants of a shared service.</summary>
internal interface IReportsService
{
    // [RateLimit] with KeyParameter: every tenant gets its own limit of 3 exports per 10 seconds (a token bucket of 3,
    // refilled evenly over the window), so one busy tenant cannot use up everyone's capacity. QueueLimit is 0 (the
    // default): a call over the limit is rejected at once with RateLimitRejectedException. Limits of idle tenants are
    // evicted, so memory stays bounded however many tenants there are.
    [RateLimit(PermitLimit = 3, WindowMs = 10_000, KeyParameter = "tenant")]
    Task<string> ExportAsync(string tenant, string report, CancellationToken cancellationToken = default);
}

/// <summary>Stands in for the report exporter; it always works, the limit is what this scene is about.</summary>
internal sealed class ReportsService(DownstreamLog log) : IReportsService
{
    private int _exports;

    public async Task<string> ExportAsync(string tenant, string report, CancellationToken cancellationToken = default)
    {
        int export = Interlocked.Increment(ref _exports);
        await Task.Delay(2, cancellationToken);
        log.Write($"export #{export}: {report} for {tenant}");
        return $"{report}-{export}.csv";
    }
}

/// <summary>Scene 4: one tenant is rate limited while another passes.</summary>
internal static class RateLimitScene
{
    public static async Task RunAsync(Demo demo)
    {
        demo.Log.Heading(
            "4. [RateLimit(KeyParameter = \"tenant\")]: a limit per tenant",
            "acme makes 5 exports in a burst and gets 3; globex, calling in between, is not affected.");

        IReportsService reports = new ReportsServiceResilient(new ReportsService(demo.Downstream("reports")), demo.Registry);

        string[] tenants = ["acme", "acme", "acme", "acme", "globex", "acme", "globex"];
        var passed = new Dictionary<string, int> { ["acme"] = 0, ["globex"] = 0 };
        var rejected = new Dictionary<string, int> { ["acme"] = 0, ["globex"] = 0 };
        foreach (string tenant in tenants)
        {
            CallResult<string> result = await demo.CallAsync(
                $"ExportAsync(\"{tenant}\", \"invoices\")",
                () => reports.ExportAsync(tenant, "invoices"));
            if (result.Succeeded)
            {
                passed[tenant]++;
            }
            else if (result.Error is RateLimitRejectedException)
            {
                rejected[tenant]++;
            }
        }

        demo.Expect(passed["acme"] == 3 && rejected["acme"] == 2, "acme: 3 exports passed, the 4th and 5th were rejected");
        demo.Expect(passed["globex"] == 2 && rejected["globex"] == 0, "globex: both exports passed while acme was limited");
    }
}
