using Resilience.EndToEnd.Tests.Infrastructure;

namespace Resilience.EndToEnd.Tests;

/// <summary>One breaker per downstream host, shared by both methods.</summary>
[CircuitBreaker(FailureThreshold = 2, BreakDurationMs = 1_000, KeyParameter = "host")]
public interface IHostClient
{
    Task<string> GetAsync(string host, CancellationToken cancellationToken);

    string Get(string host);

    ValueTask<int> CountAsync(string host);
}

public sealed class FlakyHosts : IHostClient
{
    public HashSet<string> Down { get; } = new(StringComparer.Ordinal);

    public int Calls;

    public Task<string> GetAsync(string host, CancellationToken cancellationToken) => Task.FromResult(Get(host));

    public string Get(string host)
    {
        Calls++;
        return Down.Contains(host) ? throw new InvalidOperationException($"{host} is down") : $"ok from {host}";
    }

    public ValueTask<int> CountAsync(string host)
    {
        Calls++;
        return new ValueTask<int>(host.Length);
    }
}

/// <summary>Per-host breakers in a small table: at most two hosts, each forgotten after 5 s unused.</summary>
[CircuitBreaker(FailureThreshold = 1, BreakDurationMs = 60_000, KeyParameter = "host", MaxKeys = 2, KeyIdleTimeoutMs = 5_000)]
public interface IBoundedHostClient
{
    string Get(string host);
}

public sealed class BoundedHosts : IBoundedHostClient
{
    public HashSet<string> Down { get; } = new(StringComparer.Ordinal);

    public int Calls;

    public string Get(string host)
    {
        Calls++;
        return Down.Contains(host) ? throw new InvalidOperationException($"{host} is down") : $"ok from {host}";
    }
}

public sealed class KeyedCircuitBreakerTests : IDisposable
{
    private const string Name = "Resilience.EndToEnd.Tests.IHostClient";

    private readonly Clock _clock = new();
    private readonly FlakyHosts _inner = new();
    private readonly HostClientResilient _proxy;

    public KeyedCircuitBreakerTests() => _proxy = new HostClientResilient(_inner, _clock.Registry);

    public void Dispose() => _clock.Dispose();

    [Fact]
    public async Task A_failing_host_opens_only_its_own_circuit_across_the_interfaces_methods()
    {
        _inner.Down.Add("db-1");
        await Assert.ThrowsAsync<InvalidOperationException>(() => _proxy.GetAsync("db-1", CancellationToken.None));
        Assert.Throws<InvalidOperationException>(() => _proxy.Get("db-1")); // second failure, other method, same breaker

        int calls = _inner.Calls;
        var rejected = await Assert.ThrowsAsync<BrokenCircuitException>(() => _proxy.GetAsync("db-1", CancellationToken.None));
        Assert.Equal(Name, rejected.InstanceName);
        await Assert.ThrowsAsync<BrokenCircuitException>(async () => await _proxy.CountAsync("db-1"));
        Assert.Equal(calls, _inner.Calls); // rejected without calling the inner

        Assert.Equal("ok from db-2", await _proxy.GetAsync("db-2", CancellationToken.None));
        Assert.Equal(4, await _proxy.CountAsync("db-2"));

        Assert.True(_clock.Registry.TryGetKeyedCircuitBreaker<string>(Name, out KeyedCircuitBreaker<string>? breakers));
        Assert.Equal(2, breakers.KeyCount);
        Assert.True(breakers.TryGet("db-1", out CircuitBreaker? down));
        Assert.Equal(CircuitState.Open, down.State);
        Assert.True(breakers.TryGet("db-2", out CircuitBreaker? up));
        Assert.Equal(CircuitState.Closed, up.State);

        // After the break, the host is back: its probe closes its circuit.
        _inner.Down.Clear();
        _clock.Advance(1_000);
        Assert.Equal("ok from db-1", _proxy.Get("db-1"));
        Assert.Equal(CircuitState.Closed, down.State);
    }

    [Fact]
    public void Idle_hosts_are_evicted_but_an_open_one_is_kept_until_it_closes()
    {
        _inner.Down.Add("down");
        Assert.Throws<InvalidOperationException>(() => _proxy.Get("down"));
        Assert.Throws<InvalidOperationException>(() => _proxy.Get("down"));
        Assert.Equal("ok from up", _proxy.Get("up"));
        Assert.True(_clock.Registry.TryGetKeyedCircuitBreaker<string>(Name, out KeyedCircuitBreaker<string>? breakers));

        _clock.Advance(120_000); // both unused for 2 minutes (KeyIdleTimeout is 1 minute)
        Assert.False(breakers.TryGet("up", out _));
        Assert.True(breakers.TryGet("down", out CircuitBreaker? down));
        Assert.Equal(1, breakers.KeyCount);

        _inner.Down.Clear();
        Assert.Equal("ok from down", _proxy.Get("down")); // the break is over: a probe, which closes it
        Assert.Equal(CircuitState.Closed, down.State);
        _clock.Advance(120_000);
        Assert.Equal(0, breakers.KeyCount);
    }

    [Fact]
    public void Calls_for_existing_hosts_allocate_nothing()
    {
        string[] hosts = ["a", "bb", "ccc"];
        long sum = Run(hosts, 1_000);
        long allocated = AllocationProbe.Least(() => sum = Run(hosts, 10_000));

        Assert.Equal(0, allocated);
        Assert.Equal(3_333 * 6 + 1, sum); // 1 + 2 + 3 per three calls, then one more "a"
        Assert.True(_clock.Registry.TryGetKeyedCircuitBreaker<string>(Name, out KeyedCircuitBreaker<string>? breakers));
        Assert.Equal(3, breakers.KeyCount);
    }

    private long Run(string[] hosts, int calls)
    {
        long sum = 0;
        for (int i = 0; i < calls; i++)
        {
            ValueTask<int> pending = _proxy.CountAsync(hosts[i % hosts.Length]);
            Assert.True(pending.IsCompletedSuccessfully);
            sum += pending.Result;
        }

        return sum;
    }

    [Fact]
    public void MaxKeys_from_the_attribute_bounds_the_hosts_evicting_the_least_recently_used_even_with_its_circuit_open()
    {
        var inner = new BoundedHosts();
        var proxy = new BoundedHostClientResilient(inner, _clock.Registry);
        inner.Down.Add("a");
        Assert.Throws<InvalidOperationException>(() => proxy.Get("a")); // FailureThreshold = 1: a's circuit opens
        Assert.Throws<BrokenCircuitException>(() => proxy.Get("a"));
        Assert.Equal(1, inner.Calls);

        _clock.Advance(10);
        Assert.Equal("ok from b", proxy.Get("b"));
        _clock.Advance(10);
        Assert.Equal("ok from c", proxy.Get("c")); // a third host: over MaxKeys = 2, so "a" (least recently used) goes

        Assert.True(_clock.Registry.TryGetKeyedCircuitBreaker<string>("Resilience.EndToEnd.Tests.IBoundedHostClient", out KeyedCircuitBreaker<string>? breakers));
        Assert.Equal(2, breakers.KeyCount);
        Assert.False(breakers.TryGet("a", out _));
        Assert.True(breakers.TryGet("b", out _));
        Assert.True(breakers.TryGet("c", out _));

        // With the default bound (10 000 keys) "a" would still be rejected for the 60 s break; evicted, it starts afresh.
        Assert.Throws<InvalidOperationException>(() => proxy.Get("a"));
        Assert.Equal(4, inner.Calls);
    }

    [Fact]
    public void KeyIdleTimeoutMs_from_the_attribute_evicts_an_unused_host_after_that_time()
    {
        var inner = new BoundedHosts();
        var proxy = new BoundedHostClientResilient(inner, _clock.Registry);
        Assert.Equal("ok from x", proxy.Get("x"));
        Assert.True(_clock.Registry.TryGetKeyedCircuitBreaker<string>("Resilience.EndToEnd.Tests.IBoundedHostClient", out KeyedCircuitBreaker<string>? breakers));

        _clock.Advance(4_000); // unused for 4 s: kept (the sweep runs every 2.5 s)
        Assert.True(breakers.TryGet("x", out _));

        _clock.Advance(4_000); // unused for 8 s, past KeyIdleTimeoutMs = 5 000 (the default would keep it for a minute)
        Assert.False(breakers.TryGet("x", out _));
        Assert.Equal(0, breakers.KeyCount);
    }
}
