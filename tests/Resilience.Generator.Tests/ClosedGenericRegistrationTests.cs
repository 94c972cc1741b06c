using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Resilience.Generator.Emitting;
using Resilience.Generator.Tests.Infrastructure;

namespace Resilience.Generator.Tests;

/// <summary>
/// Closed generic interfaces are registered where the project writes them (<c>AddResilient&lt;IRepo&lt;Customer&gt;, …&gt;()</c>):
/// the interface's own module cannot know its closed types, and closing the decorator at run time would need
/// <c>MakeGenericType</c>.
/// </summary>
public sealed class ClosedGenericRegistrationTests
{
    private const string Library = """
        using System;
        using Resilience;

        namespace Shop;

        public sealed class PriceHandler { public static decimal Zero(Exception error) => 0m; public decimal None(Exception error) => 0m; }

        [CircuitBreaker]
        public interface IRepo<T> where T : class?
        {
            string Describe(string id);

            [Fallback(typeof(PriceHandler), nameof(PriceHandler.None))]
            decimal Price(string id);
        }

        public sealed record Customer(string Id);
        """;

    private const string Calls = """
        using Microsoft.Extensions.DependencyInjection;
        using Resilience;

        namespace App;

        public sealed record Order(string Id);

        public sealed class OrderRepo : Shop.IRepo<Order>
        {
            public string Describe(string id) => id;
            public decimal Price(string id) => 1m;
        }

        public static class Startup
        {
            public static void Configure(IServiceCollection services)
            {
                services.AddResilient<Shop.IRepo<Order>, OrderRepo>();
                services.AddResilientDecorator<Shop.IRepo<Order?>>();                     // the same runtime type: one registration
                ResilienceServiceCollectionExtensions.AddResilientDecorator<Shop.IRepo<Shop.Customer>>(services);
                services?.AddResilientDecorator<Shop.IRepo<string[]>>();
            }

            public static void Open<T>(IServiceCollection services) where T : class
                => services.AddResilientDecorator<Shop.IRepo<T>>();                      // a type parameter: left to the runtime's message

            private sealed record Secret(string Id);

            public static void Hidden(IServiceCollection services)
                => services.AddResilientDecorator<Shop.IRepo<Secret>>();                  // not nameable from another file
        }
        """;

    [Fact]
    public void A_call_with_a_closed_generic_interface_registers_its_decorator_in_a_module_initializer()
    {
        var run = GeneratorHarness.RunClean(Library, Calls);

        var text = run.Sources.Single(s => s.HintName == ClosedGenericRegistrationEmitter.HintName).Text;
        Assert.Contains("internal static class RepoResilientArity1ClosedRegistrations", text);
        Assert.Contains("[global::System.Runtime.CompilerServices.ModuleInitializer]", text);
        Assert.Contains("global::Resilience.ResilientProxyFactory.Register<global::Shop.IRepo<global::App.Order>>(", text);
        Assert.Contains("static (inner, services) => new global::Shop.RepoResilient<global::App.Order>(", text);
        Assert.Contains("global::Resilience.ResilientProxyFactory.Register<global::Shop.IRepo<global::Shop.Customer>>(", text);
        Assert.Contains("global::Resilience.ResilientProxyFactory.Register<global::Shop.IRepo<string[]>>(", text);
        Assert.Contains("(global::Shop.PriceHandler?)services.GetService(typeof(global::Shop.PriceHandler))\n", text.Replace("\r", string.Empty));
        Assert.Equal(3, CountOf(text, "ResilientProxyFactory.Register<"));
        Assert.DoesNotContain("Secret", text);
        Assert.DoesNotContain("IRepo<T>", text);
        Assert.All(text.Split('\n'), line => Assert.True(line.Length <= 150, "Too long: " + line));
    }

    [Fact]
    public void A_closed_interface_from_a_referenced_assembly_is_registered_with_the_decorator_built_there()
    {
        var library = GeneratorHarness.Run(GeneratorHarness.CreateCompilation(Library).WithAssemblyName("ShopLibrary"));
        GeneratorHarness.AssertClean(library);
        using var image = new MemoryStream();
        Assert.True(library.Output.Emit(image).Success);
        var reference = MetadataReference.CreateFromImage(image.ToArray());

        var app = GeneratorHarness.CreateCompilation(Calls).AddReferences(reference);
        var run = GeneratorHarness.Run(app);
        GeneratorHarness.AssertClean(run);

        var text = Assert.Single(run.Sources).Text;
        Assert.Contains("namespace Shop", text);
        Assert.Contains("static (inner, services) => new global::Shop.RepoResilient<global::App.Order>(", text);
        Assert.Contains("(global::Shop.PriceHandler?)services.GetService(typeof(global::Shop.PriceHandler))\n", text.Replace("\r", string.Empty));
        Assert.Equal(3, CountOf(text, "ResilientProxyFactory.Register<"));
    }

    [Fact]
    public void Nothing_is_written_without_a_closed_call_or_for_an_interface_without_a_decorator()
    {
        const string source = """
            using Microsoft.Extensions.DependencyInjection;
            using Resilience;

            namespace Shop;

            public interface IPlain<T> { string Describe(string id); }
            public sealed class Plain : IPlain<int> { public string Describe(string id) => id; }

            public static class Startup
            {
                public static void Configure(IServiceCollection services)
                {
                    services.AddResilient<IPlain<int>, Plain>();
                    services.AddResilient(typeof(IPlain<>), typeof(Plain));
                }
            }
            """;

        var run = GeneratorHarness.Run(source);

        Assert.Empty(run.Sources);
        Assert.Empty(GeneratorHarness.Problems(run.Output));
    }

    private static int CountOf(string text, string value)
    {
        var count = 0;
        for (var i = text.IndexOf(value, StringComparison.Ordinal); i >= 0; i = text.IndexOf(value, i + value.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }
}
