using static Microsoft.CodeAnalysis.DiagnosticSeverity;

namespace Resilience.Generator.Tests.Analyzers;

/// <summary>RES0006 (KeyParameter/KeyParameters name no parameter) and RES0007 (HandleResult names no valid predicate).</summary>
public sealed class ParameterReferenceTests
{
    [Fact]
    public async Task RES0006_RateLimitKeyParameterMissing_ReportedOnArgument()
    {
        var diagnostics = await AnalyzerVerifier.VerifyAsync("""
            public interface ITenants
            {
                [RateLimit({|RES0006:KeyParameter = "tenantId"|})]
                Task SaveAsync(string tenant, int value, CancellationToken cancellationToken);
            }
            """,
            ("RES0006", Error));

        Assert.Equal(
            "The [RateLimit] key of 'SaveAsync' is invalid: 'tenantId' is not a parameter of the method; name one of 'tenant', 'value'",
            diagnostics.Single().GetMessage());
    }

    [Fact]
    public async Task RES0006_CircuitBreakerKeyOnMethodWithoutParameters_SaysRemoveIt()
    {
        var diagnostics = await AnalyzerVerifier.VerifyAsync("""
            public interface IHosts
            {
                [CircuitBreaker({|RES0006:KeyParameter = "host"|})]
                Task PingAsync();
            }
            """,
            ("RES0006", Error));

        Assert.Contains("the method has no parameter to key by; remove KeyParameter", diagnostics.Single().GetMessage());
    }

    [Fact]
    public async Task RES0006_CacheFallbackKeyParametersElementMissing_ReportedOnElement()
    {
        await AnalyzerVerifier.VerifyAsync("""
            public interface ICatalog
            {
                [CacheFallback(KeyParameters = new[] { "id", {|RES0006:"locale"|} })]
                Task<string> GetAsync(int id, string culture);
            }
            """,
            ("RES0006", Error));
    }

    [Fact]
    public async Task RES0006_InterfaceLevelKeyMissingOnAMethod_ReportedOnThatMethodIdentifier()
    {
        var diagnostics = await AnalyzerVerifier.VerifyAsync("""
            [RateLimit(KeyParameter = "tenant")]
            public interface ITenants
            {
                Task SaveAsync(string tenant, int value);
                Task<int> {|RES0006:CountAsync|}();
                [RateLimit(PermitLimit = 5)]
                Task PurgeAsync();
            }
            """,
            ("RES0006", Error));

        Assert.Contains("'CountAsync' (the interface-level [RateLimit] of 'ITenants' applies to it)", diagnostics.Single().GetMessage());
    }

    [Fact]
    public async Task RES0006_InterfaceLevelKeyWithDifferentTypes_ReportedOnLaterMethod()
    {
        var diagnostics = await AnalyzerVerifier.VerifyAsync("""
            [CircuitBreaker(KeyParameter = "host")]
            public interface IHosts
            {
                Task PingAsync(string host);
                Task PongAsync(string? host);
                Task {|RES0006:ResetAsync|}(Uri host);
            }
            """,
            ("RES0006", Error));

        Assert.Contains("'host' is keyed as 'System.Uri' here but as 'string' on 'PingAsync'", diagnostics.Single().GetMessage());
    }

    [Fact]
    public async Task RES0006_InterfaceLevelKeyNullableValueTypeKeyedAsObject_DiffersFromInt()
    {
        await AnalyzerVerifier.VerifyAsync("""
            [RateLimit(KeyParameter = "shard")]
            public interface IShards
            {
                Task ReadAsync(int shard);
                Task {|RES0006:WriteAsync|}(int? shard);
            }
            """,
            ("RES0006", Error));
    }

    [Fact]
    public async Task RES0006_KeyParameterByReferenceOrRefStruct_Reported()
    {
        var diagnostics = await AnalyzerVerifier.VerifyAsync("""
            public interface IParser
            {
                [CircuitBreaker({|RES0006:KeyParameter = "text"|})]
                int Parse(ReadOnlySpan<char> text);

                [RateLimit({|RES0006:KeyParameter = "position"|})]
                int Next(ref int position);
            }
            """,
            ("RES0006", Error));

        Assert.All(diagnostics, d => Assert.Contains("cannot be kept as a key", d.GetMessage()));
    }

    [Fact]
    public async Task RES0006_DefaultCacheKeyWithRefStructParameter_ReportedOnAttribute()
    {
        var diagnostics = await AnalyzerVerifier.VerifyAsync("""
            public interface IParser
            {
                [{|RES0006:CacheFallback|}]
                int Count(ReadOnlySpan<char> text, int start);

                [CacheFallback(KeyParameters = new[] { "start", {|RES0006:"text"|} })]
                int Find(ReadOnlySpan<char> text, int start);

                [CacheFallback(KeyParameters = new[] { "start" })]
                int Last(ReadOnlySpan<char> text, int start);
            }
            """,
            ("RES0006", Error));

        Assert.Contains("parameter 'text' is a ref struct, which cannot be part of the cache key", diagnostics[0].GetMessage());
    }

    [Fact]
    public async Task RES0006_InterfaceLevelKeyParametersMissing_ReportedOnMethodIdentifier()
    {
        await AnalyzerVerifier.VerifyAsync("""
            [CacheFallback(KeyParameters = new[] { "id" })]
            public interface ICatalog
            {
                Task<string> GetAsync(int id);
                Task<string> {|RES0006:FindAsync|}(string name);
            }
            """,
            ("RES0006", Error));
    }

    [Fact]
    public async Task RES0007_NoStaticPredicate_ReportedOnArgument()
    {
        var diagnostics = await AnalyzerVerifier.VerifyAsync("""
            public interface IHttp
            {
                [Retry({|RES0007:HandleResult = "IsTransient"|})]
                Task<int> GetStatusAsync(CancellationToken cancellationToken);
            }
            """,
            ("RES0007", Error));

        Assert.Contains("'IHttp' declares no static method 'IsTransient'; add 'static bool IsTransient(int result)' to the interface", diagnostics.Single().GetMessage());
    }

    [Fact]
    public async Task RES0007_PredicateWithWrongParameterType_Reported()
    {
        await AnalyzerVerifier.VerifyAsync("""
            public interface IHttp
            {
                [CircuitBreaker({|RES0007:HandleResult = nameof(IsFailure)|})]
                Task<string> GetAsync(CancellationToken cancellationToken);

                static bool IsFailure(int status) => status >= 500;
            }
            """,
            ("RES0007", Error));
    }

    [Fact]
    public async Task RES0007_PredicateNotReturningBool_Reported()
    {
        await AnalyzerVerifier.VerifyAsync("""
            public interface IHttp
            {
                [Retry({|RES0007:HandleResult = nameof(IsFailure)|}, DelayMs = 0)]
                int GetStatus();

                static int IsFailure(int status) => status;
            }
            """,
            ("RES0007", Error));
    }

    [Fact]
    public async Task RES0007_InstancePredicate_Reported()
    {
        await AnalyzerVerifier.VerifyAsync("""
            public interface IHttp
            {
                [Retry({|RES0007:HandleResult = nameof(IsFailure)|})]
                ValueTask<int> GetStatusAsync(CancellationToken cancellationToken);

                bool IsFailure(int status);
            }
            """,
            ("RES0007", Error));
    }

    [Fact]
    public async Task RES0007_MethodWithoutResult_Reported()
    {
        var diagnostics = await AnalyzerVerifier.VerifyAsync("""
            public interface IHttp
            {
                [Retry({|RES0007:HandleResult = nameof(IsFailure)|})]
                Task SendAsync(CancellationToken cancellationToken);

                static bool IsFailure(int status) => status >= 500;
            }
            """,
            ("RES0007", Error));

        Assert.Contains("the method returns no result to inspect; remove HandleResult", diagnostics.Single().GetMessage());
    }

    [Fact]
    public async Task RES0007_MethodLevelOnMethodWithoutResult_ReportedEvenWithInterfaceLevelOne()
    {
        var diagnostics = await AnalyzerVerifier.VerifyAsync("""
            [Retry(HandleResult = nameof(IsFailure))]
            public interface IHttp
            {
                Task<int> GetStatusAsync(CancellationToken cancellationToken);

                [CircuitBreaker({|RES0007:HandleResult = nameof(IsFailure)|})]
                ValueTask SendAsync(CancellationToken cancellationToken);

                static bool IsFailure(int status) => status >= 500;
            }
            """,
            ("RES0007", Error));

        Assert.Contains("the method returns no result to inspect; remove HandleResult", diagnostics.Single().GetMessage());
    }

    [Fact]
    public async Task InterfaceLevelHandleResult_OnMethodsWithoutResult_IsNotApplied()
    {
        await AnalyzerVerifier.VerifyAsync("""
            [Retry(HandleResult = nameof(IsFailure), DelayMs = 0)]
            [CircuitBreaker(HandleResult = nameof(IsFailure))]
            public interface IHttp
            {
                Task<int> GetStatusAsync(CancellationToken cancellationToken);
                Task SendAsync(CancellationToken cancellationToken);
                ValueTask FlushAsync();
                void Reset();

                static bool IsFailure(int status) => status >= 500;
            }
            """);
    }

    [Fact]
    public async Task RES0007_InterfaceLevelPredicateNotAcceptingAMethodsResult_ReportedOnMethodIdentifier()
    {
        await AnalyzerVerifier.VerifyAsync("""
            [Retry(HandleResult = nameof(IsFailure))]
            public interface IHttp
            {
                Task<int> GetStatusAsync(CancellationToken cancellationToken);
                Task<string> {|RES0007:GetBodyAsync|}(CancellationToken cancellationToken);

                static bool IsFailure(int status) => status >= 500;
            }
            """,
            ("RES0007", Error));
    }

    [Fact]
    public async Task ValidKeysAndPredicates_HaveNoDiagnostics()
    {
        await AnalyzerVerifier.VerifyAsync("""
            public sealed record Response(int Status);

            [RateLimit(KeyParameter = "tenant")]
            public interface IHttp
            {
                [Retry(HandleResult = nameof(IsFailure))]
                [CircuitBreaker(KeyParameter = "host", HandleResult = nameof(IsFailureObject))]
                Task<Response> GetAsync(string tenant, string host, CancellationToken cancellationToken);

                [CacheFallback(KeyParameters = new[] { "tenant", "id" })]
                [Retry(HandleResult = nameof(IsFailure))]
                ValueTask<int> CountAsync(string? tenant, int id, CancellationToken cancellationToken);

                [Retry(HandleResult = nameof(IsFailure), DelayMs = 0)]
                int? Status(string tenant);

                static bool IsFailure(Response response) => response.Status >= 500;
                static bool IsFailure(int status) => status >= 500;
                static bool IsFailure(int? status) => status is null;
                static bool IsFailureObject(object? value) => value is null;
            }
            """);
    }
}
