using Microsoft.Extensions.DependencyInjection;

namespace Resilience.Redis.Tests;

/// <summary>
/// The other processes of the cross-process breaker tests (<c>dotnet exec Resilience.Redis.Tests.dll ...</c>):
/// <list type="bullet">
/// <item><c>watch &lt;redis&gt;</c>: prints <c>ready</c>, waits for the breaker to open remotely, prints when (Unix ms) and whether a call was rejected without reaching the downstream.</item>
/// <item><c>probe &lt;redis&gt; &lt;break ms&gt;</c>: prints <c>ready</c>, waits for the remote opening, then for half-open, makes one call and prints <c>admitted</c> or <c>rejected</c>.</item>
/// </list>
/// </summary>
internal static class Program
{
    public static async Task<int> Main(string[] args)
    {
        var timeout = TimeSpan.FromSeconds(30);
        switch (args)
        {
            case ["watch", var redis]:
            {
                var downstream = new Downstream();
                await using var provider = BreakerApp.Build(redis, downstream, operationTimeout: BreakerApp.SlowMachine);
                var breaker = await BreakerApp.ReadyAsync(provider);
                long openedAt = 0;
                breaker.StateChanged += (_, e) =>
                {
                    if (e.NewState == CircuitState.Open && e.Reason == CircuitTransitionReason.Remote)
                    {
                        Interlocked.CompareExchange(ref openedAt, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), 0);
                    }
                };
                Console.WriteLine("ready");
                if (!await BreakerApp.EventuallyAsync(() => Interlocked.Read(ref openedAt) != 0, timeout))
                {
                    Console.WriteLine("never opened");
                    return 1;
                }

                bool rejected;
                try
                {
                    await provider.GetRequiredService<IPayments>().PayAsync("o", CancellationToken.None);
                    rejected = false;
                }
                catch (BrokenCircuitException)
                {
                    rejected = true;
                }

                Console.WriteLine($"opened {openedAt} rejected {rejected} downstream {downstream.Calls}");
                return 0;
            }

            case ["probe", var redis, var breakMs]:
            {
                var downstream = new Downstream { Hold = TimeSpan.FromSeconds(2) };
                await using var provider = BreakerApp.Build(
                    redis, downstream, int.Parse(breakMs, System.Globalization.CultureInfo.InvariantCulture), operationTimeout: BreakerApp.SlowMachine);
                var breaker = await BreakerApp.ReadyAsync(provider);
                Console.WriteLine("ready");
                if (!await BreakerApp.EventuallyAsync(() => breaker.State == CircuitState.Open, timeout)
                    || !await BreakerApp.EventuallyAsync(() => breaker.State != CircuitState.Open, timeout))
                {
                    Console.WriteLine($"never half-open ({breaker.State})");
                    return 1;
                }

                var before = breaker.State;
                try
                {
                    await provider.GetRequiredService<IPayments>().PayAsync("o", CancellationToken.None);
                    Console.WriteLine($"admitted from {before}");
                }
                catch (BrokenCircuitException e)
                {
                    Console.WriteLine($"rejected from {before} ({e.State})");
                }

                return 0;
            }

            default:
                await Console.Error.WriteLineAsync("usage: watch <redis> | probe <redis> <break ms>");
                return 2;
        }
    }
}
