using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Resilience;

namespace Resilience.Runtime.Tests.Caching;

/// <summary>A store that serializes (a shared one) is called with the result type and told why it is asked.</summary>
public sealed class TypedCacheFallbackStoreTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero));

    [Fact]
    public void The_strategy_calls_the_generic_members_with_the_result_type_and_the_lookup()
    {
        var store = new RecordingStore();
        var strategy = new CacheFallbackStrategy(
            "s", new CacheFallbackOptions { Ttl = TimeSpan.FromSeconds(1), StaleTtl = TimeSpan.FromSeconds(10) }, store, _time);

        strategy.Store("k", 42);
        Assert.True(strategy.TryGetFresh("k", out int fresh));
        Assert.True(strategy.TryGetStale("k", new InvalidOperationException(), CancellationToken.None, out int stale));

        Assert.Equal(42, fresh);
        Assert.Equal(42, stale);
        Assert.Equal(["Set<Int32>(k)", "TryGet<Int32>(k, Fresh)", "TryGet<Int32>(k, Stale)"], store.Calls);
    }

    [Fact]
    public void AddResilienceRegistry_uses_the_store_registered_in_the_container()
    {
        var store = new RecordingStore();
        using ServiceProvider provider = new ServiceCollection()
            .AddSingleton<ICacheFallbackStore>(store)
            .AddResilienceRegistry()
            .BuildServiceProvider();

        var registry = provider.GetRequiredService<ResilienceRegistry>();

        Assert.Same(store, registry.CacheStore);
        registry.GetOrAddCacheFallback("s", new CacheFallbackOptions()).Store("k", "v");
        Assert.Equal(["Set<String>(k)"], store.Calls);
    }

    [Fact]
    public void Without_a_registered_store_the_registry_keeps_results_in_memory()
    {
        using ServiceProvider provider = new ServiceCollection().AddResilienceRegistry().BuildServiceProvider();

        Assert.IsType<InMemoryCacheFallbackStore>(provider.GetRequiredService<ResilienceRegistry>().CacheStore);
    }

    private sealed class RecordingStore : ITypedCacheFallbackStore
    {
        private readonly Dictionary<string, CacheFallbackEntry> _entries = new();

        public List<string> Calls { get; } = [];

        public bool TryGet(string key, out CacheFallbackEntry entry) => throw new InvalidOperationException("the object-based lookup was called");

        public void Set(string key, CacheFallbackEntry entry) => throw new InvalidOperationException("the object-based store was called");

        public bool TryGet<T>(string key, CacheFallbackLookup lookup, out CacheFallbackEntry entry)
        {
            Calls.Add($"TryGet<{typeof(T).Name}>({key}, {lookup})");
            return _entries.TryGetValue(key, out entry);
        }

        public void Set<T>(string key, CacheFallbackEntry entry)
        {
            Calls.Add($"Set<{typeof(T).Name}>({key})");
            _entries[key] = entry;
        }
    }
}
