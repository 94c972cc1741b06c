using System.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Resilience.Tests.Shared;
using StackExchange.Redis;

namespace Resilience.Redis.Tests;

/// <summary>Rate limits counted on a real redis-server: each algorithm, shared between registries, keyed, leased, configured.</summary>
public sealed class RedisRateLimitTests
{
    private static readonly TimeSpan EventTimeout = TimeSpan.FromSeconds(20);

    // Long windows: nothing comes back while a test runs, so counts are exact whatever the machine's speed.
    [Theory]
    [InlineData(RateLimitAlgorithm.TokenBucket)]
    [InlineData(RateLimitAlgorithm.SlidingWindow)]
    [InlineData(RateLimitAlgorithm.FixedWindow)]
    public async Task Two_registries_share_one_limit_and_a_rejection_says_when_to_retry(RateLimitAlgorithm algorithm)
    {
        await using var server = await RedisServer.StartAsync();
        var options = new RateLimitOptions { PermitLimit = 5, Window = TimeSpan.FromMinutes(10), Algorithm = algorithm };
        await using var first = await Fleet.StartAsync(server, b => b.AddRateLimit("partner"));
        await using var second = await Fleet.StartAsync(server, b => b.AddRateLimit("partner"));
        var a = first.Registry.GetOrAddRateLimit("partner", options);
        var b = second.Registry.GetOrAddRateLimit("partner", options);

        var admitted = 0;
        for (var i = 0; i < 6; i++)
        {
            admitted += a.TryAcquire() ? 1 : 0;
            admitted += b.TryAcquire() ? 1 : 0;
        }

        Assert.Equal(5, admitted);
        var rejected = await Assert.ThrowsAsync<RateLimitRejectedException>(() => b.AcquireAsync(CancellationToken.None).AsTask());
        Assert.NotNull(rejected.RetryAfter);
        Assert.InRange(rejected.RetryAfter!.Value, TimeSpan.FromTicks(1), TimeSpan.FromMinutes(10) + TimeSpan.FromMinutes(1));
        Assert.Equal(0, first.Metrics.Fallbacks + second.Metrics.Fallbacks);
    }

    [Fact]
    public async Task Token_bucket_refills_on_the_servers_clock()
    {
        await using var server = await RedisServer.StartAsync();
        await using var fleet = await Fleet.StartAsync(server, b => b.AddRateLimit("fast"));
        var limit = fleet.Registry.GetOrAddRateLimit("fast", new RateLimitOptions { PermitLimit = 2, Window = TimeSpan.FromMilliseconds(200) });

        Assert.True(limit.TryAcquire());
        Assert.True(limit.TryAcquire());
        var rejected = Assert.Throws<RateLimitRejectedException>(() => limit.Acquire(CancellationToken.None));
        Assert.InRange(rejected.RetryAfter!.Value, TimeSpan.FromTicks(1), TimeSpan.FromMilliseconds(100));

        // A token every 100 ms of the server's time: wait for it with the server's own clock, no client sleep guessing.
        var db = fleet.Database;
        var start = await ServerMicrosecondsAsync(db);
        while (await ServerMicrosecondsAsync(db) - start < 110_000)
        {
            await Task.Yield();
        }

        Assert.True(limit.TryAcquire());
    }

    [Fact]
    public async Task A_keyed_limit_counts_each_key_on_its_own_and_the_null_key_too()
    {
        await using var server = await RedisServer.StartAsync();
        await using var first = await Fleet.StartAsync(server, b => b.AddRateLimit("tenants"));
        await using var second = await Fleet.StartAsync(server, b => b.AddRateLimit("tenants"));
        var options = new RateLimitOptions { PermitLimit = 2, Window = TimeSpan.FromMinutes(10) };
        var a = first.Registry.GetOrAddKeyedRateLimit<string>("tenants", options);
        var b = second.Registry.GetOrAddKeyedRateLimit<string>("tenants", options);

        Assert.True(a.TryAcquire("acme"));
        Assert.True(b.TryAcquire("acme"));
        Assert.False(a.TryAcquire("acme"));
        Assert.True(b.TryAcquire("globex"));
        Assert.True(a.TryAcquire(null));
        Assert.True(b.TryAcquire(null));
        Assert.False(a.TryAcquire(null));
        Assert.True(a.TryAcquire("null")); // the key "null" is not the null key
        Assert.Equal(0, a.KeyCount); // nothing local was used
    }

    [Fact]
    public async Task A_lease_takes_several_permits_per_round_trip_and_holds_at_most_lease_minus_one()
    {
        await using var server = await RedisServer.StartAsync();
        await using var fleet = await Fleet.StartAsync(server, b => b.AddRateLimit("leased", o => o.LeasePermits = 4));
        await using var other = await Fleet.StartAsync(server, b => b.AddRateLimit("leased"));
        var options = new RateLimitOptions { PermitLimit = 10, Window = TimeSpan.FromMinutes(10), Algorithm = RateLimitAlgorithm.FixedWindow };
        var leased = fleet.Registry.GetOrAddRateLimit("leased", options);
        var plain = other.Registry.GetOrAddRateLimit("leased", options);

        Assert.True(leased.TryAcquire()); // one round trip: 4 granted, 3 kept
        Assert.Equal(4, await UsedAsync(fleet.Database));
        Assert.True(leased.TryAcquire());
        Assert.True(leased.TryAcquire());
        Assert.True(leased.TryAcquire());
        Assert.Equal(4, await UsedAsync(fleet.Database)); // from the lease, no round trip

        for (var i = 0; i < 6; i++)
        {
            Assert.True(plain.TryAcquire());
        }

        // 10 granted by Redis, 10 used: nothing more anywhere.
        Assert.False(plain.TryAcquire());
        Assert.False(leased.TryAcquire(), $"used {await UsedAsync(fleet.Database)} fallbacks {fleet.Metrics.Fallbacks} {other.Metrics.Fallbacks}");

        static async Task<long> UsedAsync(IDatabase db)
        {
            var keys = new List<RedisKey>();
            await foreach (var key in db.Multiplexer.GetServer(db.Multiplexer.GetEndPoints()[0]).KeysAsync(pattern: "resilience:rl:leased:*"))
            {
                keys.Add(key);
            }

            return (long)await db.HashGetAsync(Assert.Single(keys), "used");
        }
    }

    [Fact]
    public async Task A_partial_grant_is_used_and_a_lease_never_exceeds_the_limit()
    {
        await using var server = await RedisServer.StartAsync();
        await using var fleet = await Fleet.StartAsync(server, b => b.AddRateLimit("small", o => o.LeasePermits = 4));
        var limit = fleet.Registry.GetOrAddKeyedRateLimit<int>("small", new RateLimitOptions { PermitLimit = 6, Window = TimeSpan.FromMinutes(10) });

        var admitted = 0;
        for (var i = 0; i < 20; i++)
        {
            admitted += limit.TryAcquire(1) ? 1 : 0;
        }

        Assert.Equal(6, admitted); // 4 (one round trip), then the 2 left (a partial grant)
    }

    [Fact]
    public async Task Configuration_opts_in_turns_off_and_sets_the_lease_naming_bad_values()
    {
        await using var server = await RedisServer.StartAsync();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Resilience:Instances:configured:RateLimit:Backend"] = "redis",
            ["Resilience:Instances:configured:RateLimit:PermitLimit"] = "12",
            ["Resilience:Instances:configured:RateLimit:LeasePermits"] = "3",
            ["Resilience:Instances:off:RateLimit:Backend"] = "Local",
            ["Resilience:Instances:bad:RateLimit:Backend"] = "Memcached",
            ["Resilience:Instances:badlease:RateLimit:Backend"] = "Redis",
            ["Resilience:Instances:badlease:RateLimit:LeasePermits"] = "50",
            ["Resilience:Instances:notnumber:RateLimit:Backend"] = "Redis",
            ["Resilience:Instances:notnumber:RateLimit:LeasePermits"] = "many",
        }).Build();
        await using var fleet = await Fleet.StartAsync(server, b => b.AddRateLimit("off").AddRateLimit("code", o => o.LeasePermits = 2), configuration);
        var options = new RateLimitOptions { PermitLimit = 10, Window = TimeSpan.FromMinutes(10) };

        var configured = Assert.IsType<RedisRateLimitBackend>(fleet.Registry.GetOrAddRateLimit("configured", options).Backend);
        Assert.Equal(3, configured.LeasePermits);
        Assert.Equal(12, configured.PermitLimit); // the core's override reached the backend
        Assert.Equal(2, Assert.IsType<RedisRateLimitBackend>(fleet.Registry.GetOrAddRateLimit("code", options).Backend).LeasePermits);
        Assert.Null(fleet.Registry.GetOrAddRateLimit("off", options).Backend);
        Assert.Null(fleet.Registry.GetOrAddRateLimit("unnamed", options).Backend);
        Assert.Equal(
            "Resilience:Instances:bad:RateLimit:Backend: 'Memcached' is not a rate-limit backend; use Redis or Local.",
            Assert.Throws<InvalidOperationException>(() => fleet.Registry.GetOrAddRateLimit("bad", options)).Message);
        Assert.StartsWith(
            "Resilience:Instances:badlease:RateLimit:LeasePermits: LeasePermits of rate limit 'badlease' must be between 1 (no lease) and its PermitLimit (10).",
            Assert.Throws<InvalidOperationException>(() => fleet.Registry.GetOrAddRateLimit("badlease", options)).Message);
        Assert.Equal(
            "Resilience:Instances:notnumber:RateLimit:LeasePermits: 'many' is not a whole number.",
            Assert.Throws<InvalidOperationException>(() => fleet.Registry.GetOrAddRateLimit("notnumber", options)).Message);

        // An algorithm without a script (one added to the core later, here an undefined value) is refused, not miscounted.
        var unknown = new RateLimitOptions { PermitLimit = 10, Window = TimeSpan.FromMinutes(10), Algorithm = (RateLimitAlgorithm)99 };
        Assert.Equal(
            "The 99 algorithm is not counted on Redis (TokenBucket, SlidingWindow and FixedWindow are); use one of those, or keep this rate limit Local.",
            Assert.Throws<ArgumentException>(() => new RedisRateLimitBackend(fleet.Availability, "p:", "x", unknown, 1, TimeProvider.System)).Message.Split(" (Parameter")[0]);
    }

    [Fact]
    public async Task Killed_redis_sends_calls_to_the_local_limit_within_the_timeout_and_the_shared_count_resumes_after_restart()
    {
        await using var server = await RedisServer.StartAsync();
        var timeout = TimeSpan.FromMilliseconds(250);
        await using var first = await Fleet.StartAsync(server, b => b.AddRateLimit("partner"), operationTimeout: timeout);
        await using var second = await Fleet.StartAsync(server, b => b.AddRateLimit("partner"), operationTimeout: timeout);
        var options = new RateLimitOptions { PermitLimit = 3, Window = TimeSpan.FromMinutes(10), Algorithm = RateLimitAlgorithm.FixedWindow };
        var a = first.Registry.GetOrAddRateLimit("partner", options);
        var b = second.Registry.GetOrAddRateLimit("partner", options);
        Assert.True(a.TryAcquire());
        Assert.True(b.TryAcquire());

        server.Kill();
        var down = Stopwatch.StartNew();

        // The second process makes no call while Redis is down: its dropped connection alone marks Redis unavailable
        // there, so that its first call after the restart does not go to a connection still reconnecting.
        await RedisAvailabilityTests.WaitForAsync(second.Availability, available: false);
        Assert.IsType<RedisConnectionException>(second.Availability.LastFailure);
        var slowest = TimeSpan.Zero;
        var admitted = 0;
        for (var i = 0; i < 5; i++)
        {
            var call = Stopwatch.StartNew();
            try
            {
                await a.AcquireAsync(CancellationToken.None);
                admitted++;
            }
            catch (RateLimitRejectedException)
            {
            }

            slowest = call.Elapsed > slowest ? call.Elapsed : slowest;
        }

        // Each process's local limit (3 permits, none used locally yet) decides: the calls go on, on their own merits.
        Assert.Equal(3, admitted);
        Assert.False(first.Availability.IsAvailable);
        // OperationTimeout is 250 ms; a generous bound for a busy machine, far below the 2 s command timeout.
        Assert.True(slowest < TimeSpan.FromSeconds(1.5), $"slowest call took {slowest}");
        Assert.True(first.Metrics.Fallbacks >= 5);

        var back = RedisAvailabilityTests.WaitForAsync(first.Availability, available: true);
        var backToo = RedisAvailabilityTests.WaitForAsync(second.Availability, available: true);
        await server.RestartAsync();
        await Task.WhenAll(back, backToo).WaitAsync(EventTimeout);

        // A fresh, empty server: the shared count starts over, shared again by both.
        var shared = 0;
        for (var i = 0; i < 3; i++)
        {
            shared += a.TryAcquire() ? 1 : 0;
            shared += b.TryAcquire() ? 1 : 0;
        }

        Assert.Equal(3, shared);
        Assert.True(down.Elapsed < EventTimeout);
    }

    [Fact]
    public async Task A_paused_server_sends_calls_local_after_the_timeout_and_none_waits_for_it()
    {
        await using var server = await RedisServer.StartAsync();
        await using var fleet = await Fleet.StartAsync(server, b => b.AddRateLimit("partner"), operationTimeout: TimeSpan.FromMilliseconds(250));
        var limit = fleet.Registry.GetOrAddRateLimit("partner", new RateLimitOptions { PermitLimit = 100, Window = TimeSpan.FromMinutes(10) });
        Assert.True(limit.TryAcquire());

        await fleet.Database.ExecuteAsync("CLIENT", "PAUSE", "1500", "ALL");

        var first = Stopwatch.StartNew();
        await limit.AcquireAsync(CancellationToken.None);
        first.Stop();
        var later = Stopwatch.StartNew();
        for (var i = 0; i < 10; i++)
        {
            limit.Acquire(CancellationToken.None);
        }

        later.Stop();

        // The first call waits for the timeout (250 ms) then goes local; the next ones skip Redis at once.
        Assert.True(first.Elapsed >= TimeSpan.FromMilliseconds(200), $"first call took {first.Elapsed} {fleet.Metrics.Fallbacks} {fleet.Availability.IsAvailable} {fleet.Availability.LastFailure}");
        Assert.True(first.Elapsed < TimeSpan.FromMilliseconds(1400), $"first call took {first.Elapsed}");
        Assert.True(later.Elapsed < TimeSpan.FromMilliseconds(200), $"ten later calls took {later.Elapsed}");
        Assert.Equal(11, fleet.Metrics.Fallbacks);

        await RedisAvailabilityTests.WaitForAsync(fleet.Availability, available: true).WaitAsync(EventTimeout);
        Assert.True(limit.TryAcquire());
    }

    [Fact]
    public void Connection_options_come_from_configuration_then_code_and_bad_values_name_their_path()
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Resilience:Redis:Configuration"] = "127.0.0.1:1,abortConnect=false",
            ["Resilience:Redis:KeyPrefix"] = "shop:",
            ["Resilience:Redis:OperationTimeout"] = "00:00:00.100",
            ["Resilience:Redis:AvailabilityProbeInterval"] = "00:00:02",
        }).Build());
        services.AddResilienceRedis(o => o.KeyPrefix = "code:");
        using (var provider = services.BuildServiceProvider())
        {
            var options = provider.GetRequiredService<Microsoft.Extensions.Options.IOptions<RedisResilienceOptions>>().Value;
            Assert.Equal("127.0.0.1:1,abortConnect=false", options.Configuration);
            Assert.Equal("code:", options.KeyPrefix);
            Assert.Equal(TimeSpan.FromMilliseconds(100), options.OperationTimeout);
            Assert.Equal(TimeSpan.FromSeconds(2), options.AvailabilityProbeInterval);
        }

        var bad = new ServiceCollection();
        bad.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Resilience:Redis:OperationTimeout"] = "soon",
        }).Build());
        bad.AddResilienceRedis();
        using var badProvider = bad.BuildServiceProvider();
        Assert.Equal(
            "Resilience:Redis:OperationTimeout: 'soon' is not a time span (e.g. 00:00:00.250).",
            Assert.Throws<InvalidOperationException>(() => badProvider.GetRequiredService<Microsoft.Extensions.Options.IOptions<RedisResilienceOptions>>().Value).Message);
    }

    [Fact]
    public async Task A_keyed_limit_keeps_leases_for_at_most_MaxKeys_keys()
    {
        await using var server = await RedisServer.StartAsync();
        await using var fleet = await Fleet.StartAsync(server, b => b.AddRateLimit("many", o => o.LeasePermits = 5));
        var limit = fleet.Registry.GetOrAddKeyedRateLimit<int>("many", new RateLimitOptions { PermitLimit = 10, Window = TimeSpan.FromMinutes(10), MaxKeys = 3 });

        for (var key = 0; key < 6; key++)
        {
            Assert.True(limit.TryAcquire(key)); // a round trip each: 5 granted, 4 leased while there is room
        }

        // Keys 0-2 hold leases (4 left each): no round trip for them; keys 3-5 found no room and dropped their surplus.
        for (var key = 0; key < 3; key++)
        {
            for (var i = 0; i < 4; i++)
            {
                Assert.True(limit.TryAcquire(key));
            }
        }

        var backend = Assert.IsType<RedisRateLimitBackend>(limit.Backend);
        Assert.Equal(3, backend.LeasedKeys);

        // Key 5's next round trip finds the table full, sweeps the three drained leases and keeps its own.
        Assert.True(limit.TryAcquire(5));
        Assert.Equal(1, backend.LeasedKeys);
        for (var i = 0; i < 4; i++)
        {
            Assert.True(limit.TryAcquire(5)); // from its lease: 10 of key 5's 10 taken
        }

        Assert.False(limit.TryAcquire(5));
    }

    private static async Task<long> ServerMicrosecondsAsync(IDatabase db)
    {
        var time = (RedisResult[])(await db.ExecuteAsync("TIME"))!;
        return (long)time[0] * 1_000_000 + (long)time[1];
    }

    /// <summary>One "process": its own container, registry and connection to the shared server.</summary>
    internal sealed class Fleet : IAsyncDisposable
    {
        private readonly ServiceProvider _provider;
        private readonly ConnectionMultiplexer _admin;

        private Fleet(ServiceProvider provider, ConnectionMultiplexer admin)
        {
            _provider = provider;
            _admin = admin;
            Registry = provider.GetRequiredService<ResilienceRegistry>();
            Availability = provider.GetRequiredService<RedisAvailability>();
            Metrics = new RedisAvailabilityTests.RedisMetrics(Availability);
        }

        public ResilienceRegistry Registry { get; }

        public RedisAvailability Availability { get; }

        public RedisAvailabilityTests.RedisMetrics Metrics { get; }

        public IDatabase Database => _admin.GetDatabase();

        /// <param name="operationTimeout">
        /// 250 ms (the default of the options) in the tests of slow and dead servers; 5 s elsewhere, so that a busy
        /// machine never sends a call local in a test that counts exactly.
        /// </param>
        public static async Task<Fleet> StartAsync(
            RedisServer server, Action<IResilienceRedisBuilder> optIn, IConfiguration? configuration = null, TimeSpan? operationTimeout = null)
        {
            var services = new ServiceCollection();
            if (configuration is not null)
            {
                // The core reads the same section: Backend and LeasePermits beside its own keys must not fail its validation.
                services.AddSingleton(configuration);
                services.AddResilienceConfiguration(configuration.GetSection(ResilienceOptions.SectionName));
            }
            else
            {
                services.AddResilienceRegistry();
            }
            optIn(services.AddResilienceRedis(o =>
            {
                o.Configuration = server.ConnectionString;
                o.AvailabilityProbeInterval = TimeSpan.FromMilliseconds(100);
                o.OperationTimeout = operationTimeout ?? TimeSpan.FromSeconds(5);
            }));
            var provider = services.BuildServiceProvider();
            var fleet = new Fleet(provider, await ConnectionMultiplexer.ConnectAsync(server.ConnectionString));
            await RedisAvailabilityTests.WaitForAsync(fleet.Availability, available: true).WaitAsync(EventTimeout);
            return fleet;
        }

        public async ValueTask DisposeAsync()
        {
            Metrics.Dispose();
            await _provider.DisposeAsync();
            await _admin.DisposeAsync();
        }
    }
}
