using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Resilience.Tests.Shared;

namespace Resilience.Caching.Tests;

/// <summary>The shared stale cache on a real redis-server: across processes, and with the server killed and restarted.</summary>
public sealed class RedisCacheTests
{
    private const string EuroKey = "Resilience.Caching.Tests.IRates.GetAsync(\"EUR\")";

    [Fact]
    public async Task A_stale_entry_written_by_another_process_answers_a_failure_in_this_one()
    {
        await using var redis = await RedisServer.StartAsync();

        var writer = await RunSecondProcessAsync("write", redis.ConnectionString, "EUR", "0.92");
        Assert.True(writer.ExitCode == 0, $"the writing process failed ({writer.ExitCode}):\n{writer.Output}");
        Assert.DoesNotContain($"process {Environment.ProcessId}", writer.Output, StringComparison.Ordinal);

        var service = new RatesService { Down = true };

        // Not a test of the timeout: a generous one, so that a read on a loaded machine is not cut short.
        await using var provider = SharedApp.Build(redis.ConnectionString, service, o => o.OperationTimeout = TimeSpan.FromSeconds(5));
        var rates = await provider.GetRequiredService<IRates>().GetAsync("EUR", CancellationToken.None);

        Assert.Equal(new Rates("EUR", 0.92m), rates);
        Assert.Equal(1, service.Calls); // the call was made, failed, and the other process's result answered it
    }

    [Fact]
    public async Task Two_applications_share_stale_results_through_HybridCache_over_Redis()
    {
        await using var redis = await RedisServer.StartAsync();
        RatesService.Answer = new Rates("EUR", 0.95m);
        // Not a test of the timeout: a generous one, so that a read on a loaded machine is not cut short.
        static void Generous(SharedCacheFallbackStoreOptions o) => o.OperationTimeout = TimeSpan.FromSeconds(5);
        await using (var first = SharedApp.Build(redis.ConnectionString, new RatesService(), Generous, hybrid: true))
        {
            await first.GetRequiredService<IRates>().GetAsync("EUR", CancellationToken.None);
            Assert.True(await SharedApp.WaitForSharedAsync(first, EuroKey));
        }

        var down = new RatesService { Down = true };
        await using var second = SharedApp.Build(redis.ConnectionString, down, Generous, hybrid: true);
        Assert.Equal(0.95m, (await second.GetRequiredService<IRates>().GetAsync("EUR", CancellationToken.None)).Euro);
    }

    [Fact]
    public async Task With_Redis_killed_calls_answer_from_memory_or_fail_on_their_own_within_the_timeout_and_sharing_resumes_on_restart()
    {
        await using var redis = await RedisServer.StartAsync();
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var service = new RatesService();
        RatesService.Answer = new Rates("EUR", 0.9m);
        await using var provider = SharedApp.Build(redis.ConnectionString, service, o =>
        {
            o.OperationTimeout = TimeSpan.FromMilliseconds(200);
            o.RetryInterval = TimeSpan.FromSeconds(5);
        }, time: time);
        var rates = provider.GetRequiredService<IRates>();
        var store = (DistributedCacheFallbackStore)provider.GetRequiredService<ICacheFallbackStore>();
        await rates.GetAsync("EUR", CancellationToken.None);
        Assert.True(await SharedApp.WaitForSharedAsync(provider, EuroKey));

        redis.Kill();
        service.Down = true;

        // Nothing in memory for USD: the read of Redis is cut at the operation timeout (the client's own timeout is 2 s)
        // and the call fails with its own error.
        var watch = Stopwatch.StartNew();
        await Assert.ThrowsAsync<HttpRequestException>(() => rates.GetAsync("USD", CancellationToken.None));
        Assert.True(watch.Elapsed < TimeSpan.FromMilliseconds(1_500), $"the failed call took {watch.Elapsed}");
        Assert.False(store.IsSharedCacheAvailable);

        // EUR is in memory: answered at once, no waiting for Redis.
        watch.Restart();
        Assert.Equal(0.9m, (await rates.GetAsync("EUR", CancellationToken.None)).Euro);
        await Assert.ThrowsAsync<HttpRequestException>(() => rates.GetAsync("GBP", CancellationToken.None));
        Assert.True(watch.Elapsed < TimeSpan.FromMilliseconds(400), $"calls while Redis is down took {watch.Elapsed} (waiting would take 2 × 200 ms)");

        await redis.RestartAsync();
        time.Advance(TimeSpan.FromSeconds(5));
        await Assert.ThrowsAsync<HttpRequestException>(() => rates.GetAsync("USD", CancellationToken.None)); // starts the background check
        for (int i = 0; i < 1_000 && !store.IsSharedCacheAvailable; i++)
        {
            if (i % 50 == 49)
            {
                time.Advance(TimeSpan.FromSeconds(5));
                await Assert.ThrowsAsync<HttpRequestException>(() => rates.GetAsync("USD", CancellationToken.None));
            }

            await Task.Delay(10);
        }

        Assert.True(store.IsSharedCacheAvailable, "the store never found Redis back");

        // Shared again: a result stored now reaches the (new, empty) server.
        service.Down = false;
        await rates.GetAsync("CHF", CancellationToken.None);
        Assert.True(await SharedApp.WaitForSharedAsync(provider, "Resilience.Caching.Tests.IRates.GetAsync(\"CHF\")"));
    }

    private static async Task<(int ExitCode, string Output)> RunSecondProcessAsync(params string[] arguments)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add("exec");
        info.ArgumentList.Add(typeof(Program).Assembly.Location);
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("the second process did not finish within 60 s");
        }

        return (process.ExitCode, await output + await error);
    }
}
