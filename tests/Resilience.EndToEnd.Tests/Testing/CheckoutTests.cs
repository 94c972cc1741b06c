using Resilience;
using Resilience.Testing;

namespace Shop;

[CircuitBreaker(FailureThreshold = 2, BreakDurationMs = 30_000, Name = "prices")]
public interface IPriceClient
{
    [Retry(MaxRetries = 2, DelayMs = 200, Backoff = BackoffType.Constant, Jitter = 0)]
    Task<decimal> GetPriceAsync(string sku, CancellationToken cancellationToken);
}

/// <summary>The class under test: it uses the generated decorator through the interface.</summary>
public sealed class Checkout(IPriceClient prices)
{
    public async Task<string> QuoteAsync(string sku, CancellationToken cancellationToken)
    {
        try
        {
            return $"{sku}: {await prices.GetPriceAsync(sku, cancellationToken):0.00}";
        }
        catch (BrokenCircuitException)
        {
            return $"{sku}: price unavailable";
        }
    }
}

public sealed class CheckoutTests
{
    private sealed class FakePrices : IPriceClient
    {
        public int Calls { get; private set; }

        public Task<decimal> GetPriceAsync(string sku, CancellationToken cancellationToken)
        {
            Calls++;
            return Task.FromResult(9.5m);
        }
    }

    [Fact]
    public async Task Quotes_say_unavailable_while_the_price_breaker_is_open()
    {
        using var kit = new ResilienceTestKit();
        kit.SetBreakerState("prices", CircuitState.Open); // before the first call
        var prices = new FakePrices();
        var checkout = new Checkout(new PriceClientResilient(prices, kit.Registry));

        Assert.Equal("book: price unavailable", await checkout.QuoteAsync("book", CancellationToken.None));
        Assert.Equal(0, prices.Calls);
        Assert.Equal(1, kit.Recorder["prices"].Rejections);

        kit.Advance(TimeSpan.FromSeconds(30)); // the break ends: the next call is a probe
        Assert.Equal("book: 9.50", await checkout.QuoteAsync("book", CancellationToken.None));
        Assert.Equal(CircuitState.Closed, kit.Registry.TryGetCircuitBreaker("prices", out var breaker) ? breaker.State : default);
    }

    [Fact]
    public async Task A_failing_price_service_is_retried_twice_then_the_breaker_opens()
    {
        using var kit = new ResilienceTestKit();
        var prices = new FakePrices();
        var checkout = new Checkout(new PriceClientResilient(prices, kit.Registry));

        using (kit.InjectFault("prices", () => new HttpRequestException("prices are down")))
        {
            for (int call = 0; call < 2; call++)
            {
                Task<string> quote = checkout.QuoteAsync("book", CancellationToken.None);
                kit.Advance(TimeSpan.FromMilliseconds(200)); // first retry's delay
                kit.Advance(TimeSpan.FromMilliseconds(200)); // second retry's delay
                await Assert.ThrowsAsync<HttpRequestException>(() => quote);
            }
        }

        Assert.Equal("book: price unavailable", await checkout.QuoteAsync("book", CancellationToken.None));
        Assert.Equal(0, prices.Calls); // the injected faults never reached it; the open breaker stopped the third call

        InstanceRecord record = kit.Recorder["Shop.IPriceClient.GetPriceAsync"];
        Assert.Equal(3, record.Calls);
        Assert.Equal(2, record.Failed);
        Assert.Equal(1, record.RejectedCalls);
        Assert.Equal(4, record.Retries);
        Assert.Equal([new BreakerTransition(CircuitState.Closed, CircuitState.Open, CircuitTransitionReason.TripPolicy)], kit.Recorder["prices"].Transitions);
    }
}
