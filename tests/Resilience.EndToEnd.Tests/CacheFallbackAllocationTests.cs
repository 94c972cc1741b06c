namespace Resilience.EndToEnd.Tests;

public enum PriceTier
{
    Retail,
    Wholesale,
}

public interface ICachedPrices
{
    /// <summary>Fresh for a minute: repeated calls are hits.</summary>
    [CacheFallback(TtlMs = 60_000)]
    int Price(string sku, int region, PriceTier tier, Guid tenant);

    [CacheFallback(TtlMs = 60_000)]
    ValueTask<long> PriceAsync(string sku, long region, bool member, char currency, CancellationToken cancellationToken);

    /// <summary>Stale answers only (TtlMs = 0): every call goes to the inner service and stores its result.</summary>
    [CacheFallback(StaleTtlMs = 60_000)]
    int Quote(string sku, int? region, PriceTier tier, double factor);

    [CacheFallback(StaleTtlMs = 60_000)]
    string Describe(string sku, nint shelf);
}

public interface ICachedRepository<TEntity>
{
    [CacheFallback(TtlMs = 60_000)]
    int Count(string tenant, TEntity? probe);
}

public sealed class CountingPrices : ICachedPrices, ICachedRepository<int>
{
    private readonly string[] _descriptions = ["a", "b"];

    public int Calls;

    public int Price(string sku, int region, PriceTier tier, Guid tenant) => ++Calls;

    public ValueTask<long> PriceAsync(string sku, long region, bool member, char currency, CancellationToken cancellationToken) => new(++Calls);

    public int Quote(string sku, int? region, PriceTier tier, double factor) => ++Calls;

    public string Describe(string sku, nint shelf) => _descriptions[++Calls % 2];

    public int Count(string tenant, int probe) => ++Calls;
}

/// <summary>
/// A <c>[CacheFallback]</c> hit, and a store of a new result under a key already present, allocate nothing through a
/// generated proxy on the default in-memory store, for keys of strings, integers, enums, Guids, bools, chars, doubles,
/// nullable integers and nint, on generic interfaces too.
/// </summary>
[Collection(TelemetryAndAllocationCollection.Name)]
public sealed class CacheFallbackAllocationTests : IDisposable
{
    private const int Warmup = 1_000;
    private const int Calls = 10_000;

    private static readonly Guid Tenant = Guid.Parse("6f9619ff-8b86-d011-b42d-00cf4fc964ff");

    private readonly ResilienceRegistry _registry = new(TimeProvider.System);
    private readonly CountingPrices _inner = new();
    private readonly CachedPricesResilient _proxy;
    private readonly CachedRepositoryResilient<int> _repository;

    public CacheFallbackAllocationTests()
    {
        _proxy = new CachedPricesResilient(_inner, _registry);
        _repository = new CachedRepositoryResilient<int>(_inner, _registry);
    }

    public void Dispose() => _registry.Dispose();

    [Fact]
    public void A_fresh_hit_allocates_nothing()
    {
        string sku = "sku-1";
        int first = _proxy.Price(sku, 3, PriceTier.Wholesale, Tenant);
        Hits(sku, Warmup);
        long sum = 0;
        long allocated = AllocationProbe.Least(() => sum = Hits(sku, Calls));

        Assert.Equal(0, allocated);
        Assert.Equal((long)first * Calls, sum);
        Assert.Equal(1, _inner.Calls);
    }

    [Fact]
    public async Task A_fresh_hit_of_a_value_task_allocates_nothing()
    {
        long first = await _proxy.PriceAsync("sku", 7, true, '"', CancellationToken.None);
        AsyncHits(Warmup);
        long sum = 0;
        long allocated = AllocationProbe.Least(() => sum = AsyncHits(Calls));

        Assert.Equal(0, allocated);
        Assert.Equal(first * Calls, sum);
        Assert.Equal(1, _inner.Calls);
    }

    [Fact]
    public void A_fresh_hit_on_a_generic_interface_allocates_nothing()
    {
        int first = _repository.Count("contoso", 5);
        RepositoryHits(Warmup);
        long sum = 0;
        long allocated = AllocationProbe.Least(() => sum = RepositoryHits(Calls));

        Assert.Equal(0, allocated);
        Assert.Equal((long)first * Calls, sum);
    }

    [Fact]
    public void Storing_a_new_value_type_result_under_a_key_already_present_allocates_nothing()
    {
        string sku = "sku-2";
        Stores(sku, Warmup);
        long sum = 0;
        long allocated = AllocationProbe.Least(() => sum = Stores(sku, Calls), out int windows);

        Assert.Equal(0, allocated);
        int stored = Warmup + (windows * Calls);
        Assert.Equal(stored, _inner.Calls); // every call reached the inner service and stored its result
        Assert.Equal(((long)Calls * (stored - Calls)) + ((long)Calls * (Calls + 1) / 2), sum); // the last window's results
        Assert.True(_registry.CacheStore.TryGet(CacheKey.Of("Resilience.EndToEnd.Tests.ICachedPrices.Quote", sku, (int?)null, PriceTier.Retail, 0.5), out CacheFallbackEntry entry));
        Assert.Equal(stored, entry.Value);
    }

    [Fact]
    public void Storing_a_new_reference_result_under_a_key_already_present_allocates_nothing()
    {
        Describes(Warmup);
        int length = 0;
        long allocated = AllocationProbe.Least(() => length = Describes(Calls), out int windows);

        Assert.Equal(0, allocated);
        Assert.Equal(Calls, length);
        Assert.Equal(Warmup + (windows * Calls), _inner.Calls);
    }

    private long Hits(string sku, int count)
    {
        long sum = 0;
        for (int i = 0; i < count; i++)
        {
            sum += _proxy.Price(sku, 3, PriceTier.Wholesale, Tenant);
        }

        return sum;
    }

    private long AsyncHits(int count)
    {
        long sum = 0;
        for (int i = 0; i < count; i++)
        {
            ValueTask<long> call = _proxy.PriceAsync("sku", 7, true, '"', CancellationToken.None);
            if (!call.IsCompletedSuccessfully)
            {
                throw new InvalidOperationException("The call did not complete synchronously.");
            }

            sum += call.Result;
        }

        return sum;
    }

    private long RepositoryHits(int count)
    {
        long sum = 0;
        for (int i = 0; i < count; i++)
        {
            sum += _repository.Count("contoso", 5);
        }

        return sum;
    }

    private int Describes(int count)
    {
        int length = 0;
        for (int i = 0; i < count; i++)
        {
            length += _proxy.Describe("sku", 4).Length;
        }

        return length;
    }

    private long Stores(string sku, int count)
    {
        long sum = 0;
        for (int i = 0; i < count; i++)
        {
            sum += _proxy.Quote(sku, null, PriceTier.Retail, 0.5);
        }

        return sum;
    }
}
