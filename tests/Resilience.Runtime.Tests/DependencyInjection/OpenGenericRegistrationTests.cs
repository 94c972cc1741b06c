using Microsoft.Extensions.DependencyInjection;
using Resilience;

namespace Resilience.Runtime.Tests.DependencyInjection;

public interface IBox<T>
{
    T? Value { get; }
}

public sealed class Box<T> : IBox<T>
{
    public T? Value => default;
}

/// <summary>Stands in for a generated generic decorator: the inner instance comes from the container under the key.</summary>
public sealed class BoxResilient<T>([FromKeyedServices(ResilientProxyFactory.InnerServiceKey)] IBox<T> inner, ResilienceRegistry? registry = null) : IBox<T>
{
    public IBox<T> Inner { get; } = inner;

    public ResilienceRegistry? Registry { get; } = registry;

    public T? Value => Inner.Value;
}

public interface ISecretBox<T>
{
    T? Value { get; }
}

public sealed class SecretBox<T> : ISecretBox<T>
{
    public T? Value => default;
}

/// <summary>Like a decorator whose fallback handler type is internal: its constructor is internal too.</summary>
public sealed class SecretBoxResilient<T> : ISecretBox<T>
{
    internal SecretBoxResilient(ISecretBox<T> inner) => Value = inner.Value;

    public T? Value { get; }
}

public sealed class OpenGenericRegistrationTests
{
    static OpenGenericRegistrationTests()
    {
        // What a generic interface's generated [ModuleInitializer] does.
        ResilientProxyFactory.RegisterOpenGeneric(typeof(IBox<>), typeof(BoxResilient<>));
        ResilientProxyFactory.RegisterOpenGeneric(typeof(ISecretBox<>), typeof(SecretBoxResilient<>));
    }

    [Fact]
    public void The_factory_finds_registered_open_decorators_only()
    {
        Assert.True(ResilientProxyFactory.TryGetOpenGeneric(typeof(IBox<>), out Type? decorator));
        Assert.Equal(typeof(BoxResilient<>), decorator);
        Assert.False(ResilientProxyFactory.TryGetOpenGeneric(typeof(IComparable<>), out Type? missing));
        Assert.Null(missing);
    }

    [Fact]
    public void AddResilient_open_generic_resolves_the_decorator_around_the_keyed_implementation_with_the_registry()
    {
        using ServiceProvider provider = new ServiceCollection()
            .AddResilient(typeof(IBox<>), typeof(Box<>), ServiceLifetime.Singleton)
            .BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true, ValidateOnBuild = true });

        var box = Assert.IsType<BoxResilient<Guid>>(provider.GetRequiredService<IBox<Guid>>());
        Assert.IsType<Box<Guid>>(box.Inner);
        Assert.Same(provider.GetRequiredService<ResilienceRegistry>(), box.Registry);
        Assert.Same(box, provider.GetRequiredService<IBox<Guid>>());
    }

    [Fact]
    public void A_decorator_without_a_public_constructor_is_refused_with_what_to_change()
    {
        var error = Assert.Throws<InvalidOperationException>(() => new ServiceCollection().AddResilient(typeof(ISecretBox<>), typeof(SecretBox<>)));
        Assert.Contains("has no public constructor", error.Message);
        Assert.Contains("Make the handler type public", error.Message);
    }

    [Fact]
    public void A_closed_generic_interface_without_a_closed_registration_is_explained_without_blaming_attributes()
    {
        var error = Assert.Throws<InvalidOperationException>(() => new ServiceCollection().AddResilient<IBox<int>, Box<int>>());
        Assert.Contains("IBox<System.Int32> has a generated decorator (Resilience.Runtime.Tests.DependencyInjection.BoxResilient<T>)", error.Message);
        Assert.DoesNotContain("Put a resilience attribute", error.Message);
    }

    [Fact]
    public void Null_arguments_are_rejected()
    {
        Assert.Throws<ArgumentNullException>(() => new ServiceCollection().AddResilient(null!, typeof(Box<>)));
        Assert.Throws<ArgumentNullException>(() => new ServiceCollection().AddResilient(typeof(IBox<>), null!));
    }
}
