using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Resilience.Generator.Tests.Infrastructure;

namespace Resilience.Generator.Tests.RealWorld;

/// <summary>
/// One test per failure the real-world corpus found in the generator (issue 10), each built nullable enabled and
/// disabled under TreatWarningsAsErrors with the generator and every analyzer (<see cref="StrictBuild"/>).
/// </summary>
public sealed class CorpusFixTests
{
    private const string Usings = """
        using System;
        using System.Diagnostics.CodeAnalysis;
        using System.Threading;
        using System.Threading.Tasks;
        using Resilience;

        """;

    public static TheoryData<NullableContextOptions> Both() => new() { NullableContextOptions.Enable, NullableContextOptions.Disable };

    // ---- Decorator names -------------------------------------------------------------------------------------

    [Theory]
    [MemberData(nameof(Both))]
    public void Same_named_interfaces_nested_in_two_classes_get_decorators_named_after_their_containers(NullableContextOptions nullable)
    {
        var result = StrictBuild.Assert(nullable, Array.Empty<string>(), Usings + """
            namespace Shop;
            public static class Orders { [Retry] public interface IClient { Task<int> GetAsync(); } }
            public static class Users { [Retry] public interface IClient { Task<int> GetAsync(); } }
            """);

        Assert.Contains("public sealed partial class OrdersClientResilient : global::Shop.Orders.IClient", result.File("Shop.Orders+IClient"));
        Assert.Contains("public sealed partial class UsersClientResilient : global::Shop.Users.IClient", result.File("Shop.Users+IClient"));
    }

    [Theory]
    [MemberData(nameof(Both))]
    public void Interface_IClient_beside_a_class_Client_keeps_ClientResilient(NullableContextOptions nullable)
    {
        var result = StrictBuild.Assert(nullable, Array.Empty<string>(), Usings + """
            namespace Shop;
            [Retry] public interface IClient { Task<int> GetAsync(); }
            public sealed class Client : IClient { public Task<int> GetAsync() => Task.FromResult(1); }
            """);

        Assert.Contains("public sealed partial class ClientResilient : global::Shop.IClient", GeneratedSyntax.Unwrapped(result.File("Shop.IClient")));
    }

    [Theory]
    [MemberData(nameof(Both))]
    public void Interfaces_IClient_and_Client_both_get_RES0019_and_no_decorator(NullableContextOptions nullable)
    {
        var result = StrictBuild.Assert(nullable, new[] { "RES0019" }, Usings + """
            namespace Shop;
            [Retry] public interface IClient { Task<int> GetAsync(); }
            [Retry] public interface Client { Task<int> GetAsync(); }
            """);

        Assert.Empty(result.Sources);
        Assert.Equal(2, result.InUserCode.Count(d => d.Id == "RES0019"));
        Assert.Contains(result.InUserCode, d => d.GetMessage().Contains("the decorator of 'Shop.Client'", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Both))]
    public void Nested_interface_and_top_level_interface_of_one_decorator_name_get_RES0019(NullableContextOptions nullable)
    {
        var result = StrictBuild.Assert(nullable, new[] { "RES0019" }, Usings + """
            namespace Shop;
            public static class Orders { [Retry] public interface IClient { Task<int> GetAsync(); } }
            [Retry] public interface IOrdersClient { Task<int> GetAsync(); }
            """);

        Assert.Empty(result.Sources);
    }

    [Theory]
    [MemberData(nameof(Both))]
    public void A_user_type_named_like_the_decorator_is_RES0019_and_no_decorator(NullableContextOptions nullable)
    {
        var result = StrictBuild.Assert(nullable, new[] { "RES0019" }, Usings + """
            namespace Shop;
            [Retry] public interface IClient { Task<int> GetAsync(); }
            public sealed class ClientResilient { }
            """);

        Assert.Empty(result.Sources);
        var diagnostic = Assert.Single(result.InUserCode);
        Assert.Equal("No decorator is generated for 'Shop.IClient': its name 'ClientResilient' is already taken by the type 'Shop.ClientResilient'; rename one of them", diagnostic.GetMessage());
        Assert.Equal("IClient", diagnostic.Location.SourceTree!.GetText().ToString(diagnostic.Location.SourceSpan));
    }

    [Theory]
    [MemberData(nameof(Both))]
    public void A_user_type_of_the_decorator_name_but_another_arity_is_no_clash(NullableContextOptions nullable)
    {
        StrictBuild.Assert(nullable, Array.Empty<string>(), Usings + """
            namespace Shop;
            [Retry] public interface IClient { Task<int> GetAsync(); }
            public sealed class ClientResilient<T> { }
            """);
    }

    [Theory]
    [MemberData(nameof(Both))]
    public void A_user_partial_class_of_the_decorator_name_extends_the_decorator(NullableContextOptions nullable)
    {
        var result = StrictBuild.Assert(nullable, Array.Empty<string>(), Usings + """
            namespace Shop;
            [Retry] public interface IClient { Task<int> GetAsync(); }
            public sealed partial class ClientResilient { public string Describe() => "decorated"; }
            """);

        Assert.NotNull(result.Output.GetTypeByMetadataName("Shop.ClientResilient")!.GetMembers("Describe").SingleOrDefault());
        Assert.Single(result.Sources);
    }

    // ---- Keywords and generic containers ---------------------------------------------------------------------

    [Theory]
    [MemberData(nameof(Both))]
    public void Escaped_keyword_namespace_and_interface_names_do_not_crash_the_generator(NullableContextOptions nullable)
    {
        var result = StrictBuild.Assert(nullable, Array.Empty<string>(), Usings + """
            namespace Shop.@event;
            [Retry] public interface IClient { Task<int> GetAsync(); }
            [Retry] public interface @class { Task<int> GetAsync(); }
            """);

        Assert.Equal(new[] { "Shop.event.IClient.Resilient.g.cs", "Shop.event.class.Resilient.g.cs" }, result.Sources.Select(s => s.HintName));
        Assert.Contains("namespace Shop.@event", result.File("Shop.event.IClient"));
    }

    [Theory]
    [MemberData(nameof(Both))]
    public void Interface_nested_in_a_generic_type_gets_a_decorator_generic_in_the_containers_type_parameters(NullableContextOptions nullable)
    {
        var result = StrictBuild.Assert(nullable, Array.Empty<string>(), Usings + """
            namespace Shop;
            public class Api<TModel> where TModel : class
            {
                public interface IClient<TKey> { [Retry] Task<TModel> GetAsync(TKey key, CancellationToken cancellationToken); }
            }
            """);

        var text = result.File("Shop.Api`1+IClient`1");
        Assert.Contains("public sealed partial class ApiClientResilient<TModel, TKey> : global::Shop.Api<TModel>.IClient<TKey>", GeneratedSyntax.Unwrapped(text));
        Assert.Contains("where TModel : class", GeneratedSyntax.Unwrapped(text));
        Assert.DoesNotContain("ModuleInitializer", GeneratedSyntax.Unwrapped(text));
    }

    // ---- Fallback handlers -----------------------------------------------------------------------------------

    [Theory]
    [MemberData(nameof(Both))]
    public void Internal_handler_behind_a_public_interface_makes_the_constructor_internal(NullableContextOptions nullable)
    {
        var result = StrictBuild.Assert(nullable, Array.Empty<string>(), Usings + """
            namespace Shop;
            internal sealed class Handler { public Task<int> Fallback(Exception e) => Task.FromResult(0); }
            public interface IClient { [Fallback(typeof(Handler), nameof(Handler.Fallback))] Task<int> GetAsync(); }
            """);

        var text = result.File("Shop.IClient");
        Assert.Contains("public sealed partial class ClientResilient", GeneratedSyntax.Unwrapped(text));
        Assert.Contains("internal ClientResilient(global::Shop.IClient inner, global::Shop.Handler handler,", GeneratedSyntax.Unwrapped(text));
    }

    [Theory]
    [MemberData(nameof(Both))]
    public void Public_handler_keeps_the_constructor_public(NullableContextOptions nullable)
    {
        var result = StrictBuild.Assert(nullable, Array.Empty<string>(), Usings + """
            namespace Shop;
            public sealed class Handler { public Task<int> Fallback(Exception e) => Task.FromResult(0); }
            public interface IClient { [Fallback(typeof(Handler), nameof(Handler.Fallback))] Task<int> GetAsync(); }
            """);

        Assert.Contains("public ClientResilient(global::Shop.IClient inner, global::Shop.Handler handler,", GeneratedSyntax.Unwrapped(result.File("Shop.IClient")));
    }

    [Theory]
    [MemberData(nameof(Both))]
    public void Ref_struct_handler_binds_static_methods_and_rejects_instance_ones_with_RES0001(NullableContextOptions nullable)
    {
        var result = StrictBuild.Assert(nullable, new[] { "RES0001" }, Usings + """
            namespace Shop;
            public ref struct Handler
            {
                public static Task<int> Static(Exception e) => Task.FromResult(0);
                public int Instance(Exception e) => 0;
            }
            public interface IClient
            {
                [Fallback(typeof(Handler), nameof(Handler.Static))] Task<int> GetAsync();
                [Fallback(typeof(Handler), nameof(Handler.Instance))] int Get();
            }
            """);

        var diagnostic = Assert.Single(result.InUserCode);
        Assert.Contains("instance method of the ref struct 'Shop.Handler'", diagnostic.GetMessage());
        Assert.Contains("global::Shop.Handler.Static(", GeneratedSyntax.Unwrapped(result.File("Shop.IClient")));
    }

    [Theory]
    [MemberData(nameof(Both))]
    public void Generic_fallback_with_stricter_constraints_is_RES0003(NullableContextOptions nullable)
    {
        var result = StrictBuild.Assert(nullable, new[] { "RES0003" }, Usings + """
            namespace Shop;
            public static class Handler { public static Task<T> Fallback<T>(Exception e) where T : class, new() => Task.FromResult(new T()); }
            public interface IClient { [Fallback(typeof(Handler), nameof(Handler.Fallback))] Task<T> GetAsync<T>() where T : class; }
            """);

        Assert.Contains("more than the method constrains 'T' (new())", Assert.Single(result.InUserCode).GetMessage());
    }

    [Theory]
    [MemberData(nameof(Both))]
    public void Generic_fallback_with_the_same_or_weaker_constraints_binds(NullableContextOptions nullable)
    {
        StrictBuild.Assert(nullable, Array.Empty<string>(), Usings + """
            namespace Shop;
            public interface IEntity { }
            public class Entity : IEntity { }
            public static class Handler { public static Task<T> Fallback<T>(Exception e) where T : class, IEntity => Task.FromException<T>(e); }
            public interface IClient { [Fallback(typeof(Handler), nameof(Handler.Fallback))] Task<T> GetAsync<T>() where T : Entity, new(); }
            """);
    }

    // ---- Nullability -----------------------------------------------------------------------------------------

    [Fact]
    public void Null_default_in_a_nullable_disabled_project_builds_clean()
    {
        var result = StrictBuild.Assert(NullableContextOptions.Disable, Array.Empty<string>(), Usings + """
            namespace Shop;
            public interface IClient { [Retry] Task<string> SearchAsync(string q = null, int page = 1); }
            """);

        Assert.StartsWith("// <auto-generated/>\n#nullable enable annotations\n", result.File("Shop.IClient").Replace("\r\n", "\n"));
    }

    [Fact]
    public void Null_default_of_a_non_nullable_parameter_gets_no_second_warning_in_generated_code()
    {
        // The user's declaration gets the compiler's CS8625 (their code); the generated copy says null!.
        var result = StrictBuild.Build(NullableContextOptions.Enable, Usings + """
            namespace Shop;
            public interface IClient { [Retry] Task<string> SearchAsync(string q = null, int page = 1); }
            """);

        Assert.Empty(result.InGenerated);
        Assert.Equal("CS8625", Assert.Single(result.InUserCode).Id);
        Assert.Contains("string q = null!", GeneratedSyntax.Unwrapped(result.File("Shop.IClient")));
    }

    [Fact]
    public void Nullable_disabled_region_inside_a_nullable_project_builds_clean()
    {
        StrictBuild.Assert(NullableContextOptions.Enable, Array.Empty<string>(), Usings + """
            namespace Shop;
            #nullable disable
            public interface IClient
            {
                [Retry] Task<string> SearchAsync(string q = null);
                [Fallback(nameof(Empty))] string Get(string key);
                string Empty(string key);
            }
            """);
    }

    [Theory]
    [MemberData(nameof(Both))]
    public void AllowNull_DisallowNull_and_MaybeNull_build_clean(NullableContextOptions nullable)
    {
        var result = StrictBuild.Assert(nullable, Array.Empty<string>(), Usings + """
            namespace Shop;
            public interface IClient
            {
                [Retry] Task<string> SetAsync([AllowNull] string key, [DisallowNull] string? value);
                [Retry(DelayMs = 0, MaxRetries = 1)] [return: MaybeNull] string Get(string key);
                [Retry(DelayMs = 0, MaxRetries = 1)] [return: NotNullIfNotNull(nameof(key))] string? Find(string? key);
                [Retry(DelayMs = 0, MaxRetries = 1)] bool TryParse([NotNullWhen(true)] string? text);
            }
            """);

        Assert.Contains("__Core_SetAsync([global::System.Diagnostics.CodeAnalysis.AllowNullAttribute] string key, [global::System.Diagnostics.CodeAnalysis.DisallowNullAttribute] string? value)", GeneratedSyntax.Unwrapped(result.File("Shop.IClient")));
    }

    [Theory]
    [MemberData(nameof(Both))]
    public void Non_nullable_fallback_for_a_nullable_result_builds_clean(NullableContextOptions nullable)
    {
        StrictBuild.Assert(nullable, Array.Empty<string>(), Usings + """
            namespace Shop;
            public interface IClient
            {
                [Fallback(nameof(F))] Task<string?> GetAsync();
                Task<string> F(Exception e);
                [Fallback(nameof(G))] ValueTask<string?> FindAsync();
                string G(Exception e);
                [Fallback(nameof(H))] string? Get();
                string H(Exception e);
            }
            """);
    }

    [Theory]
    [InlineData("Task<string> GetAsync();", "Task<string?> F(Exception e);", "string?", "string")]
    [InlineData("Task<string> GetAsync();", "string? F(Exception e);", "string?", "string")]
    [InlineData("ValueTask<string> GetAsync();", "ValueTask<string?> F(Exception e);", "string?", "string")]
    [InlineData("string GetAsync();", "string? F(Exception e);", "string?", "string")]
    public void Nullable_fallback_for_a_non_nullable_result_is_the_RES0020_warning_only(string method, string fallback, string fallbackType, string methodType)
    {
        var source = Usings + $$"""
            namespace Shop;
            public interface IClient { [Fallback(nameof(F))] {{method}} {{fallback}} }
            """;

        var result = StrictBuild.Assert(NullableContextOptions.Enable, new[] { "RES0020" }, source);
        var diagnostic = Assert.Single(result.InUserCode);
        Assert.Equal(DiagnosticSeverity.Warning, diagnostic.DefaultSeverity);
        Assert.Contains($"returns '{fallbackType}', which may be null, but the method returns '{methodType}'", diagnostic.GetMessage());
        Assert.Equal("nameof(F)", diagnostic.Location.SourceTree!.GetText().ToString(diagnostic.Location.SourceSpan));

        // Without nullable warnings there is nothing to warn about.
        StrictBuild.Assert(NullableContextOptions.Disable, Array.Empty<string>(), source);
    }

    // ---- Trim annotations ------------------------------------------------------------------------------------

    /// <summary>
    /// NServiceBus 10's <c>IMessageSession.Send&lt;[DynamicallyAccessedMembers(...)] T&gt;</c>: a decorator whose
    /// type parameters or parameters lack the interface's <c>[DynamicallyAccessedMembers]</c> gets IL2095/IL2092 (the
    /// annotations differ from the interface's) and IL2091/IL2067 (an unannotated T or argument passed on to the
    /// inner member) from the trim analyzer, which AOT and trimmed apps turn on. The entry, the private core and the
    /// class must all repeat it.
    /// </summary>
    [Theory]
    [MemberData(nameof(Both))]
    public void DynamicallyAccessedMembers_on_type_parameters_and_parameters_is_repeated_by_every_declaration(NullableContextOptions nullable)
    {
        var result = StrictBuild.Assert(nullable, Array.Empty<string>(), Usings + """
            namespace Bus;
            public interface ISession<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicProperties)] TOptions>
            {
                [Retry]
                Task Send<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors | DynamicallyAccessedMemberTypes.NonPublicConstructors)] T>(Action<T> messageConstructor, TOptions options, CancellationToken cancellationToken = default);

                Task Publish<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] T>(Action<T> messageConstructor, CancellationToken cancellationToken = default);

                [Retry]
                Task Subscribe([DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicMethods)] Type eventType, CancellationToken cancellationToken = default);
            }
            """);

        var session = result.Output.GetTypeByMetadataName("Bus.ISession`1")!;
        var decorator = result.Output.GetTypeByMetadataName("Bus.SessionResilient`1")!;
        Assert.Equal(Annotation(session.TypeParameters[0].GetAttributes()), Annotation(decorator.TypeParameters[0].GetAttributes()));
        foreach (var name in new[] { "Send", "Publish", "Subscribe" })
        {
            var declared = session.GetMembers(name).OfType<IMethodSymbol>().Single();
            var implementations = decorator.GetMembers().OfType<IMethodSymbol>().Where(m => m.Name.Contains(name, StringComparison.Ordinal)).ToList();
            Assert.NotEmpty(implementations);
            foreach (var method in implementations)
            {
                Assert.Equal(declared.TypeParameters.Select(t => Annotation(t.GetAttributes())), method.TypeParameters.Select(t => Annotation(t.GetAttributes())));
                foreach (var parameter in declared.Parameters.Where(p => p.Type.TypeKind != TypeKind.Struct))
                {
                    Assert.Equal(Annotation(parameter.GetAttributes()), Annotation(method.Parameters.Single(p => p.Name == parameter.Name).GetAttributes()));
                }
            }
        }

        Assert.Contains(decorator.GetMembers(), m => m.Name.StartsWith("__", StringComparison.Ordinal) && m.Name.Contains("Send", StringComparison.Ordinal));

        static object? Annotation(ImmutableArray<AttributeData> attributes)
            => attributes.SingleOrDefault(a => a.AttributeClass?.Name == "DynamicallyAccessedMembersAttribute")?.ConstructorArguments.Single().Value;
    }

    // ---- Line length -----------------------------------------------------------------------------------------

    /// <summary>
    /// MongoDB's <c>IMongoCollection&lt;TDocument&gt;.CountDocumentsAsync(FilterDefinition&lt;TDocument&gt;, CountOptions,
    /// CancellationToken)</c> with <c>[CacheFallback]</c>: the cache key of a generic interface is an interpolated string
    /// with the overload's parameter types (<c>$"...(FilterDefinition&lt;TDocument&gt;, ...)[{typeof(TDocument)}]"</c>)
    /// longer than a line, which is split into two joined with <c>+</c>.
    /// </summary>
    [Theory]
    [MemberData(nameof(Both))]
    public void A_generic_interfaces_cache_key_longer_than_a_line_is_split(NullableContextOptions nullable)
    {
        var result = StrictBuild.Assert(nullable, new[] { "RES0021" }, Usings + """
            namespace MongoDB.Driver;
            public abstract class FilterDefinition<TDocument> { }
            public class CountOptions { }
            public interface IClientSessionHandle { }
            public interface IMongoCollection<TDocument>
            {
                [CacheFallback(TtlMs = 5_000)]
                Task<long> CountDocumentsAsync(FilterDefinition<TDocument> filter, CountOptions? options = null, CancellationToken cancellationToken = default(CancellationToken));

                Task<long> CountDocumentsAsync(IClientSessionHandle session, FilterDefinition<TDocument> filter, CountOptions? options = null, CancellationToken cancellationToken = default(CancellationToken));
            }
            """);

        var text = result.File("MongoDB.Driver.IMongoCollection");
        Assert.Contains("\"MongoDB.Driver.IMongoCollection<TDocument>.CountDocumentsAsync(FilterDefinition<TDocument>, ", text);
        Assert.All(text.Split('\n'), line => Assert.True(line.Replace("\t", "    ").Length <= 150, line));
    }

    // ---- Static abstract members -----------------------------------------------------------------------------

    /// <summary>
    /// AWSSDK.S3 4.x on net8.0: <c>IAmazonS3 : IAmazonService</c>, whose static abstract factories no decorator instance
    /// can supply. The member is the library's, so "move it to another interface" cannot be done: RES0014 says where
    /// it comes from and that the members to decorate belong in an interface that does not derive from it.
    /// </summary>
    [Theory]
    [MemberData(nameof(Both))]
    public void An_inherited_static_abstract_member_is_RES0014_naming_the_base_interface_to_leave_out(NullableContextOptions nullable)
    {
        var result = StrictBuild.Assert(nullable, new[] { "RES0014" }, Usings + """
            namespace Amazon.Runtime
            {
                public abstract class ClientConfig { }
                public interface IAmazonService
                {
                    static abstract ClientConfig CreateDefaultClientConfig();
                }
            }

            namespace Amazon.S3
            {
                [Retry]
                public partial interface IAmazonS3 : Amazon.Runtime.IAmazonService, IDisposable
                {
                    Task<string> GetObjectAsync(string bucketName, string key, CancellationToken cancellationToken = default(CancellationToken));
                }
            }
            """);

        Assert.Empty(result.Sources);
        Assert.Equal(
            "The generator cannot implement 'IAmazonS3', so no decorator is generated: it inherits the static abstract member "
            + "'IAmazonService.CreateDefaultClientConfig()' from 'Amazon.Runtime.IAmazonService', which a decorator instance cannot "
            + "supply; declare the members to decorate in an interface that does not derive from 'Amazon.Runtime.IAmazonService'",
            Assert.Single(result.InUserCode).GetMessage());
    }

    // ---- Properties from metadata ----------------------------------------------------------------------------

    /// <summary>
    /// <c>System.Data.IDbConnection.ConnectionString</c> is <c>[AllowNull] string</c>; in the reference assembly the
    /// attribute sits on the setter's value parameter, not on the property, so a decorator that read only the
    /// property's attributes implemented <c>set</c> without it: CS8769 in generated code.
    /// </summary>
    [Theory]
    [MemberData(nameof(Both))]
    public void A_referenced_interfaces_AllowNull_property_is_implemented_with_it(NullableContextOptions nullable)
    {
        var result = StrictBuild.Assert(nullable, Array.Empty<string>(), Usings + """
            namespace Corpus.Data;
            [CircuitBreaker]
            public interface IDbSession : System.Data.IDbConnection
            {
                Task OpenAsync(CancellationToken cancellationToken);
            }
            """);

        Assert.Contains("[global::System.Diagnostics.CodeAnalysis.AllowNullAttribute]", result.File("Corpus.Data.IDbSession"));
    }
}
