using static Microsoft.CodeAnalysis.DiagnosticSeverity;

namespace Resilience.Generator.Tests.Analyzers;

/// <summary>RES0001–RES0004 and RES0016: a [Fallback] that does not bind by the fallback binding rule.</summary>
public sealed class FallbackDiagnosticsTests
{
    [Fact]
    public async Task RES0001_MethodNameNotOnInterface_ReportedOnNameArgument()
    {
        var diagnostics = await AnalyzerVerifier.VerifyAsync("""
            public interface IOrders
            {
                [Fallback({|RES0001:"GetCachedAsync"|})]
                Task<string> GetAsync(int id);
            }
            """,
            ("RES0001", Error));

        Assert.Contains("'IOrders' has no method named 'GetCachedAsync'; add it or correct the name", diagnostics[0].GetMessage());
    }

    [Fact]
    public async Task RES0001_HandlerTypeWithoutThatMethod_ReportedOnNameArgument()
    {
        await AnalyzerVerifier.VerifyAsync("""
            public static class OrderFallbacks
            {
                public static string Other(int id) => "";
            }

            public interface IOrders
            {
                [Fallback(typeof(OrderFallbacks), {|RES0001:nameof(OrderFallbacks.Other) + "X"|})]
                string Get(int id);
            }
            """,
            ("RES0001", Error));
    }

    [Fact]
    public async Task RES0001_PrivateHandlerMethod_SaysMakeItAccessible()
    {
        var diagnostics = await AnalyzerVerifier.VerifyAsync("""
            public sealed class OrderFallbacks
            {
                private static string Get(int id) => "";
            }

            public interface IOrders
            {
                [Fallback(typeof(OrderFallbacks), {|RES0001:"Get"|})]
                string Get(int id);
            }
            """,
            ("RES0001", Error));

        Assert.Contains("not accessible", diagnostics[0].GetMessage());
    }

    [Fact]
    public async Task RES0001_NullHandlerType_ReportedOnHandlerArgument()
    {
        await AnalyzerVerifier.VerifyAsync("""
            public interface IOrders
            {
                [Fallback({|RES0001:null!|}, "Get")]
                string Get(int id);
            }
            """,
            ("RES0001", Error));
    }

    [Fact]
    public async Task RES0001_NamedConstructorArgument_ReportedOnThatArgument()
    {
        await AnalyzerVerifier.VerifyAsync("""
            public interface IOrders
            {
                [Fallback({|RES0001:methodName: "Nope"|})]
                string Get(int id);
            }
            """,
            ("RES0001", Error));
    }

    [Fact]
    public async Task RES0001_InterfaceLevelFallbackNotFound_ReportedOnceOnItsArgument()
    {
        await AnalyzerVerifier.VerifyAsync("""
            [Fallback({|RES0001:"Missing"|})]
            public interface IOrders
            {
                string Get(int id);
                string Find(string name);
            }
            """,
            ("RES0001", Error));
    }

    [Fact]
    public async Task RES0002_ReturnTypeMismatch_ReportedOnNameArgument()
    {
        var diagnostics = await AnalyzerVerifier.VerifyAsync("""
            public interface IOrders
            {
                [Fallback({|RES0002:nameof(GetFallback)|})]
                Task<string> GetAsync(int id);

                Task<int> GetFallback(int id);
            }
            """,
            ("RES0002", Error));

        Assert.Contains("it must return 'string', 'Task<string>' or 'ValueTask<string>'", diagnostics[0].GetMessage());
    }

    [Theory]
    [InlineData("Task", "string Fallback();", "fallback 'IOrders.Fallback()' returns 'string'; it must return void, Task or ValueTask.")]
    [InlineData("int", "long Fallback();", "fallback 'IOrders.Fallback()' returns 'long'; it must return 'int'.")]
    public async Task RES0002_names_the_fallback_and_what_it_must_return_for_each_return_shape(string returns, string fallback, string message)
    {
        var diagnostics = await AnalyzerVerifier.VerifyAsync($$"""
            public interface IOrders
            {
                [Fallback({|RES0002:nameof(Fallback)|})]
                {{returns}} Run();

                {{fallback}}
            }
            """,
            ("RES0002", Error));

        Assert.Equal("The [Fallback] of 'Run' returns an incompatible type: " + message, diagnostics[0].GetMessage());
    }

    [Fact]
    public async Task RES0002_ValueFallbackForVoidLikeMethod_Reported()
    {
        await AnalyzerVerifier.VerifyAsync("""
            public interface IOrders
            {
                [Fallback({|RES0002:nameof(SaveFallback)|})]
                Task SaveAsync(int id);

                int SaveFallback(int id);
            }
            """,
            ("RES0002", Error));
    }

    [Fact]
    public async Task RES0002_InterfaceLevelFallback_ReportedOnMethodIdentifier()
    {
        var diagnostics = await AnalyzerVerifier.VerifyAsync("""
            [Fallback(nameof(Fallback))]
            public interface IOrders
            {
                string Get(int id);
                int {|RES0002:Count|}();
                string Fallback(Exception error);
            }
            """,
            ("RES0002", Error));

        Assert.Contains("'Count' (the interface-level [Fallback] of 'IOrders' applies to it)", diagnostics[0].GetMessage());
    }

    [Fact]
    public async Task RES0003_ParameterTypeDiffers_Reported()
    {
        var diagnostics = await AnalyzerVerifier.VerifyAsync("""
            public interface IOrders
            {
                [Fallback({|RES0003:nameof(GetFallback)|})]
                string Get(int id);

                string GetFallback(long id);
            }
            """,
            ("RES0003", Error));

        Assert.Contains("Parameter 'id' of fallback 'IOrders.GetFallback(long)' is 'long' but the method's is 'int'", diagnostics[0].GetMessage(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task RES0003_ParameterOutOfOrder_Reported()
    {
        var diagnostics = await AnalyzerVerifier.VerifyAsync("""
            public interface IOrders
            {
                [Fallback({|RES0003:nameof(GetFallback)|})]
                string Get(int id, string region);

                string GetFallback(string region, int id);
            }
            """,
            ("RES0003", Error));

        Assert.Contains("out of order", diagnostics[0].GetMessage());
    }

    [Fact]
    public async Task RES0003_ParameterNeitherMethodParameterNorException_Reported()
    {
        var diagnostics = await AnalyzerVerifier.VerifyAsync("""
            public interface IOrders
            {
                [Fallback(typeof(Fallbacks), {|RES0003:nameof(Fallbacks.Get)|})]
                string Get(int id);
            }

            public static class Fallbacks
            {
                public static string Get(int id, string reason) => reason;
            }
            """,
            ("RES0003", Error));

        Assert.Contains("is not a parameter of", diagnostics[0].GetMessage());
    }

    [Fact]
    public async Task RES0004_TwoExceptionParameters_Reported()
    {
        var diagnostics = await AnalyzerVerifier.VerifyAsync("""
            public interface IOrders
            {
                [Fallback({|RES0004:nameof(GetFallback)|})]
                string Get(int id);

                string GetFallback(Exception first, InvalidOperationException second);
            }
            """,
            ("RES0004", Error));

        Assert.Contains("more than one exception parameter", diagnostics[0].GetMessage());
    }

    [Fact]
    public async Task RES0004_ExceptionByReference_Reported()
    {
        await AnalyzerVerifier.VerifyAsync("""
            public interface IOrders
            {
                [Fallback({|RES0004:nameof(GetFallback)|})]
                string Get(int id);

                string GetFallback(int id, ref Exception error);
            }
            """,
            ("RES0004", Error));
    }

    [Fact]
    public async Task RES0016_TwoOverloadsBindEqually_Reported()
    {
        await AnalyzerVerifier.VerifyAsync("""
            public interface IOrders
            {
                [Fallback({|RES0016:nameof(GetFallback)|})]
                string Get(int id, string region);

                string GetFallback(int id);
                string GetFallback(string region);
            }
            """,
            ("RES0016", Error));
    }

    [Fact]
    public async Task ValidFallbackShapes_HaveNoDiagnostics()
    {
        await AnalyzerVerifier.VerifyAsync("""
            public sealed class Handler
            {
                public ValueTask<string> Find(string name, HttpRequestExceptionLike error) => new("");
            }

            public sealed class HttpRequestExceptionLike : Exception;

            public interface IOrders
            {
                [Fallback(nameof(GetValue))]
                Task<string> GetAsync(int id, CancellationToken cancellationToken);
                string GetValue(int id);

                [Fallback(nameof(SaveFallback))]
                ValueTask SaveAsync(int id, string body);
                void SaveFallback(string body, Exception error);

                [Fallback(nameof(StaticFallback))]
                int Count();
                static int StaticFallback() => 0;

                [Fallback(typeof(Handler), nameof(Handler.Find))]
                ValueTask<string> FindAsync(string name);

                [Fallback(nameof(Pick))]
                string Choose(int id, string region);
                string Pick(int id);
                string Pick(int id, string region);
            }
            """);
    }

    [Fact]
    public async Task InterfaceLevelAttributes_SkipFallbackTargets()
    {
        // GetFallback returns a different shape than the interface-level [Fallback] needs and would take
        // KeyParameter "tenant" it lacks, but as a fallback target it gets no interface-level defaults.
        await AnalyzerVerifier.VerifyAsync("""
            [RateLimit(KeyParameter = "tenant")]
            [Fallback(nameof(Last))]
            public interface IOrders
            {
                [Fallback(nameof(GetFallback))]
                Task<string> GetAsync(string tenant, int id);

                Task<string> GetFallback(int id);

                Task<string> ListAsync(string tenant);

                string Last();
            }
            """);
    }
}
