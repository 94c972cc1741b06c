namespace Resilience.Runtime.Tests.Registry;

/// <summary>The registry's one map of instances, keyed by kind and name.</summary>
public sealed class InstanceMapTests
{
    [Fact]
    public void One_name_may_be_used_by_each_kind_and_each_kind_sees_only_its_own()
    {
        var map = new InstanceMap();
        var retry = new RetryStrategy("x", new RetryOptions());
        var timeout = new TimeoutStrategy("x", TimeSpan.FromSeconds(1));
        map.Add(new Registration<RetryStrategy, RetryOptions>("x", retry, new RetryOptions(), InstanceRules.Retry));
        map.Add(new Registration<TimeoutStrategy, TimeoutSetting>("x", timeout, new TimeoutSetting(TimeSpan.FromSeconds(1)), InstanceRules.Timeout));

        Assert.True(map.TryGet(InstanceRules.Retry, "x", out Registration<RetryStrategy, RetryOptions>? found));
        Assert.Same(retry, found.Instance);
        Assert.Same(timeout, Assert.Single(map.OfKind(InstanceRules.Timeout)).Instance);
        Assert.False(map.TryGet(InstanceKind.Bulkhead, "x", out _));
        Assert.Equal(["x"], map.SortedNames(InstanceKind.Retry));
    }

    [Fact]
    public void Adding_a_name_twice_is_refused_so_an_instance_is_never_replaced()
    {
        var map = new InstanceMap();
        var first = new RetryStrategy("x", new RetryOptions());
        map.Add(new Registration<RetryStrategy, RetryOptions>("x", first, new RetryOptions(), InstanceRules.Retry));

        Assert.Throws<InvalidOperationException>(() =>
            map.Add(new Registration<RetryStrategy, RetryOptions>("x", new RetryStrategy("x", new RetryOptions()), new RetryOptions(), InstanceRules.Retry)));
        Assert.True(map.TryGet(InstanceRules.Retry, "x", out Registration<RetryStrategy, RetryOptions>? kept));
        Assert.Same(first, kept.Instance);
    }

    [Fact]
    public void All_lists_by_kind_then_ordinal_name()
    {
        var map = new InstanceMap();
        map.Add(new Registration<TimeoutStrategy, TimeoutSetting>("b", new TimeoutStrategy("b", TimeSpan.FromSeconds(1)), new TimeoutSetting(TimeSpan.FromSeconds(1)), InstanceRules.Timeout));
        map.Add(new Registration<RetryStrategy, RetryOptions>("b", new RetryStrategy("b", new RetryOptions()), new RetryOptions(), InstanceRules.Retry));
        map.Add(new Registration<RetryStrategy, RetryOptions>("B", new RetryStrategy("B", new RetryOptions()), new RetryOptions(), InstanceRules.Retry));
        map.Add(new Registration<RetryStrategy, RetryOptions>("a", new RetryStrategy("a", new RetryOptions()), new RetryOptions(), InstanceRules.Retry));

        Assert.Equal(
            ["Retry B", "Retry a", "Retry b", "Timeout b"],
            map.All().Select(e => $"{e.Kind} {e.Name}"));
    }

    [Fact]
    public void A_registration_reconfigures_from_its_declared_settings_plus_the_overrides_of_its_name()
    {
        var declared = new RetryOptions { MaxRetries = 2 };
        var retry = new RetryStrategy("r", declared);
        IRegisteredInstance entry = new Registration<RetryStrategy, RetryOptions>("r", retry, declared, InstanceRules.Retry);
        var options = new ResilienceOptions();
        options.Instances["r"] = new ResilienceInstanceOptions { Retry = new RetryOverrides { MaxRetries = 7 } };

        entry.Reconfigure(options);
        Assert.Equal(7, retry.MaxRetries);

        entry.Reconfigure(new ResilienceOptions()); // the override removed: back to the declared settings
        Assert.Equal(2, retry.MaxRetries);
        Assert.Equal("Retry", entry.Section);
    }
}
