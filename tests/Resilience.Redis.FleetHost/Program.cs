// One process of a test fleet (see tests/Resilience.Redis.Tests/FleetHost.cs): calls a generated decorator whose
// [RateLimit] runs on Redis, from a shared start time for a fixed duration, and prints what it counted on one line:
//   admitted=<n> rejected=<n> fallbacks=<n> late=<n> buckets=<admitted per 100 ms, comma-separated>
// A call counts as admitted or rejected only if it started at or after the start and completed by the end
// (late = completed after the end, not counted), so the fleet's admitted calls were all granted within the span.
//
// Arguments: <redis configuration> <scenario: tb|sw|fw> <lease permits> <start, Unix ms> <duration ms> [kill-check]

using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Resilience;
using Resilience.Redis;
using Resilience.Redis.FleetHost;

string configuration = args[0];
string scenario = args[1];
int leasePermits = int.Parse(args[2], CultureInfo.InvariantCulture);
long startUnixMs = long.Parse(args[3], CultureInfo.InvariantCulture);
int durationMs = int.Parse(args[4], CultureInfo.InvariantCulture);
string instance = "fleet." + scenario;

var services = new ServiceCollection();
services.AddResilient<IPartner, Partner>(ServiceLifetime.Singleton);
services.AddResilienceRedis(o =>
    {
        o.Configuration = configuration;
        // Generous: on a busy test machine a slow round trip must not send calls to the local limiter.
        o.OperationTimeout = TimeSpan.FromSeconds(2);
        o.AvailabilityProbeInterval = TimeSpan.FromMilliseconds(100);
    })
    .AddRateLimit(instance, o => o.LeasePermits = leasePermits);
await using ServiceProvider provider = services.BuildServiceProvider();
var partner = provider.GetRequiredService<IPartner>();
var fallbacks = new FallbackCounter(instance);

// Wait until Redis answers (the first connect runs in the background), then for the shared start.
var availability = provider.GetRequiredService<RedisAvailability>();
var ready = Stopwatch.StartNew();
while (!availability.IsAvailable)
{
    if (ready.Elapsed > TimeSpan.FromSeconds(20))
    {
        Console.Error.WriteLine("Redis did not become available within 20 s.");
        return 2;
    }

    await Task.Delay(10);
}

long untilStart = startUnixMs - DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
if (untilStart > 0)
{
    await Task.Delay(TimeSpan.FromMilliseconds(untilStart));
}

long end = startUnixMs + durationMs;
int admitted = 0, rejected = 0, late = 0;
var buckets = new int[(durationMs + 99) / 100];
while (DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() < end)
{
    bool ok;
    try
    {
        await (scenario switch
        {
            "sw" => partner.SlidingWindowAsync(),
            "fw" => partner.FixedWindowAsync(),
            _ => partner.TokenBucketAsync(),
        });
        ok = true;
    }
    catch (RateLimitRejectedException)
    {
        ok = false;
    }

    long completed = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
    if (completed > end)
    {
        late++;
    }
    else if (ok)
    {
        admitted++;
        buckets[Math.Min(buckets.Length - 1, (int)((completed - startUnixMs) / 100))]++;
    }
    else
    {
        rejected++;
    }

    // About 500 calls per second per process: several times the limit, without burning the machine's cores.
    await Task.Delay(2);
}

Console.WriteLine(FormattableString.Invariant(
    $"admitted={admitted} rejected={rejected} fallbacks={fallbacks.Count} late={late} buckets={string.Join(',', buckets)}"));
return 0;
