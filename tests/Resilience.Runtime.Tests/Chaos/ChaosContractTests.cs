using System.Net.Sockets;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Resilience.Runtime.Tests.Telemetry;

namespace Resilience.Runtime.Tests.Chaos;

/// <summary>
/// Chaos injection at the runtime level: the injector of one point (what a decorated method or a
/// <see cref="ResilientCall{T}"/> reads before its inner call) for each setting, at the boundaries of the rate and the
/// latency; the built-in fault names; the name registrations; which points are distinct; and the reload's report.
/// </summary>
public sealed class ChaosContractTests
{
    private const string Injections = "resilience.chaos.injections";
    private static readonly TimeSpan Safety = TimeSpan.FromSeconds(10);

    [Fact]
    public void The_name_registrations_check_their_arguments_and_name_the_parameter()
    {
        using var registry = new ResilienceRegistry();
        ResilienceChaos chaos = registry.Chaos;

        Assert.Equal("name", Assert.Throws<ArgumentNullException>(() => chaos.AddFault(null!, () => new IOException())).ParamName);
        Assert.Equal("name", Assert.Throws<ArgumentException>(() => chaos.AddFault(string.Empty, () => new IOException())).ParamName);
        Assert.Equal("create", Assert.Throws<ArgumentNullException>(() => chaos.AddFault("f", null!)).ParamName);
        Assert.Equal("name", Assert.Throws<ArgumentNullException>(() => chaos.AddResult(null!, () => "r")).ParamName);
        Assert.Equal("name", Assert.Throws<ArgumentException>(() => chaos.AddResult(string.Empty, () => "r")).ParamName);
        Assert.Equal("create", Assert.Throws<ArgumentNullException>(() => chaos.AddResult<string>("r", null!)).ParamName);
        ArgumentException builtIn = Assert.Throws<ArgumentException>(() => chaos.AddResult("Default", () => "r"));
        Assert.Equal("name", builtIn.ParamName);
        Assert.StartsWith("'Default' is the built-in result (the type's default value); choose another name.", builtIn.Message, StringComparison.Ordinal);

        Assert.False(chaos.RemoveFault("f")); // nothing was registered
        Assert.False(chaos.RemoveFault(string.Empty));
        Assert.False(chaos.RemoveResult("r"));
        Assert.False(chaos.RemoveResult("Default"));
    }

    [Fact]
    public void Removing_a_registered_name_stops_its_injections_and_registering_reports_nothing()
    {
        using var setup = new ChaosSetup(
            ("faulty", "Fault", "db-down"), ("stale", "Result", "stale-item"), ("unknown", "Fault", "never-registered"));
        ChaosPoint faulty = setup.Point("faulty");
        ChaosPoint stale = setup.Point("stale");
        Assert.Null(faulty.Injector); // not registered yet
        Assert.Null(stale.Injector);

        setup.Registry.Chaos.AddFault("db-down", () => new TimeoutException("db down")).AddResult("stale-item", () => "stale");
        Assert.Equal("db down", Assert.Throws<TimeoutException>(() => faulty.Injector!.Inject(CancellationToken.None)).Message);
        Assert.True(stale.Injector!.Inject(CancellationToken.None));
        Assert.Equal("stale", stale.Injector.GetResult<string>());

        Assert.True(setup.Registry.Chaos.RemoveFault("db-down"));
        Assert.Null(faulty.Injector);
        Assert.NotNull(stale.Injector);
        Assert.True(setup.Registry.Chaos.RemoveResult("stale-item"));
        Assert.Null(stale.Injector);

        // A name nobody registered is reported by a reload, not again by every registration of another name.
        Assert.Null(setup.Point("unknown").Injector);
        Assert.Empty(setup.Rejected);
    }

    [Theory]
    [InlineData("ChaosException", typeof(ChaosException))]
    [InlineData("Resilience.ChaosException", typeof(ChaosException))]
    [InlineData("TimeoutException", typeof(TimeoutException))]
    [InlineData("System.TimeoutException", typeof(TimeoutException))]
    [InlineData("HttpRequestException", typeof(HttpRequestException))]
    [InlineData("System.Net.Http.HttpRequestException", typeof(HttpRequestException))]
    [InlineData("IOException", typeof(IOException))]
    [InlineData("System.IO.IOException", typeof(IOException))]
    [InlineData("SocketException", typeof(SocketException))]
    [InlineData("System.Net.Sockets.SocketException", typeof(SocketException))]
    [InlineData("InvalidOperationException", typeof(InvalidOperationException))]
    [InlineData("System.InvalidOperationException", typeof(InvalidOperationException))]
    public void Every_built_in_fault_is_known_with_and_without_its_namespace(string fault, Type expected)
    {
        using var setup = new ChaosSetup(("x", "Fault", fault), ("x", "FaultMessage", "game day"));

        Exception thrown = Assert.ThrowsAny<Exception>(() => setup.Point("x").Injector!.Inject(CancellationToken.None));

        Assert.IsType(expected, thrown);
        Assert.Equal("game day", thrown.Message);
        if (thrown is SocketException socket)
        {
            Assert.Equal(SocketError.ConnectionRefused, socket.SocketErrorCode);
        }
    }

    [Theory]
    [InlineData("Contoso.TimeoutException")] // a namespace other than System's is not stripped
    [InlineData("System.Contoso")]
    [InlineData("Resilience.TimeoutException")]
    public void A_fault_name_that_only_ends_like_a_built_in_one_is_unknown_and_reported_on_reload(string fault)
    {
        using var setup = new ChaosSetup(("x", "Fault", fault));

        Assert.Null(setup.Point("x").Injector);
        setup.Reload();
        Assert.StartsWith($"Resilience:Instances:x:Chaos:Fault: '{fault}' is neither a built-in fault", Assert.Single(setup.Rejected), StringComparison.Ordinal);
    }

    [Fact]
    public void One_reload_reports_every_unknown_name_at_once()
    {
        using var setup = new ChaosSetup(("x", "Fault", "no-such-fault"), ("y", "Result", "no-such-result"));
        Assert.Null(setup.Point("x").Injector);
        Assert.Null(setup.Point("y").Injector);

        setup.Reload();

        Assert.Equal(
            [
                "Resilience:Instances:x:Chaos:Fault: 'no-such-fault' is neither",
                "Resilience:Instances:y:Chaos:Result: 'no-such-result' is neither",
            ],
            setup.Rejected.Select(f => f[..f.IndexOf(" is neither", StringComparison.Ordinal)] + " is neither").Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_rate_of_0_or_1_decides_without_drawing()
    {
        using var setup = new ChaosSetup(("never", "Result", "default"), ("never", "InjectionRate", "0"), ("always", "Result", "default"));
        setup.Registry.Chaos.RandomSource = () => throw new InvalidOperationException("the rate alone decides: no draw");
        ChaosInjector never = setup.Point("never").Injector!;
        ChaosInjector always = setup.Point("always").Injector!;

        Assert.False(never.Inject(CancellationToken.None));
        Assert.False(await never.InjectAsync(CancellationToken.None));
        Assert.True(always.Inject(CancellationToken.None));
        Assert.True(await always.InjectAsync(CancellationToken.None));
    }

    [Theory]
    [InlineData(0.25, false)] // a draw equal to the rate is not below it
    [InlineData(0.2499999, true)]
    [InlineData(0.9, false)]
    [InlineData(0.0, true)]
    public async Task An_attempt_is_injected_when_its_draw_is_below_the_rate(double draw, bool injected)
    {
        using var setup = new ChaosSetup(("x", "Result", "default"), ("x", "InjectionRate", "0.25"));
        int draws = 0;
        setup.Registry.Chaos.RandomSource = () =>
        {
            draws++;
            return draw;
        };
        ChaosInjector injector = setup.Point("x").Injector!;

        Assert.Equal(injected, injector.Inject(CancellationToken.None));
        Assert.Equal(injected, await injector.InjectAsync(CancellationToken.None));
        Assert.Equal(2, draws);
    }

    [Fact]
    public async Task A_zero_latency_is_no_latency()
    {
        using var setup = new ChaosSetup(("x", "Result", "default"), ("x", "Latency", "00:00:00"));
        using var metrics = new MetricCollector(setup.Registry, Injections);
        ChaosInjector injector = setup.Point("x").Injector!;

        ValueTask<bool> injecting = injector.InjectAsync(CancellationToken.None);
        Assert.True(injecting.IsCompletedSuccessfully);
        Assert.True(await injecting);
        Assert.True(injector.Inject(CancellationToken.None));

        IReadOnlyList<Recorded> injections = metrics.Of(Injections);
        Assert.Equal(["result", "result"], injections.Select(r => r.Tag("resilience.chaos.kind")));
        Assert.All(injections, r =>
        {
            Assert.Equal("x", r.Tag("resilience.instance"));
            Assert.Equal("chaos", r.Tag("resilience.strategy"));
            Assert.Equal("op", r.Tag("resilience.operation"));
        });
    }

    [Fact]
    public async Task A_synchronous_attempt_blocks_for_the_latency_on_the_registrys_clock()
    {
        using var setup = new ChaosSetup(("x", "Fault", "TimeoutException"), ("x", "Latency", "00:00:00.250"));
        using var metrics = new MetricCollector(setup.Registry, Injections);
        ChaosInjector injector = setup.Point("x").Injector!;

        Task blocked = Task.Run(() => injector.Inject(CancellationToken.None));
        await setup.Time.TimerCreated.Task.WaitAsync(Safety);
        Assert.Equal(["latency"], metrics.Of(Injections).Select(r => r.Tag("resilience.chaos.kind")));
        setup.Time.Advance(TimeSpan.FromMilliseconds(249));
        Assert.False(blocked.IsCompleted);
        setup.Time.Advance(TimeSpan.FromMilliseconds(1));

        await Assert.ThrowsAsync<TimeoutException>(() => blocked.WaitAsync(Safety));
        Assert.Equal(["latency", "fault"], metrics.Of(Injections).Select(r => r.Tag("resilience.chaos.kind")));
    }

    [Fact]
    public async Task An_asynchronous_latency_does_not_resume_on_the_callers_context()
    {
        using var setup = new ChaosSetup(("x", "Result", "default"), ("x", "Latency", "00:00:00.250"));
        ChaosInjector injector = setup.Point("x").Injector!;

        var context = new RecordingSynchronizationContext();
        Task<bool> injecting = context.Run(() => injector.InjectAsync(CancellationToken.None).AsTask());
        Assert.False(injecting.IsCompleted);
        setup.Time.Advance(TimeSpan.FromMilliseconds(250)); // ends the latency on this thread, which has no context

        Assert.True(await injecting.WaitAsync(Safety));
        Assert.Equal(0, context.Posts);
    }

    [Fact]
    public void A_registered_result_of_another_type_fails_with_both_types_and_the_fix()
    {
        using var setup = new ChaosSetup(("x", "Result", "stale-item"));
        setup.Registry.Chaos.AddResult("stale-item", () => "stale");
        ChaosInjector injector = setup.Point("x").Injector!;

        Assert.True(injector.Inject(CancellationToken.None));
        Assert.Equal(
            "Chaos: the result configured for 'x' makes System.String, which 'op' cannot return as System.Int32. "
            + "Configure a result of the method's type (or 'default') for this name.",
            Assert.Throws<InvalidOperationException>(() => injector.GetResult<int>()).Message);
    }

    [Fact]
    public void Each_operation_and_list_of_names_gets_its_own_point()
    {
        using var setup = new ChaosSetup(("ab", "Result", "default"));
        ResilienceRegistry registry = setup.Registry;

        ChaosPoint joined = registry.GetChaosPoint("op", ["ab"]);
        Assert.Same(joined, registry.GetChaosPoint("op", ["ab"]));
        Assert.Equal("ab", joined.Injector!.InstanceName);

        // Points whose operation and names would read the same if simply concatenated stay apart.
        ChaosPoint split = registry.GetChaosPoint("op", ["a", "b"]);
        ChaosPoint longer = registry.GetChaosPoint("opab", []);
        ChaosPoint bare = registry.GetChaosPoint("op", []);
        Assert.Equal(["op", "a", "b"], split.Names);
        Assert.Null(split.Injector);
        Assert.Equal(["opab"], longer.Names);
        Assert.Null(longer.Injector);
        Assert.Equal(["op"], bare.Names);
        Assert.Null(bare.Injector);
        Assert.Equal(4, new HashSet<ChaosPoint>([joined, split, longer, bare]).Count);
    }

    /// <summary>
    /// A registry on a fake clock with chaos on and, per (name, key, value), <c>Resilience:Instances:name:Chaos:key</c>;
    /// each name is enabled with an injection rate of 1 unless it sets its own.
    /// </summary>
    private sealed class ChaosSetup : IDisposable
    {
        private readonly ServiceProvider _provider;
        private readonly IConfigurationRoot _configuration;

        public ChaosSetup(params (string Name, string Key, string Value)[] chaos)
        {
            var settings = new Dictionary<string, string?> { ["Resilience:Chaos:Enabled"] = "true" };
            foreach ((string name, string key, string value) in chaos)
            {
                settings.TryAdd($"Resilience:Instances:{name}:Chaos:Enabled", "true");
                settings[$"Resilience:Instances:{name}:Chaos:{key}"] = value;
            }

            foreach ((string name, _, _) in chaos)
            {
                settings.TryAdd($"Resilience:Instances:{name}:Chaos:InjectionRate", "1");
            }

            _configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
            var services = new ServiceCollection();
            services.AddSingleton<TimeProvider>(Time);
            services.AddResilienceConfiguration(_configuration.GetSection(ResilienceOptions.SectionName));
            _provider = services.BuildServiceProvider();
            Registry = _provider.GetRequiredService<ResilienceRegistry>();
            Registry.OnConfigurationRejected += (_, e) => Rejected.AddRange(e.Failures);
        }

        public TimerSignallingTimeProvider Time { get; } = new();

        public ResilienceRegistry Registry { get; }

        public List<string> Rejected { get; } = [];

        public ChaosPoint Point(string name) => Registry.GetChaosPoint("op", [name]);

        public void Reload() => _configuration.Reload();

        public void Dispose() => _provider.Dispose();
    }

    /// <summary>A fake clock that tells when a timer is created on it (so a test knows a blocked thread is waiting on it).</summary>
    private sealed class TimerSignallingTimeProvider : FakeTimeProvider
    {
        private int _timers;

        public TaskCompletionSource TimerCreated { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public int Timers => Volatile.Read(ref _timers);

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            ITimer timer = base.CreateTimer(callback, state, dueTime, period);
            Interlocked.Increment(ref _timers);
            TimerCreated.TrySetResult();
            return timer;
        }
    }
}
