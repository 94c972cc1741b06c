using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Resilience.EndToEnd.Tests.Infrastructure;

namespace Resilience.EndToEnd.Tests;

public sealed record Customer(string Id);

public sealed record Order(string Id);

/// <summary>Used only by the test whose call site has a type parameter: nothing else registers it closed.</summary>
public sealed record Invoice(string Id);

/// <summary>
/// One unnamed interface-level breaker: its instance name is the declaration's, <c>Resilience.EndToEnd.Tests.IRepo&lt;T&gt;</c>,
/// so the closed types of one registry share it.
/// </summary>
[CircuitBreaker(FailureThreshold = 1, BreakDurationMs = 60_000)]
public interface IRepo<T>
{
    string Describe(string id);
}

/// <summary>Records each call; "bad" fails.</summary>
public sealed class Repo<T>(AttemptLog log) : IRepo<T>
{
    public string Describe(string id)
    {
        log.Record();
        return id == "bad" ? throw new InvalidOperationException("bad " + typeof(T).Name) : $"{typeof(T).Name}:{id}";
    }
}

public sealed class CustomerRepo(AttemptLog log) : IRepo<Customer>
{
    private readonly Repo<Customer> _inner = new(log);

    public string Describe(string id) => "customer " + _inner.Describe(id);
}

/// <summary>Implements the interface, but not over its own type parameter: the container could not close it.</summary>
public sealed class ListRepo<T>(AttemptLog log) : IRepo<List<T>>
{
    public string Describe(string id) => new Repo<List<T>>(log).Describe(id);
}

public sealed class PairRepo<TKey, TValue>(AttemptLog log) : IRepo<TKey>
{
    public string Describe(string id) => new Repo<TKey>(log).Describe(id) + typeof(TValue).Name;
}

/// <summary>A generic interface without resilience attributes: no decorator.</summary>
public interface IPlainRepo<T>
{
    string Describe(string id);
}

public sealed class PlainRepo<T> : IPlainRepo<T>
{
    public string Describe(string id) => id;
}

public sealed class GenericDependencyInjectionTests
{
    private readonly AttemptLog _log = new();

    private ServiceCollection NewServices()
    {
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(new FakeTimeProvider());
        services.AddSingleton(_log);
        return services;
    }

    /// <summary>A failure opens the breaker; the next call is rejected without reaching the inner instance.</summary>
    private void AssertDecorated<T>(IRepo<T> repo)
    {
        int before = _log.Count;
        Assert.Throws<InvalidOperationException>(() => repo.Describe("bad"));
        Assert.Throws<BrokenCircuitException>(() => repo.Describe("1"));
        Assert.Equal(before + 1, _log.Count);
    }

    [Fact]
    public void AddResilient_with_a_closed_generic_interface_resolves_its_decorator_around_the_implementation()
    {
        ServiceCollection services = NewServices();
        services.AddResilient<IRepo<Customer>, CustomerRepo>();
        using ServiceProvider provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true, ValidateOnBuild = true });
        using IServiceScope scope = provider.CreateScope();

        IRepo<Customer> repo = scope.ServiceProvider.GetRequiredService<IRepo<Customer>>();

        Assert.IsType<RepoResilient<Customer>>(repo);
        Assert.Equal("customer Customer:7", repo.Describe("7"));
        AssertDecorated(repo);
    }

    [Fact]
    public void AddResilientDecorator_wraps_an_existing_closed_generic_registration()
    {
        ServiceCollection services = NewServices();
        services.AddSingleton<IRepo<Order>, Repo<Order>>().AddResilientDecorator<IRepo<Order>>();
        using ServiceProvider provider = services.BuildServiceProvider(validateScopes: true);

        IRepo<Order> repo = provider.GetRequiredService<IRepo<Order>>();

        Assert.IsType<RepoResilient<Order>>(repo);
        AssertDecorated(repo);
    }

    [Fact]
    public void AddResilient_with_an_open_generic_interface_decorates_every_closed_type_the_container_is_asked_for()
    {
        ServiceCollection services = NewServices();
        services.AddResilient(typeof(IRepo<>), typeof(Repo<>));
        using ServiceProvider provider = services.BuildServiceProvider(validateScopes: true);
        using IServiceScope scope = provider.CreateScope();

        IRepo<Customer> customers = scope.ServiceProvider.GetRequiredService<IRepo<Customer>>();
        IRepo<int> numbers = scope.ServiceProvider.GetRequiredService<IRepo<int>>();

        Assert.IsType<RepoResilient<Customer>>(customers);
        Assert.IsType<RepoResilient<int>>(numbers);
        Assert.Same(customers, scope.ServiceProvider.GetRequiredService<IRepo<Customer>>());
        Assert.Equal("Int32:3", numbers.Describe("3"));
        AssertDecorated(customers);
    }

    [Fact]
    public void Open_generic_registration_keeps_the_lifetime_for_the_inner_instance_too()
    {
        ServiceCollection services = NewServices();
        services.AddResilient(typeof(IRepo<>), typeof(Repo<>), ServiceLifetime.Transient);
        using ServiceProvider provider = services.BuildServiceProvider(validateScopes: true);

        Assert.NotSame(provider.GetRequiredService<IRepo<Order>>(), provider.GetRequiredService<IRepo<Order>>());
        Assert.IsType<Repo<Order>>(provider.GetRequiredKeyedService<IRepo<Order>>(ResilientProxyFactory.InnerServiceKey));
    }

    [Fact]
    public void An_open_decorator_wins_over_an_earlier_open_registration_but_a_closed_registration_wins_over_both()
    {
        ServiceCollection services = NewServices();
        services.AddScoped(typeof(IRepo<>), typeof(PairRepoOfString<>));
        services.AddScoped<IRepo<Order>, Repo<Order>>();
        services.AddResilient(typeof(IRepo<>), typeof(Repo<>));
        using ServiceProvider provider = services.BuildServiceProvider(validateScopes: true);
        using IServiceScope scope = provider.CreateScope();

        Assert.IsType<RepoResilient<Customer>>(scope.ServiceProvider.GetRequiredService<IRepo<Customer>>());
        Assert.IsType<Repo<Order>>(scope.ServiceProvider.GetRequiredService<IRepo<Order>>());
    }

    [Fact]
    public void The_closed_types_of_a_generic_interface_share_its_unnamed_interface_level_breaker()
    {
        ServiceCollection services = NewServices();
        services.AddResilient(typeof(IRepo<>), typeof(Repo<>));
        using ServiceProvider provider = services.BuildServiceProvider(validateScopes: true);
        using IServiceScope scope = provider.CreateScope();
        IRepo<Customer> customers = scope.ServiceProvider.GetRequiredService<IRepo<Customer>>();
        IRepo<Order> orders = scope.ServiceProvider.GetRequiredService<IRepo<Order>>();

        Assert.Throws<InvalidOperationException>(() => customers.Describe("bad"));

        BrokenCircuitException rejected = Assert.Throws<BrokenCircuitException>(() => orders.Describe("1"));
        Assert.Equal("Resilience.EndToEnd.Tests.IRepo<T>", rejected.InstanceName);
        Assert.Equal(1, _log.Count);
    }

    [Fact]
    public void A_closed_registration_written_with_a_type_parameter_fails_with_what_to_write_instead()
    {
        ServiceCollection services = NewServices();

        var error = Assert.Throws<InvalidOperationException>(() => RegisterThroughGenericHelper<Invoice>(services));

        Assert.Contains("Resilience.EndToEnd.Tests.IRepo<Resilience.EndToEnd.Tests.Invoice> has a generated decorator", error.Message);
        Assert.Contains("write the call with concrete types", error.Message);
        Assert.Contains("services.AddResilient(typeof(Resilience.EndToEnd.Tests.IRepo<>), typeof(Implementation<>))", error.Message);
        Assert.Empty(services.Where(d => d.ServiceType == typeof(IRepo<Invoice>)));
    }

    private static void RegisterThroughGenericHelper<T>(IServiceCollection services)
        where T : class
        => services.AddResilient<IRepo<T>, Repo<T>>();

    [Fact]
    public void Open_generic_registration_rejects_an_implementation_of_another_arity()
    {
        var error = Assert.Throws<ArgumentException>(() => NewServices().AddResilient(typeof(IRepo<>), typeof(PairRepo<,>)));
        Assert.Contains("Resilience.EndToEnd.Tests.IRepo<T> has 1 type parameter(s) but Resilience.EndToEnd.Tests.PairRepo<TKey, TValue> has 2", error.Message);
    }

    [Fact]
    public void Open_generic_registration_rejects_an_implementation_that_does_not_implement_the_interface_over_its_type_parameters()
    {
        var error = Assert.Throws<ArgumentException>(() => NewServices().AddResilient(typeof(IRepo<>), typeof(ListRepo<>)));
        Assert.Contains("Resilience.EndToEnd.Tests.ListRepo<T> does not implement IRepo<T>", error.Message);
    }

    [Fact]
    public void Open_generic_registration_rejects_closed_and_non_generic_types_with_the_call_to_use_instead()
    {
        var closedService = Assert.Throws<ArgumentException>(() => NewServices().AddResilient(typeof(IRepo<Customer>), typeof(Repo<>)));
        Assert.Contains("use services.AddResilient<Resilience.EndToEnd.Tests.IRepo<Resilience.EndToEnd.Tests.Customer>, Implementation>()", closedService.Message);

        var closedImplementation = Assert.Throws<ArgumentException>(() => NewServices().AddResilient(typeof(IRepo<>), typeof(CustomerRepo)));
        Assert.Contains("CustomerRepo is not an open generic class", closedImplementation.Message);

        var notInterface = Assert.Throws<ArgumentException>(() => NewServices().AddResilient(typeof(Repo<>), typeof(Repo<>)));
        Assert.Contains("is not an interface", notInterface.Message);
    }

    [Fact]
    public void Open_generic_registration_of_an_interface_without_resilience_attributes_says_to_add_one()
    {
        var error = Assert.Throws<InvalidOperationException>(() => NewServices().AddResilient(typeof(IPlainRepo<>), typeof(PlainRepo<>)));
        Assert.Contains("No resilient decorator was generated for Resilience.EndToEnd.Tests.IPlainRepo<T>", error.Message);
        Assert.Contains("Put a resilience attribute", error.Message);
    }
}

/// <summary>An earlier open registration of <see cref="IRepo{T}"/>, which the decorator's later one overrides.</summary>
public sealed class PairRepoOfString<T> : IRepo<T>
{
    public string Describe(string id) => "earlier " + id;
}
