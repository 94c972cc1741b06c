using static Microsoft.CodeAnalysis.DiagnosticSeverity;

namespace Resilience.Generator.Tests.Analyzers;

/// <summary>RES0010 (a strategy cannot apply to the member) and RES0015 ([CacheFallback] without a result).</summary>
public sealed class MemberShapeTests
{
    [Fact]
    public async Task RES0010_AsyncEnumerable_ReportedOnAttribute()
    {
        var diagnostics = await AnalyzerVerifier.VerifyAsync("""
            public interface IFeed
            {
                [{|RES0010:Retry|}]
                IAsyncEnumerable<string> ReadAsync(CancellationToken cancellationToken);
            }
            """,
            ("RES0010", Error));

        Assert.StartsWith("[Retry] cannot apply to 'ReadAsync': it returns IAsyncEnumerable<T>", diagnostics.Single().GetMessage());
    }

    [Fact]
    public async Task RES0010_RefReturn_ReportedOnEachAttribute()
    {
        await AnalyzerVerifier.VerifyAsync("""
            public interface IBuffer
            {
                [{|RES0010:Timeout(100)|}]
                [{|RES0010:CircuitBreaker|}]
                ref int Current();
            }
            """,
            ("RES0010", Error));
    }

    [Fact]
    public async Task RES0010_OutParameterWithRetry_Reported()
    {
        var diagnostics = await AnalyzerVerifier.VerifyAsync("""
            public interface IParser
            {
                [{|RES0010:Retry(DelayMs = 0)|}]
                bool TryParse(string text, out int value);
            }
            """,
            ("RES0010", Error));

        Assert.Contains("parameter 'value' is passed by ref or out, so a retry would see what the failed attempt left in it", diagnostics.Single().GetMessage());
    }

    [Fact]
    public async Task RES0010_RefParameterWithFallback_Reported()
    {
        await AnalyzerVerifier.VerifyAsync("""
            public interface IParser
            {
                [{|RES0010:Fallback(nameof(Zero))|}]
                int Next(ref int position);

                int Zero();
            }
            """,
            ("RES0010", Error));
    }

    [Fact]
    public async Task RES0010_RefParameterOnSyncMethodWithBreakerOrBulkhead_IsAllowed()
    {
        await AnalyzerVerifier.VerifyAsync("""
            public interface IParser
            {
                [CircuitBreaker]
                [Bulkhead]
                int Next(ref int position, out bool done);
            }
            """);
    }

    [Fact]
    public async Task RES0010_RefParameterOnAsyncShape_ReportedForAnyStrategy()
    {
        await AnalyzerVerifier.VerifyAsync("""
            public interface IParser
            {
                [{|RES0010:Bulkhead|}]
                Task<int> NextAsync(ref int position);
            }
            """,
            ("RES0010", Error));
    }

    [Fact]
    public async Task RES0010_RefStructParameterOnAsyncShape_Reported()
    {
        await AnalyzerVerifier.VerifyAsync("""
            public interface IWriter
            {
                [{|RES0010:RateLimit|}]
                ValueTask WriteAsync(ReadOnlySpan<byte> data);
            }
            """,
            ("RES0010", Error));
    }

    [Fact]
    public async Task RES0010_PropertyAccessor_Reported()
    {
        var diagnostics = await AnalyzerVerifier.VerifyAsync("""
            public interface IConfig
            {
                int Port { [{|RES0010:Retry|}] get; }
            }
            """,
            ("RES0010", Error));

        Assert.Contains("it is a property accessor", diagnostics.Single().GetMessage());
    }

    [Fact]
    public async Task RES0010_EventAccessor_Reported()
    {
        await AnalyzerVerifier.VerifyAsync("""
            public interface IConfig
            {
                event EventHandler Changed { [{|RES0010:Bulkhead|}] add { } remove { } }
            }
            """,
            ("RES0010", Error));
    }

    [Fact]
    public async Task RES0010_StaticInterfaceMethod_Reported()
    {
        var diagnostics = await AnalyzerVerifier.VerifyAsync("""
            public interface IClock
            {
                [{|RES0010:Timeout(1_000)|}]
                static Task<DateTime> NowAsync(CancellationToken cancellationToken) => Task.FromResult(DateTime.UtcNow);
            }
            """,
            ("RES0010", Error));

        Assert.Contains("it is static", diagnostics.Single().GetMessage());
    }

    [Fact]
    public async Task RES0010_PrivateInterfaceMethod_Reported()
    {
        await AnalyzerVerifier.VerifyAsync("""
            public interface IClock
            {
                [{|RES0010:CircuitBreaker|}]
                private int Helper() => 1;

                int Now() => Helper();
            }
            """,
            ("RES0010", Error));
    }

    [Fact]
    public async Task InterfaceLevelAttributes_SkipMethodsTheyCannotApplyTo()
    {
        // As the generator does: the streaming method stays plain delegation, Move gets no retry or cache,
        // SaveAsync no cache; none of that is an error, because no method-level attribute asks for it.
        await AnalyzerVerifier.VerifyAsync("""
            [CircuitBreaker]
            [CacheFallback]
            [Retry(DelayMs = 0)]
            public interface IFeed
            {
                Task<int> CountAsync(CancellationToken cancellationToken);
                IAsyncEnumerable<string> ReadAsync(CancellationToken cancellationToken);
                ref int Current();
                ValueTask SaveAsync(int id, CancellationToken cancellationToken);
                int Move(ref int cursor);
                int Length { get; }
            }
            """);
    }

    [Fact]
    public async Task RES0010_DefaultInterfaceMethod_IsAllowed()
    {
        await AnalyzerVerifier.VerifyAsync("""
            public interface IClock
            {
                [CircuitBreaker]
                int Now() => 0;
            }
            """);
    }

    [Fact]
    public async Task RES0015_CacheFallbackOnTask_ReportedOnAttribute()
    {
        var diagnostics = await AnalyzerVerifier.VerifyAsync("""
            public interface IStore
            {
                [{|RES0015:CacheFallback(TtlMs = 1_000)|}]
                Task SaveAsync(int id, CancellationToken cancellationToken);
            }
            """,
            ("RES0015", Error));

        Assert.Equal(
            "[CacheFallback] on 'SaveAsync' has nothing to cache because the method returns no result; remove it or return a value",
            diagnostics.Single().GetMessage());
    }

    [Theory]
    [InlineData("void")]
    [InlineData("ValueTask")]
    public async Task RES0015_CacheFallbackOnOtherVoidShapes_Reported(string returnType)
    {
        await AnalyzerVerifier.VerifyAsync($$"""
            public interface IStore
            {
                [{|RES0015:CacheFallback|}]
                {{returnType}} Save(int id);
            }
            """,
            ("RES0015", Error));
    }
}
