// The fleet sample: two processes share one rate limit on Redis.
//
//   dotnet run --project samples/Resilience.Samples.Fleet                       # starts redis-server itself
//   dotnet run --project samples/Resilience.Samples.Fleet -- --redis host:port  # uses your Redis
//
// Without --redis it starts a redis-server (Debian: apt-get install redis-server) on a free loopback port with
// persistence off, and stops it at the end. It then starts two worker processes (this program again, with "worker")
// that call IPartnerApi.GetQuoteAsync as fast as every 10 ms for 5 seconds. The partner allows 20 calls per second
// (a token bucket: a burst of 20, then 20 per second), for the whole fleet: together the two workers get at most
// 20 + 5 × 20 = 120 calls through, where two local limits would have let up to 240 through. The program checks that
// and exits with 1 when it does not hold.

using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Resilience;
using Resilience.Redis;
using Resilience.Samples.Fleet;

CultureInfo.DefaultThreadCurrentCulture = CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
const int Seconds = 5;

if (args is ["worker", var redis, var startText, var id])
{
    return await WorkerAsync(redis, long.Parse(startText, CultureInfo.InvariantCulture), id);
}

string? configured = args is ["--redis", var given] ? given : null;
Process? server = null;
if (configured is null)
{
    int port = FreePort();
    server = StartRedis(port);
    configured = $"127.0.0.1:{port}";
    Console.WriteLine($"started redis-server on {configured} (persistence off)");
}

try
{
    // Both workers start counting at the same moment, a few seconds from now (time to start and connect).
    long start = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() + 3_000;
    Process[] workers = [StartWorker(configured, start, "A"), StartWorker(configured, start, "B")];
    int total = 0;
    foreach (Process worker in workers)
    {
        string output = await worker.StandardOutput.ReadToEndAsync();
        await worker.WaitForExitAsync();
        Console.Write(output);
        total += output.Split('\n').Where(l => l.StartsWith("admitted ", StringComparison.Ordinal))
            .Sum(l => int.Parse(l.Split(' ')[1], CultureInfo.InvariantCulture));
    }

    const int bound = 20 + Seconds * 20;
    Console.WriteLine($"the fleet got {total} calls through in {Seconds} s; the shared limit allows at most {bound}.");
    if (total > bound || total == 0)
    {
        Console.WriteLine("UNEXPECTED: the two processes did not share the limit.");
        return 1;
    }

    return 0;
}
finally
{
    if (server is { HasExited: false })
    {
        server.Kill();
        server.WaitForExit();
    }
}

static async Task<int> WorkerAsync(string redis, long start, string id)
{
    var services = new ServiceCollection();
    services.AddResilient<IPartnerApi, PartnerApi>(ServiceLifetime.Singleton);
    services.AddResilienceRedis(o => o.Configuration = redis + ",abortConnect=false")
        .AddRateLimit("Fleet.PartnerApi");
    await using ServiceProvider provider = services.BuildServiceProvider();
    var partner = provider.GetRequiredService<IPartnerApi>();

    // The connection is made in the background; until it answers, calls would use the local limit. Wait for it by
    // watching the resilience.redis.available gauge, as a dashboard would.
    await WaitForRedisAsync(TimeSpan.FromSeconds(20));

    long wait = start - DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
    if (wait > 0)
    {
        await Task.Delay(TimeSpan.FromMilliseconds(wait));
    }

    int admitted = 0, rejected = 0;
    var clock = Stopwatch.StartNew();
    for (int second = 1; second <= Seconds; second++)
    {
        int inSecond = 0;
        while (clock.Elapsed < TimeSpan.FromSeconds(second))
        {
            try
            {
                await partner.GetQuoteAsync("ACME");
                inSecond++;
            }
            catch (RateLimitRejectedException)
            {
                rejected++;
            }

            await Task.Delay(10);
        }

        admitted += inSecond;
        Console.WriteLine($"worker {id}, second {second}: {inSecond} calls through");
    }

    Console.WriteLine($"worker {id}: {admitted} through, {rejected} rejected by the shared limit");
    Console.WriteLine($"admitted {admitted}");
    return 0;
}

static async Task WaitForRedisAsync(TimeSpan timeout)
{
    long available = 0;
    using var listener = new MeterListener();
    listener.InstrumentPublished = (instrument, l) =>
    {
        if (instrument.Meter.Name == "Resilience.Redis" && instrument.Name == "resilience.redis.available")
        {
            l.EnableMeasurementEvents(instrument);
        }
    };
    listener.SetMeasurementEventCallback<int>((_, value, _, _) => Interlocked.Exchange(ref available, value));
    listener.Start();
    var waited = Stopwatch.StartNew();
    while (Interlocked.Read(ref available) != 1 && waited.Elapsed < timeout)
    {
        listener.RecordObservableInstruments();
        await Task.Delay(20);
    }
}

static Process StartWorker(string redis, long start, string id)
{
    var info = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true, UseShellExecute = false };
    // Run as "dotnet Resilience.Samples.Fleet.dll" or as the apphost alike.
    if (Path.GetFileNameWithoutExtension(Environment.ProcessPath!) == "dotnet")
    {
        info.ArgumentList.Add(typeof(IPartnerApi).Assembly.Location);
    }

    foreach (string argument in new[] { "worker", redis, start.ToString(CultureInfo.InvariantCulture), id })
    {
        info.ArgumentList.Add(argument);
    }

    return Process.Start(info)!;
}

static Process StartRedis(int port)
{
    var info = new ProcessStartInfo("redis-server") { UseShellExecute = false, RedirectStandardOutput = true };
    foreach (string argument in new[] { "--port", port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no" })
    {
        info.ArgumentList.Add(argument);
    }

    Process process;
    try
    {
        process = Process.Start(info)!;
    }
    catch (System.ComponentModel.Win32Exception)
    {
        Console.Error.WriteLine("redis-server is not installed (Debian/Ubuntu: apt-get install redis-server); or pass --redis host:port.");
        throw;
    }

    process.OutputDataReceived += static (_, _) => { };
    process.BeginOutputReadLine();
    return process;
}

static int FreePort()
{
    using var listener = new TcpListener(IPAddress.Loopback, 0);
    listener.Start();
    return ((IPEndPoint)listener.LocalEndpoint).Port;
}
