using Resilience.EndToEnd.Tests.Infrastructure;

namespace Resilience.EndToEnd.Tests;

public interface IPriceService
{
    [CacheFallback(TtlMs = 1_000, StaleTtlMs = 60_000)]
    Task<decimal> GetPriceAsync(string sku, string currency, CancellationToken cancellationToken);

    [CacheFallback(StaleTtlMs = 60_000, KeyParameters = new[] { "sku" })]
    ValueTask<string> DescribeAsync(string sku, Guid requestId, CancellationToken cancellationToken);
}

public sealed class FlakyPriceService : IPriceService
{
    public AttemptLog Log { get; } = new();

    public Exception? Error { get; set; }

    public decimal Price { get; set; } = 10m;

    public Task<decimal> GetPriceAsync(string sku, string currency, CancellationToken cancellationToken)
    {
        Log.Record(cancellationToken);
        return Error is null ? Task.FromResult(Price) : Task.FromException<decimal>(Error);
    }

    public ValueTask<string> DescribeAsync(string sku, Guid requestId, CancellationToken cancellationToken)
    {
        Log.Record(cancellationToken);
        return Error is null ? new($"{sku} at {Price}") : ValueTask.FromException<string>(Error);
    }
}

public sealed class CacheFallbackTests : IDisposable
{
    private const string PriceName = "Resilience.EndToEnd.Tests.IPriceService.GetPriceAsync";

    private readonly Clock _clock = new();
    private readonly FlakyPriceService _inner = new();
    private readonly PriceServiceResilient _proxy;

    public CacheFallbackTests() => _proxy = new PriceServiceResilient(_inner, _clock.Registry);

    public void Dispose() => _clock.Dispose();

    [Fact]
    public async Task A_fresh_entry_answers_without_calling_the_inner_until_TtlMs_elapses()
    {
        Assert.Equal(10m, await _proxy.GetPriceAsync("sku1", "EUR", CancellationToken.None));
        _inner.Price = 11m;

        _clock.Advance(999);
        Assert.Equal(10m, await _proxy.GetPriceAsync("sku1", "EUR", CancellationToken.None));
        Assert.Equal(1, _inner.Log.Count);

        Assert.Equal(11m, await _proxy.GetPriceAsync("sku1", "USD", CancellationToken.None)); // another key: every argument counts
        Assert.Equal(2, _inner.Log.Count);

        _clock.Advance(1);
        Assert.Equal(11m, await _proxy.GetPriceAsync("sku1", "EUR", CancellationToken.None));
        Assert.Equal(3, _inner.Log.Count);
    }

    [Fact]
    public async Task On_failure_a_stale_entry_answers_until_StaleTtlMs_after_freshness_ends()
    {
        CacheFallbackStrategy strategy = _clock.Registry.GetOrAddCacheFallback(
            PriceName, new CacheFallbackOptions { Ttl = TimeSpan.FromMilliseconds(1_000), StaleTtl = TimeSpan.FromMilliseconds(60_000) });
        var served = new List<StaleResultServedEventArgs>();
        strategy.StaleResultServed += (_, e) => served.Add(e);

        Assert.Equal(10m, await _proxy.GetPriceAsync("sku1", "EUR", CancellationToken.None));
        _inner.Error = new InvalidOperationException("db down");

        _clock.Advance(5_000);
        Assert.Equal(10m, await _proxy.GetPriceAsync("sku1", "EUR", CancellationToken.None));
        Assert.Equal(2, _inner.Log.Count);
        StaleResultServedEventArgs stale = Assert.Single(served);
        Assert.Equal(TimeSpan.FromMilliseconds(5_000), stale.Age);
        Assert.Same(_inner.Error, stale.Exception);

        await Assert.ThrowsAsync<InvalidOperationException>(() => _proxy.GetPriceAsync("never-cached", "EUR", CancellationToken.None));

        _clock.Advance(55_999);
        Assert.Equal(10m, await _proxy.GetPriceAsync("sku1", "EUR", CancellationToken.None));
        _clock.Advance(1);
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => _proxy.GetPriceAsync("sku1", "EUR", CancellationToken.None));
        Assert.Same(_inner.Error, error);
    }

    [Fact]
    public async Task KeyParameters_choose_the_key_and_TtlMs_zero_always_calls_the_inner()
    {
        Assert.Equal("a at 10", await _proxy.DescribeAsync("a", Guid.NewGuid(), CancellationToken.None));
        _inner.Price = 12m;
        Assert.Equal("a at 12", await _proxy.DescribeAsync("a", Guid.NewGuid(), CancellationToken.None)); // no fresh hits
        Assert.Equal(2, _inner.Log.Count);

        _inner.Error = new TimeoutException("slow");
        Assert.Equal("a at 12", await _proxy.DescribeAsync("a", Guid.NewGuid(), CancellationToken.None)); // another requestId, same key
        await Assert.ThrowsAsync<TimeoutException>(() => _proxy.DescribeAsync("b", Guid.NewGuid(), CancellationToken.None).AsTask());
    }
}
