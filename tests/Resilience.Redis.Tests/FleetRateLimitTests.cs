using Resilience.Tests.Shared;
using Xunit.Abstractions;

namespace Resilience.Redis.Tests;

/// <summary>
/// Three separate processes share a limit of 100 per second on a real redis-server for ten seconds: together they admit
/// no more than the limit allows over that span, plus the documented lease slack (docs/redis.md).
/// </summary>
public sealed class FleetRateLimitTests(ITestOutputHelper output)
{
    private const int Processes = 3;
    private const int PermitLimit = 100;
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan Duration = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Three_processes_on_a_token_bucket_admit_at_most_the_limit_plus_its_refill()
    {
        // Token bucket: any span T admits at most PermitLimit + T * PermitLimit / Window; no lease, no slack.
        int bound = PermitLimit + (int)(Duration / Window * PermitLimit);
        await RunAsync("tb", leasePermits: 1, bound);
    }

    [Fact]
    public async Task Three_processes_on_a_sliding_window_with_a_lease_of_10_admit_at_most_the_limit_plus_the_lease_slack()
    {
        // Sliding window of S segments: a span of T touches at most T * S / Window + 1 segments, and any S + 1
        // consecutive segments hold at most PermitLimit; the lease adds processes * (LeasePermits - 1).
        const int segments = 10, lease = 10;
        int touched = (int)(Duration / Window * segments) + 1;
        int bound = PermitLimit * (int)Math.Ceiling(touched / (double)(segments + 1)) + Processes * (lease - 1);
        await RunAsync("sw", lease, bound);
    }

    private async Task RunAsync(string scenario, int leasePermits, int bound)
    {
        await using var server = await RedisServer.StartAsync();
        var counts = await FleetHost.RunAsync(server.ConnectionString, scenario, leasePermits, Processes, Duration);

        int admitted = counts.Sum(c => c.Admitted);
        output.WriteLine($"{scenario}, lease {leasePermits}: admitted {admitted} (bound {bound}), most in one second {FleetHost.MostInOneSecond(counts)}; per process " +
            string.Join(", ", counts.Select(c => $"{c.Admitted} admitted / {c.Rejected} rejected / {c.Fallbacks} fallbacks / {c.Late} late")));
        Assert.All(counts, c => Assert.Equal(0, c.Fallbacks));
        Assert.All(counts, c => Assert.True(c.Admitted > 0, "every process got permits"));
        Assert.True(admitted <= bound, $"admitted {admitted} > bound {bound}");
        // The bound was really tested: the fleet offered more than it was allowed, so the shared limit turned calls away.
        // (How many calls a process makes depends on the machine's load; no lower bound on admitted calls is asserted.)
        Assert.True(counts.Sum(c => c.Rejected) > 0, "the fleet was never limited: the offered load was too low to test the bound");
    }
}
