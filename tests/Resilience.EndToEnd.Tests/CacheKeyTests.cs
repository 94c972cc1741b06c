using System.Globalization;
using System.Collections.Concurrent;
using Microsoft.Extensions.Time.Testing;

namespace Resilience.EndToEnd.Tests;

// Customer and Order (type arguments of the generic repository below) are declared with GenericDependencyInjectionTests.

public sealed class SearchRequest
{
    public string Tenant { get; set; } = "";

    public string Query { get; set; } = "";
}

public interface IKeyedLookups
{
    [CacheFallback(TtlMs = 60_000)]
    Task<string> JoinAsync(string? first, string? second, CancellationToken cancellationToken);

    [CacheFallback(TtlMs = 60_000)]
    Task<string> AtAsync(DateTimeOffset at, decimal amount, int? page);

    [CacheFallback(TtlMs = 60_000, KeyMethod = nameof(KeyOf))]
    Task<string> SearchAsync(SearchRequest request, CancellationToken cancellationToken);

    static string KeyOf(SearchRequest request) => request.Tenant + "/" + request.Query;
}

public interface IRepository<TEntity>
{
    [CacheFallback(TtlMs = 60_000)]
    Task<string> GetAsync(string id);

    [CacheFallback(TtlMs = 60_000)]
    Task<string> ConvertAsync<TOut>(string id);
}

public sealed class CountingLookups : IKeyedLookups
{
    public int Calls { get; private set; }

    public Task<string> JoinAsync(string? first, string? second, CancellationToken cancellationToken)
        => Task.FromResult($"{++Calls}:{first}|{second}");

    public Task<string> AtAsync(DateTimeOffset at, decimal amount, int? page) => Task.FromResult($"{++Calls}");

    public Task<string> SearchAsync(SearchRequest request, CancellationToken cancellationToken)
        => Task.FromResult($"{++Calls}:{request.Tenant}");
}

public sealed class NamedRepository<TEntity> : IRepository<TEntity>
{
    public Task<string> GetAsync(string id) => Task.FromResult(typeof(TEntity).Name + " " + id);

    public Task<string> ConvertAsync<TOut>(string id) => Task.FromResult(typeof(TOut).Name + " " + id);
}

/// <summary>Remembers every key it is asked to store, so that tests can read the keys generated code makes.</summary>
public sealed class RecordingStore(TimeProvider time) : ICacheFallbackStore
{
    private readonly InMemoryCacheFallbackStore _inner = new(timeProvider: time);

    public ConcurrentQueue<string> Keys { get; } = new();

    public bool TryGet(string key, out CacheFallbackEntry entry) => _inner.TryGet(key, out entry);

    public void Set(string key, CacheFallbackEntry entry)
    {
        Keys.Enqueue(key);
        _inner.Set(key, entry);
    }
}

/// <summary>
/// The keys generated <c>[CacheFallback]</c> code makes: unambiguous (quoted, escaped, null apart from ""), formatted
/// with the invariant culture, with the closed type arguments of a generic interface or method, or made by KeyMethod.
/// </summary>
public sealed class CacheKeyTests
{
    private readonly RecordingStore _store;
    private readonly ResilienceRegistry _registry;

    public CacheKeyTests()
    {
        var time = new FakeTimeProvider();
        _store = new RecordingStore(time);
        _registry = new ResilienceRegistry(time, _store);
    }

    [Fact]
    public async Task Arguments_containing_the_separator_or_null_do_not_share_an_entry()
    {
        var inner = new CountingLookups();
        var proxy = new KeyedLookupsResilient(inner, _registry);

        Assert.Equal("1:a, b|c", await proxy.JoinAsync("a, b", "c", CancellationToken.None));
        Assert.Equal("2:a|b, c", await proxy.JoinAsync("a", "b, c", CancellationToken.None));
        Assert.Equal("3:|x", await proxy.JoinAsync(null, "x", CancellationToken.None));
        Assert.Equal("4:|x", await proxy.JoinAsync("", "x", CancellationToken.None));
        Assert.Equal("1:a, b|c", await proxy.JoinAsync("a, b", "c", CancellationToken.None)); // a fresh hit

        Assert.Equal(4, inner.Calls);
        Assert.Equal(
            new[]
            {
                "Resilience.EndToEnd.Tests.IKeyedLookups.JoinAsync(\"a, b\", \"c\")",
                "Resilience.EndToEnd.Tests.IKeyedLookups.JoinAsync(\"a\", \"b, c\")",
                "Resilience.EndToEnd.Tests.IKeyedLookups.JoinAsync(null, \"x\")",
                "Resilience.EndToEnd.Tests.IKeyedLookups.JoinAsync(\"\", \"x\")",
            },
            _store.Keys);
    }

    [Fact]
    public async Task Values_are_formatted_with_the_invariant_culture()
    {
        var previous = CultureInfo.CurrentCulture;
        CultureInfo.CurrentCulture = new CultureInfo("de-DE");
        try
        {
            var proxy = new KeyedLookupsResilient(new CountingLookups(), _registry);
            await proxy.AtAsync(new DateTimeOffset(2024, 5, 1, 10, 30, 0, 250, TimeSpan.Zero), 12.5m, null);
        }
        finally
        {
            CultureInfo.CurrentCulture = previous;
        }

        Assert.Equal("Resilience.EndToEnd.Tests.IKeyedLookups.AtAsync(\"2024-05-01T10:30:00.2500000+00:00\", \"12.5\", null)", Assert.Single(_store.Keys));
    }

    [Fact]
    public async Task A_key_method_makes_the_key_of_a_type_without_value_based_ToString()
    {
        var inner = new CountingLookups();
        var proxy = new KeyedLookupsResilient(inner, _registry);

        Assert.Equal("1:contoso", await proxy.SearchAsync(new SearchRequest { Tenant = "contoso", Query = "q" }, CancellationToken.None));
        Assert.Equal("2:fabrikam", await proxy.SearchAsync(new SearchRequest { Tenant = "fabrikam", Query = "q" }, CancellationToken.None));
        Assert.Equal("1:contoso", await proxy.SearchAsync(new SearchRequest { Tenant = "contoso", Query = "q" }, CancellationToken.None));

        Assert.Equal(2, inner.Calls);
        Assert.Equal("Resilience.EndToEnd.Tests.IKeyedLookups.SearchAsync(\"contoso/q\")", _store.Keys.First());
    }

    [Fact]
    public async Task Closed_type_arguments_of_a_generic_interface_and_method_are_part_of_the_key()
    {
        var customers = new RepositoryResilient<Customer>(new NamedRepository<Customer>(), _registry);
        var orders = new RepositoryResilient<Order>(new NamedRepository<Order>(), _registry);

        Assert.Equal("Customer 42", await customers.GetAsync("42"));
        Assert.Equal("Order 42", await orders.GetAsync("42")); // same id, another entity: not the customer's entry
        Assert.Equal("Int32 7", await customers.ConvertAsync<int>("7"));
        Assert.Equal("String 7", await customers.ConvertAsync<string>("7"));

        Assert.Equal(
            new[]
            {
                "Resilience.EndToEnd.Tests.IRepository<TEntity>.GetAsync[Resilience.EndToEnd.Tests.Customer](\"42\")",
                "Resilience.EndToEnd.Tests.IRepository<TEntity>.GetAsync[Resilience.EndToEnd.Tests.Order](\"42\")",
                "Resilience.EndToEnd.Tests.IRepository<TEntity>.ConvertAsync[Resilience.EndToEnd.Tests.Customer, System.Int32](\"7\")",
                "Resilience.EndToEnd.Tests.IRepository<TEntity>.ConvertAsync[Resilience.EndToEnd.Tests.Customer, System.String](\"7\")",
            },
            _store.Keys);
    }
}
