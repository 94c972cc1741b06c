using Resilience.Tests.Shared;
using StackExchange.Redis;

namespace Resilience.Redis.Tests;

/// <summary>The fixture every Redis test stands on: a real server that starts, answers, dies and comes back.</summary>
public sealed class RedisServerTests
{
    [Fact]
    public async Task Server_answers_on_loopback_is_killed_and_restarts_empty()
    {
        await using var server = await RedisServer.StartAsync();
        await using (var connection = await ConnectionMultiplexer.ConnectAsync(server.ConnectionString))
        {
            var db = connection.GetDatabase();
            await db.StringSetAsync("k", "v");
            Assert.Equal("v", (string?)await db.StringGetAsync("k"));
        }

        server.Kill();
        Assert.False(server.IsRunning);

        await server.RestartAsync();
        Assert.True(server.IsRunning);
        await using var again = await ConnectionMultiplexer.ConnectAsync(server.ConnectionString);
        Assert.False((await again.GetDatabase().StringGetAsync("k")).HasValue);
    }
}
