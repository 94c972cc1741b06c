using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Resilience;

namespace Resilience.Runtime.Tests.DependencyInjection;

public interface IGreeter
{
    string Greet(string name);
}

public interface IUndecorated
{
    void Run();
}

public sealed class Greeter : IGreeter, IDisposable
{
    public bool IsDisposed { get; private set; }

    public string Greet(string name) => "Hello " + name;

    public void Dispose() => IsDisposed = true;
}

/// <summary>Stands in for a generated decorator: wraps the inner instance and takes the registry from the provider.</summary>
public sealed class GreeterResilient(IGreeter inner, ResilienceRegistry registry) : IGreeter
{
    public IGreeter Inner { get; } = inner;

    public ResilienceRegistry Registry { get; } = registry;

    public string Greet(string name) => "[resilient] " + Inner.Greet(name);
}

public sealed class ResilienceServiceCollectionExtensionsTests
{
    static ResilienceServiceCollectionExtensionsTests()
    {
        // What the generated [ModuleInitializer] does for an interface with resilience attributes.
        ResilientProxyFactory.Register<IGreeter>(static (inner, sp) => new GreeterResilient(inner, sp.GetRequiredService<ResilienceRegistry>()));
    }

    [Fact]
    public void ResilientProxyFactory_finds_registered_factories_only()
    {
        Assert.True(ResilientProxyFactory.TryGet<IGreeter>(out var factory));
        Assert.IsType<GreeterResilient>(factory(new Greeter(), new ServiceCollection().AddResilienceRegistry().BuildServiceProvider()));
        Assert.False(ResilientProxyFactory.TryGet<IUndecorated>(out var missing));
        Assert.Null(missing);
    }

    [Fact]
    public void AddResilient_exposes_the_decorator_around_the_implementation()
    {
        using ServiceProvider provider = new ServiceCollection()
            .AddResilient<IGreeter, Greeter>()
            .BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true, ValidateOnBuild = true });
        using IServiceScope scope = provider.CreateScope();

        IGreeter greeter = scope.ServiceProvider.GetRequiredService<IGreeter>();

        var decorator = Assert.IsType<GreeterResilient>(greeter);
        Assert.Same(scope.ServiceProvider.GetRequiredService<Greeter>(), decorator.Inner);
        Assert.Equal("[resilient] Hello Ada", greeter.Greet("Ada"));
    }

    [Theory]
    [InlineData(ServiceLifetime.Singleton)]
    [InlineData(ServiceLifetime.Scoped)]
    [InlineData(ServiceLifetime.Transient)]
    public void AddResilient_applies_the_lifetime_to_implementation_and_decorator(ServiceLifetime lifetime)
    {
        var services = new ServiceCollection().AddResilient<IGreeter, Greeter>(lifetime);
        Assert.Equal(lifetime, services.Single(d => d.ServiceType == typeof(IGreeter)).Lifetime);
        Assert.Equal(lifetime, services.Single(d => d.ServiceType == typeof(Greeter)).Lifetime);
        using ServiceProvider provider = services.BuildServiceProvider(validateScopes: true);
        using IServiceScope scope1 = provider.CreateScope();
        using IServiceScope scope2 = provider.CreateScope();

        IGreeter a = scope1.ServiceProvider.GetRequiredService<IGreeter>();
        IGreeter b = scope1.ServiceProvider.GetRequiredService<IGreeter>();
        IGreeter c = scope2.ServiceProvider.GetRequiredService<IGreeter>();

        Assert.Equal(lifetime != ServiceLifetime.Transient, ReferenceEquals(a, b));
        Assert.Equal(lifetime == ServiceLifetime.Singleton, ReferenceEquals(a, c));
        Assert.Equal(lifetime != ServiceLifetime.Transient, ReferenceEquals(((GreeterResilient)a).Inner, ((GreeterResilient)b).Inner));
    }

    [Fact]
    public void AddResilient_without_a_generated_decorator_throws_at_registration()
    {
        var services = new ServiceCollection();

        var ex = Assert.Throws<InvalidOperationException>(() => services.AddResilient<IUndecorated, Undecorated>());

        Assert.Contains(typeof(IUndecorated).FullName!, ex.Message, StringComparison.Ordinal);
        Assert.Contains("No resilient decorator was generated", ex.Message, StringComparison.Ordinal);
        Assert.Contains("attribute", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Resilience.Generator", ex.Message, StringComparison.Ordinal);
        Assert.Empty(services);
    }

    [Fact]
    public void The_registry_is_one_singleton_on_the_registered_TimeProvider()
    {
        var time = new FakeTimeProvider();
        using ServiceProvider provider = new ServiceCollection()
            .AddSingleton<TimeProvider>(time)
            .AddResilient<IGreeter, Greeter>()
            .AddResilienceRegistry()
            .AddResilient<IGreeter, Greeter>(ServiceLifetime.Transient)
            .BuildServiceProvider();

        var registry = provider.GetRequiredService<ResilienceRegistry>();

        Assert.Same(time, registry.TimeProvider);
        Assert.Same(registry, provider.GetRequiredService<ResilienceRegistry>());
        Assert.Same(registry, ((GreeterResilient)provider.GetRequiredService<IGreeter>()).Registry);
        Assert.Single(provider.GetServices<ResilienceRegistry>());
    }

    [Fact]
    public void A_registry_registered_by_the_application_is_kept()
    {
        var own = new ResilienceRegistry(new FakeTimeProvider());
        using ServiceProvider provider = new ServiceCollection()
            .AddSingleton(own)
            .AddResilient<IGreeter, Greeter>()
            .BuildServiceProvider();

        Assert.Same(own, provider.GetRequiredService<ResilienceRegistry>());
        Assert.Same(TimeProvider.System, new ServiceCollection().AddResilienceRegistry().BuildServiceProvider().GetRequiredService<ResilienceRegistry>().TimeProvider);
    }

    [Theory]
    [InlineData(ServiceLifetime.Singleton)]
    [InlineData(ServiceLifetime.Scoped)]
    [InlineData(ServiceLifetime.Transient)]
    public void AddResilientDecorator_wraps_a_type_registration_keeping_its_lifetime_and_disposal(ServiceLifetime lifetime)
    {
        IServiceCollection services = new ServiceCollection();
        services.Add(new ServiceDescriptor(typeof(IGreeter), typeof(Greeter), lifetime));
        services.AddResilientDecorator<IGreeter>();
        Assert.Equal(lifetime, services.Single(d => d.ServiceType == typeof(IGreeter) && !d.IsKeyedService).Lifetime);
        GreeterResilient first;
        using (ServiceProvider provider = services.BuildServiceProvider(validateScopes: true))
        {
            using (IServiceScope scope = provider.CreateScope())
            {
                first = Assert.IsType<GreeterResilient>(scope.ServiceProvider.GetRequiredService<IGreeter>());
                var second = (GreeterResilient)scope.ServiceProvider.GetRequiredService<IGreeter>();
                Assert.IsType<Greeter>(first.Inner);
                Assert.Equal(lifetime != ServiceLifetime.Transient, ReferenceEquals(first, second));
                Assert.Equal(lifetime != ServiceLifetime.Transient, ReferenceEquals(first.Inner, second.Inner));
            }

            // The container still owns the inner instance: scoped and transient ones go with the scope.
            Assert.Equal(lifetime != ServiceLifetime.Singleton, ((Greeter)first.Inner).IsDisposed);
        }

        Assert.True(((Greeter)first.Inner).IsDisposed);
    }

    [Fact]
    public void AddResilientDecorator_wraps_factory_and_instance_registrations()
    {
        var instance = new Greeter();
        using ServiceProvider fromInstance = new ServiceCollection()
            .AddSingleton<IGreeter>(instance)
            .AddResilientDecorator<IGreeter>()
            .BuildServiceProvider();
        Assert.Same(instance, Assert.IsType<GreeterResilient>(fromInstance.GetRequiredService<IGreeter>()).Inner);

        int created = 0;
        using ServiceProvider fromFactory = new ServiceCollection()
            .AddScoped<IGreeter>(_ => { created++; return new Greeter(); })
            .AddResilientDecorator<IGreeter>()
            .BuildServiceProvider();
        using IServiceScope scope = fromFactory.CreateScope();
        var decorator = Assert.IsType<GreeterResilient>(scope.ServiceProvider.GetRequiredService<IGreeter>());
        Assert.Same(decorator, scope.ServiceProvider.GetRequiredService<IGreeter>());
        Assert.Equal(1, created);
        Assert.IsType<Greeter>(decorator.Inner);
    }

    [Fact]
    public void AddResilientDecorator_wraps_only_the_last_registration_in_place()
    {
        var first = new Greeter();
        var last = new Greeter();
        using ServiceProvider provider = new ServiceCollection()
            .AddSingleton<IGreeter>(first)
            .AddSingleton<IGreeter>(last)
            .AddResilientDecorator<IGreeter>()
            .BuildServiceProvider();

        IGreeter[] all = provider.GetServices<IGreeter>().ToArray();

        Assert.Equal(2, all.Length);
        Assert.Same(first, all[0]);
        Assert.Same(last, Assert.IsType<GreeterResilient>(all[1]).Inner);
        Assert.Same(all[1], provider.GetRequiredService<IGreeter>());
    }

    [Fact]
    public void AddResilientDecorator_without_a_registration_or_a_decorator_throws()
    {
        var ex = Assert.Throws<InvalidOperationException>(() => new ServiceCollection().AddResilientDecorator<IGreeter>());
        Assert.Contains("found no registration of " + typeof(IGreeter).FullName, ex.Message, StringComparison.Ordinal);

        var services = new ServiceCollection().AddSingleton<IUndecorated, Undecorated>();
        var missing = Assert.Throws<InvalidOperationException>(() => services.AddResilientDecorator<IUndecorated>());
        Assert.Contains("No resilient decorator was generated for " + typeof(IUndecorated).FullName, missing.Message, StringComparison.Ordinal);
        Assert.Single(services);
    }

    [Fact]
    public void AddResilient_composes_with_a_registration_of_the_implementation_made_before_it()
    {
        // What AddHttpClient<Greeter>(c => ...) does: a transient factory registration of the implementation.
        var configured = new Greeter();
        using ServiceProvider provider = new ServiceCollection()
            .AddTransient<Greeter>(_ => configured)
            .AddResilient<IGreeter, Greeter>()
            .BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true, ValidateOnBuild = true });
        using IServiceScope scope = provider.CreateScope();

        var decorator = Assert.IsType<GreeterResilient>(scope.ServiceProvider.GetRequiredService<IGreeter>());

        Assert.Same(configured, decorator.Inner);
        Assert.Single(scope.ServiceProvider.GetServices<Greeter>());
    }

    [Fact]
    public void AddResilient_after_a_registration_of_the_service_throws_and_says_what_to_write()
    {
        var services = new ServiceCollection().AddTransient<IGreeter>(_ => new Greeter());
        int before = services.Count;

        var ex = Assert.Throws<InvalidOperationException>(() => services.AddResilient<IGreeter, Greeter>());

        Assert.Contains("AddResilient<IGreeter, Greeter>() would replace the registration of " + typeof(IGreeter).FullName, ex.Message, StringComparison.Ordinal);
        Assert.Contains("services.AddResilientDecorator<IGreeter>()", ex.Message, StringComparison.Ordinal);
        Assert.Contains(".AddResilientDecorator<IGreeter>() on services.AddHttpClient<IGreeter, Greeter>(...)", ex.Message, StringComparison.Ordinal);
        Assert.Equal(before, services.Count);
    }

    [Fact]
    public void AddResilient_twice_for_the_same_service_is_allowed()
    {
        using ServiceProvider provider = new ServiceCollection()
            .AddResilient<IGreeter, Greeter>()
            .AddResilient<IGreeter, Greeter>()
            .BuildServiceProvider();

        provider.GetRequiredService<IStartupValidator>().Validate();
        Assert.IsType<GreeterResilient>(provider.GetRequiredService<IGreeter>());
    }

    [Fact]
    public void A_later_registration_that_hides_the_decorator_fails_the_start_up_validation()
    {
        using ServiceProvider provider = new ServiceCollection()
            .AddResilient<IGreeter, Greeter>()
            .AddTransient<IGreeter>(_ => new Greeter())
            .BuildServiceProvider();

        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        Assert.Contains(typeof(IGreeter).FullName + " was registered again after AddResilient<IGreeter, Greeter>()", ex.Message, StringComparison.Ordinal);
        Assert.Contains("move AddResilient<IGreeter, Greeter>() after the other registration", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Start_up_validation_passes_when_the_decorator_is_wrapped_again_or_still_last()
    {
        using ServiceProvider wrapped = new ServiceCollection()
            .AddResilient<IGreeter, Greeter>()
            .AddResilientDecorator<IGreeter>()
            .BuildServiceProvider();
        wrapped.GetRequiredService<IStartupValidator>().Validate();

        using ServiceProvider decorated = new ServiceCollection()
            .AddSingleton<IGreeter, Greeter>()
            .AddResilientDecorator<IGreeter>()
            .BuildServiceProvider();
        decorated.GetRequiredService<IStartupValidator>().Validate();

        using ServiceProvider hidden = new ServiceCollection()
            .AddSingleton<IGreeter, Greeter>()
            .AddResilientDecorator<IGreeter>()
            .AddSingleton<IGreeter, Greeter>()
            .BuildServiceProvider();
        var ex = Assert.Throws<OptionsValidationException>(() => hidden.GetRequiredService<IStartupValidator>().Validate());
        Assert.Contains("was registered again after AddResilientDecorator<IGreeter>()", ex.Message, StringComparison.Ordinal);
    }

    private sealed class Undecorated : IUndecorated
    {
        public void Run()
        {
        }
    }
}
