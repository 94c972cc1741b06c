using Resilience.EndToEnd.Tests.Infrastructure;

namespace Resilience.EndToEnd.Tests;

/// <summary>A base interface without resilience attributes.</summary>
public interface IPlainStoreBase
{
    string Load(string id);
}

/// <summary>Its interface-level breaker applies to <see cref="Save"/> only, not to the inherited <see cref="IPlainStoreBase.Load"/>.</summary>
[CircuitBreaker(FailureThreshold = 1, BreakDurationMs = 60_000)]
public interface IPlainStore : IPlainStoreBase
{
    string Save(string id);
}

/// <summary>A base interface with its own interface-level breaker.</summary>
[CircuitBreaker(FailureThreshold = 1, BreakDurationMs = 60_000)]
public interface IGuardedStoreBase
{
    string Load(string id);
}

[CircuitBreaker(FailureThreshold = 1, BreakDurationMs = 60_000)]
public interface IGuardedStore : IGuardedStoreBase
{
    string Save(string id);
}

/// <summary>Records each call; "bad" fails.</summary>
public sealed class Store(AttemptLog log) : IPlainStore, IGuardedStore
{
    public string Load(string id) => Run("load", id);

    public string Save(string id) => Run("save", id);

    private string Run(string what, string id)
    {
        log.Record();
        return id == "bad" ? throw new InvalidOperationException(what + " failed") : what + " " + id;
    }
}

/// <summary>
/// Interface-level attributes apply to the members their interface declares: a derived interface's do not reach the
/// members it inherits, which keep their own interface's (the same instances as in that interface's own decorator).
/// </summary>
public sealed class InheritedInterfaceAttributeTests
{
    private readonly AttemptLog _log = new();

    [Fact]
    public void A_derived_interfaces_interface_level_attribute_does_not_apply_to_inherited_members()
    {
        using var clock = new Clock();
        IPlainStore store = new PlainStoreResilient(new Store(_log), clock.Registry);

        Assert.Throws<InvalidOperationException>(() => store.Load("bad"));
        Assert.Throws<InvalidOperationException>(() => store.Load("bad"));
        Assert.Equal("load 1", store.Load("1"));
        Assert.Equal(3, _log.Count);

        Assert.Throws<InvalidOperationException>(() => store.Save("bad"));
        Assert.Throws<BrokenCircuitException>(() => store.Save("1"));
        Assert.Equal("load 2", store.Load("2"));
        Assert.Equal(5, _log.Count);
    }

    [Fact]
    public void Inherited_members_keep_their_own_interfaces_attributes_and_instances()
    {
        using var clock = new Clock();
        IGuardedStore store = new GuardedStoreResilient(new Store(_log), clock.Registry);

        Assert.Throws<InvalidOperationException>(() => store.Save("bad"));
        Assert.Throws<BrokenCircuitException>(() => store.Save("1"));
        Assert.Equal("load 1", store.Load("1"));

        Assert.Throws<InvalidOperationException>(() => store.Load("bad"));
        BrokenCircuitException rejected = Assert.Throws<BrokenCircuitException>(() => store.Load("2"));
        Assert.Equal("Resilience.EndToEnd.Tests.IGuardedStoreBase", rejected.InstanceName);
        Assert.Equal(3, _log.Count);

        // The base interface's own decorator uses the same named breaker in the same registry: it is open there too.
        IGuardedStoreBase baseOnly = new GuardedStoreBaseResilient(new Store(_log), clock.Registry);
        Assert.Throws<BrokenCircuitException>(() => baseOnly.Load("3"));
        Assert.Equal(3, _log.Count);
    }
}
