using Microsoft.Extensions.DependencyInjection;

namespace Resilience.Caching.Tests;

/// <summary>
/// The second process of the cross-process tests: <c>dotnet exec Resilience.Caching.Tests.dll write &lt;redis&gt; &lt;base&gt; &lt;euro&gt;</c>
/// makes one successful call through the shared store and exits when its result is in Redis.
/// </summary>
public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        if (args is not ["write", var redis, var baseCurrency, var euro])
        {
            await Console.Error.WriteLineAsync("usage: write <redis configuration> <base currency> <euro rate>");
            return 2;
        }

        RatesService.Answer = new Rates(baseCurrency, decimal.Parse(euro, System.Globalization.CultureInfo.InvariantCulture));
        await using var provider = SharedApp.Build(redis, new RatesService());
        var rates = await provider.GetRequiredService<IRates>().GetAsync(baseCurrency, CancellationToken.None);
        var key = $"Resilience.Caching.Tests.IRates.GetAsync(\"{baseCurrency}\")";
        if (!await SharedApp.WaitForSharedAsync(provider, key))
        {
            await Console.Error.WriteLineAsync("the result never reached Redis");
            return 1;
        }

        Console.WriteLine($"wrote {rates.Base} {rates.Euro} from process {Environment.ProcessId}");
        return 0;
    }
}
