using Resilience.EndToEnd.Tests.Infrastructure;

namespace Resilience.EndToEnd.Tests;

public interface IOrders
{
    [CircuitBreaker(Name = "shared", FailureThreshold = 2, BreakDurationMs = 5_000)]
    Task PlaceAsync(string order, CancellationToken cancellationToken);

    [Bulkhead(Name = "db", MaxConcurrency = 1)]
    Task<int> SaveAsync(TaskCompletionSource<int> work);
}

public interface IPayments
{
    [CircuitBreaker(Name = "shared", FailureThreshold = 2, BreakDurationMs = 5_000)]
    Task<int> ChargeAsync(int cents, CancellationToken cancellationToken);

    [Bulkhead(Name = "db", MaxConcurrency = 1)]
    ValueTask<int> RefundAsync(int cents);
}

[CircuitBreaker(FailureThreshold = 2, BreakDurationMs = 5_000)]
public interface IInventory
{
    Task<int> ReserveAsync(string sku);

    ValueTask ReleaseAsync(string sku);

    int Count();

    [CircuitBreaker(FailureThreshold = 1, BreakDurationMs = 5_000)]
    Task AuditAsync();
}

public sealed class FailingOrders : IOrders
{
    public int Calls;

    public Task PlaceAsync(string order, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref Calls);
        return Task.FromException(new InvalidOperationException("orders down"));
    }

    public Task<int> SaveAsync(TaskCompletionSource<int> work) => work.Task;
}

public sealed class FailingPayments : IPayments
{
    public int Calls;

    public Task<int> ChargeAsync(int cents, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref Calls);
        return Task.FromException<int>(new InvalidOperationException("payments down"));
    }

    public ValueTask<int> RefundAsync(int cents) => new(cents);
}

public sealed class Inventory : IInventory
{
    public bool Fail { get; set; }

    public int Calls;

    public Task<int> ReserveAsync(string sku) => Fail ? Task.FromException<int>(Boom()) : Task.FromResult(Called());

    public ValueTask ReleaseAsync(string sku) => Fail ? ValueTask.FromException(Boom()) : Done();

    public int Count() => Fail ? throw Boom() : Called();

    public Task AuditAsync() => Task.FromException(Boom());

    private int Called() => Interlocked.Increment(ref Calls);

    private ValueTask Done()
    {
        Called();
        return default;
    }

    private InvalidOperationException Boom()
    {
        Called();
        return new InvalidOperationException("inventory down");
    }
}

public sealed class SharedInstanceTests : IDisposable
{
    private readonly Clock _clock = new();

    public void Dispose() => _clock.Dispose();

    [Fact]
    public async Task Two_interfaces_with_the_same_breaker_Name_trip_together_through_one_registry()
    {
        var orders = new FailingOrders();
        var payments = new FailingPayments();
        var ordersProxy = new OrdersResilient(orders, _clock.Registry);
        var paymentsProxy = new PaymentsResilient(payments, _clock.Registry);

        await Assert.ThrowsAsync<InvalidOperationException>(() => ordersProxy.PlaceAsync("o1", CancellationToken.None));
        await Assert.ThrowsAsync<InvalidOperationException>(() => paymentsProxy.ChargeAsync(100, CancellationToken.None));

        Assert.True(_clock.Registry.TryGetCircuitBreaker("shared", out CircuitBreaker? shared));
        Assert.Equal(CircuitState.Open, shared.State);
        Assert.Equal(2, shared.Counts.Failures);
        await Assert.ThrowsAsync<BrokenCircuitException>(() => ordersProxy.PlaceAsync("o2", CancellationToken.None));
        await Assert.ThrowsAsync<BrokenCircuitException>(() => paymentsProxy.ChargeAsync(200, CancellationToken.None));
        Assert.Equal(1, orders.Calls);
        Assert.Equal(1, payments.Calls);
    }

    [Fact]
    public async Task The_same_breaker_Name_in_another_registry_is_another_instance()
    {
        using var otherClock = new Clock();
        var mine = new OrdersResilient(new FailingOrders(), _clock.Registry);
        var theirs = new PaymentsResilient(new FailingPayments(), otherClock.Registry);

        await Assert.ThrowsAsync<InvalidOperationException>(() => mine.PlaceAsync("o1", CancellationToken.None));
        await Assert.ThrowsAsync<InvalidOperationException>(() => theirs.ChargeAsync(1, CancellationToken.None));

        Assert.True(_clock.Registry.TryGetCircuitBreaker("shared", out CircuitBreaker? a));
        Assert.True(otherClock.Registry.TryGetCircuitBreaker("shared", out CircuitBreaker? b));
        Assert.NotSame(a, b);
        Assert.Equal(CircuitState.Closed, a.State);
        Assert.Equal(CircuitState.Closed, b.State);
    }

    [Fact]
    public async Task A_named_bulkhead_is_one_slot_pool_for_both_interfaces()
    {
        var ordersProxy = new OrdersResilient(new FailingOrders(), _clock.Registry);
        var paymentsProxy = new PaymentsResilient(new FailingPayments(), _clock.Registry);
        var work = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);

        Task<int> saving = ordersProxy.SaveAsync(work);
        await Assert.ThrowsAsync<BulkheadRejectedException>(() => paymentsProxy.RefundAsync(5).AsTask());

        work.SetResult(1);
        Assert.Equal(1, await Clock.Finish(saving));
        Assert.Equal(5, await paymentsProxy.RefundAsync(5));
    }

    [Fact]
    public async Task An_interface_level_breaker_is_shared_by_every_method_of_every_shape()
    {
        var inner = new Inventory();
        var proxy = new InventoryResilient(inner, _clock.Registry);
        Assert.Equal(1, await proxy.ReserveAsync("a"));
        Assert.Equal(2, proxy.Count());

        inner.Fail = true;
        await Assert.ThrowsAsync<InvalidOperationException>(() => proxy.ReserveAsync("a"));
        await Assert.ThrowsAsync<InvalidOperationException>(() => proxy.ReleaseAsync("a").AsTask());

        Assert.True(_clock.Registry.TryGetCircuitBreaker("Resilience.EndToEnd.Tests.IInventory", out CircuitBreaker? breaker));
        Assert.Equal(CircuitState.Open, breaker.State);
        inner.Fail = false;
        Assert.Throws<BrokenCircuitException>(() => proxy.Count());
        await Assert.ThrowsAsync<BrokenCircuitException>(() => proxy.ReserveAsync("a"));
        Assert.Equal(4, inner.Calls);

        _clock.Advance(5_000);
        Assert.Equal(5, proxy.Count()); // the half-open probe, through the synchronous method, closes it for all
        Assert.Equal(CircuitState.Closed, breaker.State);
        await proxy.ReleaseAsync("a");
        Assert.Equal(6, inner.Calls);
    }

    [Fact]
    public async Task A_method_level_breaker_overrides_the_interface_level_one()
    {
        var inner = new Inventory();
        var proxy = new InventoryResilient(inner, _clock.Registry);

        await Assert.ThrowsAsync<InvalidOperationException>(() => proxy.AuditAsync());
        await Assert.ThrowsAsync<BrokenCircuitException>(() => proxy.AuditAsync()); // its own breaker, threshold 1

        Assert.True(_clock.Registry.TryGetCircuitBreaker("Resilience.EndToEnd.Tests.IInventory.AuditAsync", out CircuitBreaker? own));
        Assert.Equal(CircuitState.Open, own.State);
        Assert.True(_clock.Registry.TryGetCircuitBreaker("Resilience.EndToEnd.Tests.IInventory", out CircuitBreaker? shared));
        Assert.Equal(0, shared.Counts.Failures);
        Assert.Equal(CircuitState.Closed, shared.State);
        Assert.Equal(2, await proxy.ReserveAsync("a"));
    }
}
