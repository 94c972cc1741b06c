using Resilience.EndToEnd.Tests.Infrastructure;

namespace Resilience.EndToEnd.Tests.RealWorld;

// Shapes of real interfaces from the generator's real-world corpus (issue 10), annotated as a user would, compiled by
// the generator in this project and run over fake inner implementations.

public sealed class ValidationResult
{
    public List<string> Errors { get; } = [];

    public bool IsValid => Errors.Count == 0;
}

/// <summary>FluentValidation's IValidator{T} shape: contravariant, a default CancellationToken, a default-member fallback.</summary>
public interface IOrderValidator<in T>
{
    [Retry(MaxRetries = 2, DelayMs = 0, Backoff = BackoffType.Constant, Jitter = 0)]
    [Fallback(nameof(Invalid))]
    Task<ValidationResult> ValidateAsync(T instance, CancellationToken cancellation = new CancellationToken());

    Task<ValidationResult> Invalid(T instance, Exception error)
    {
        var result = new ValidationResult();
        result.Errors.Add("validator unavailable: " + error.Message);
        return Task.FromResult(result);
    }
}

/// <summary>IDistributedCache's GetAsync shape: a nullable byte[] result, a stale cache behind an interface-level breaker.</summary>
[CircuitBreaker(FailureThreshold = 2, BreakDurationMs = 30_000)]
public interface IBlobCache
{
    [CacheFallback(StaleTtlMs = 60_000)]
    Task<byte[]?> GetAsync(string key, CancellationToken token = default);

    Task RemoveAsync(string key, CancellationToken token = default);
}

/// <summary>Two interfaces named IClient nested in two classes of one namespace: OrdersClientResilient and UsersClientResilient.</summary>
public static class Orders
{
    public interface IClient
    {
        // A Task<string> fallback for a Task<string?> method (nullable annotations differ, the generated code says '!').
        [Fallback(typeof(InternalOrderFallbacks), nameof(InternalOrderFallbacks.Unknown))]
        Task<string?> FindAsync(int id);
    }
}

public static class Users
{
    public interface IClient
    {
        [Retry(MaxRetries = 1, DelayMs = 0, Backoff = BackoffType.Constant, Jitter = 0)]
        Task<string> NameAsync(int id);
    }
}

/// <summary>An internal handler behind a public interface: the decorator's constructor is internal.</summary>
internal sealed class InternalOrderFallbacks
{
    public List<int> Answered { get; } = [];

    public Task<string> Unknown(int id, Exception error)
    {
        Answered.Add(id);
        return Task.FromResult($"order {id} unknown ({error.Message})");
    }
}

internal sealed class FlakyValidator : IOrderValidator<string>
{
    public int Failures { get; set; }

    public int Calls { get; private set; }

    public Task<ValidationResult> ValidateAsync(string instance, CancellationToken cancellation = default)
    {
        Calls++;
        if (Calls <= Failures)
        {
            return Task.FromException<ValidationResult>(new TimeoutException($"call {Calls}"));
        }

        var result = new ValidationResult();
        if (instance.Length == 0)
        {
            result.Errors.Add("empty");
        }

        return Task.FromResult(result);
    }
}

internal sealed class FlakyBlobCache : IBlobCache
{
    public Exception? Error { get; set; }

    public int Calls { get; private set; }

    public Task<byte[]?> GetAsync(string key, CancellationToken token = default)
    {
        Calls++;
        return Error is null ? Task.FromResult<byte[]?>(new[] { (byte)key.Length }) : Task.FromException<byte[]?>(Error);
    }

    public Task RemoveAsync(string key, CancellationToken token = default) => Task.CompletedTask;
}

internal sealed class BrokenOrders : Orders.IClient
{
    public Task<string?> FindAsync(int id) => Task.FromException<string?>(new InvalidOperationException("down"));
}

internal sealed class FlakyUsers : Users.IClient
{
    public int Calls { get; private set; }

    public Task<string> NameAsync(int id) => ++Calls == 1 ? Task.FromException<string>(new InvalidOperationException("once")) : Task.FromResult($"user {id}");
}

public sealed class RealWorldShapeTests : IDisposable
{
    private readonly Clock _clock = new();

    public void Dispose() => _clock.Dispose();

    [Fact]
    public async Task Validator_shape_retries_then_answers_from_the_inner()
    {
        var inner = new FlakyValidator { Failures = 2 };
        IOrderValidator<string> validator = new OrderValidatorResilient<string>(inner, _clock.Registry);

        var result = await validator.ValidateAsync("");

        Assert.Equal(3, inner.Calls);
        Assert.Equal(new[] { "empty" }, result.Errors);
    }

    [Fact]
    public async Task Validator_shape_falls_back_to_the_default_member_when_retries_run_out()
    {
        var inner = new FlakyValidator { Failures = 10 };
        IOrderValidator<string> validator = new OrderValidatorResilient<string>(inner, _clock.Registry);

        var result = await validator.ValidateAsync("order-1");

        Assert.Equal(3, inner.Calls);
        Assert.Equal(new[] { "validator unavailable: call 3" }, result.Errors);
    }

    [Fact]
    public async Task Cache_shape_answers_stale_while_failing_and_while_the_breaker_is_open()
    {
        var inner = new FlakyBlobCache();
        IBlobCache cache = new BlobCacheResilient(inner, _clock.Registry);
        Assert.Equal(new byte[] { 3 }, await cache.GetAsync("abc"));

        inner.Error = new IOException("disk");
        Assert.Equal(new byte[] { 3 }, await cache.GetAsync("abc"));   // failure 1: stale
        Assert.Equal(new byte[] { 3 }, await cache.GetAsync("abc"));   // failure 2: stale, the breaker opens
        Assert.Equal(3, inner.Calls);

        Assert.Equal(new byte[] { 3 }, await cache.GetAsync("abc"));   // open: the inner is not called, stale still answers
        Assert.Equal(3, inner.Calls);
        await Assert.ThrowsAsync<BrokenCircuitException>(() => cache.GetAsync("never-cached"));
        Assert.Equal(3, inner.Calls);

        inner.Error = null;
        _clock.Advance(30_000);
        Assert.Equal(new byte[] { 12 }, await cache.GetAsync("never-cached"));   // half-open probe succeeds
        Assert.Equal(4, inner.Calls);
    }

    [Fact]
    public async Task Same_named_nested_interfaces_get_decorators_named_after_their_containers_and_both_act()
    {
        var handler = new InternalOrderFallbacks();
        Orders.IClient orders = new OrdersClientResilient(new BrokenOrders(), handler, _clock.Registry);
        var flakyUsers = new FlakyUsers();
        Users.IClient users = new UsersClientResilient(flakyUsers, _clock.Registry);

        Assert.Equal("order 7 unknown (down)", await orders.FindAsync(7));
        Assert.Equal(new[] { 7 }, handler.Answered);
        Assert.Equal("user 3", await users.NameAsync(3));
        Assert.Equal(2, flakyUsers.Calls);
    }

    [Fact]
    public void Internal_handler_makes_the_constructor_internal_and_the_class_stays_public()
    {
        Assert.True(typeof(OrdersClientResilient).IsPublic);
        var constructor = Assert.Single(typeof(OrdersClientResilient).GetConstructors(System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Public));
        Assert.True(constructor.IsAssembly);
        Assert.Empty(typeof(UsersClientResilient).GetConstructors().Where(c => !c.IsPublic));
    }
}
