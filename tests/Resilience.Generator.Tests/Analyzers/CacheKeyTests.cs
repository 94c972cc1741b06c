using static Microsoft.CodeAnalysis.DiagnosticSeverity;

namespace Resilience.Generator.Tests.Analyzers;

/// <summary>
/// RES0021 (a cache key parameter without value-based identity), and RES0006 for a <c>KeyMethod</c> that binds to
/// nothing usable.
/// </summary>
public sealed class CacheKeyTests
{
    [Fact]
    public async Task RES0021_DefaultKeyWithAClassWithoutToString_ReportedOnTheAttribute()
    {
        var diagnostics = await AnalyzerVerifier.VerifyAsync("""
            public sealed class SearchRequest { public string Query { get; set; } = ""; }

            public interface ISearch
            {
                [{|RES0021:CacheFallback|}]
                Task<string> SearchAsync(string tenant, SearchRequest request, CancellationToken cancellationToken);
            }
            """,
            ("RES0021", Warning));

        Assert.Equal(
            "The [CacheFallback] key of 'SearchAsync' includes 'request' of type 'SearchRequest', which has no ToString of its own, so different values can share one cache entry; override ToString on 'SearchRequest' (or make it a record) so that equal values give equal text, leave 'request' out of KeyParameters, or set KeyMethod to a static method that makes the key",
            diagnostics.Single().GetMessage());
    }

    [Fact]
    public async Task RES0021_ExplicitKeyParameters_ReportedOnTheElement()
        => await AnalyzerVerifier.VerifyAsync("""
            public struct Point { public int X; public int Y; }

            public interface IMaps
            {
                [CacheFallback(KeyParameters = new[] { "zoom", {|RES0021:"at"|}, {|RES0021:"tags"|}, {|RES0021:"filter"|} })]
                Task<string> TileAsync(int zoom, Point at, string[] tags, IComparable filter, object ignored);
            }
            """,
            ("RES0021", Warning));

    [Fact]
    public async Task RES0021_InterfaceLevel_ReportedOnTheMethodIdentifier()
        => await AnalyzerVerifier.VerifyAsync("""
            public sealed class Filter { }

            [CacheFallback]
            public interface IReports
            {
                Task<string> {|RES0021:ByFilterAsync|}(Filter filter);

                Task<string> ByIdAsync(int id);
            }
            """,
            ("RES0021", Warning));

    [Fact]
    public async Task ValueBasedKeyTypes_AreNotReported()
        => await AnalyzerVerifier.VerifyAsync("""
            public enum Region { North, South }
            public sealed record Query(string Text, int Page);
            public readonly record struct Money(decimal Amount, string Currency);
            public class Isbn { public override string ToString() => "isbn"; }
            public sealed class SpecialIsbn : Isbn { }

            public interface IShop
            {
                [CacheFallback]
                Task<string> ListAsync(
                    string text, char c, bool flag, byte b, short s, int i, long l, float f, double d, decimal m,
                    Region region, Guid id, DateTime at, DateTimeOffset offset, DateOnly day, TimeOnly time, TimeSpan span,
                    int? maybe, Region? maybeRegion, Query query, Money money, Isbn isbn, SpecialIsbn special, Uri uri,
                    (int, string) pair, CancellationToken cancellationToken);

                [CacheFallback]
                Task<T> GetAsync<T>(T key);
            }
            """);

    [Fact]
    public async Task RES0021_NotReportedWhenAKeyMethodMakesTheKey()
        => await AnalyzerVerifier.VerifyAsync("""
            public sealed class SearchRequest { public string Query { get; set; } = ""; }

            public interface ISearch
            {
                [CacheFallback(KeyMethod = nameof(KeyOf))]
                Task<string> SearchAsync(string tenant, SearchRequest request, CancellationToken cancellationToken);

                static string KeyOf(string tenant, SearchRequest request) => tenant + "/" + request.Query;
            }
            """);

    [Fact]
    public async Task RES0006_KeyMethodMissing_ReportedOnTheArgument()
    {
        var diagnostics = await AnalyzerVerifier.VerifyAsync("""
            public interface ISearch
            {
                [CacheFallback({|RES0006:KeyMethod = "KeyOf"|})]
                Task<string> SearchAsync(string tenant, int page);
            }
            """,
            ("RES0006", Error));

        Assert.Equal(
            "The [CacheFallback] key of 'SearchAsync' is invalid: KeyMethod: 'ISearch' declares no method 'KeyOf'; add 'static string KeyOf(string tenant, int page)' to it",
            diagnostics.Single().GetMessage());
    }

    [Theory]
    [InlineData("static string KeyOf(int page, string tenant) => \"\";")]
    [InlineData("static int KeyOf(string tenant, int page) => 0;")]
    [InlineData("string KeyOf(string tenant, int page) => \"\";")]
    [InlineData("static string KeyOf(string tenant) => \"\";")]
    [InlineData("static string KeyOf<T>(string tenant, T page) => \"\";")]
    [InlineData("private static string KeyOf(string tenant, int page) => \"\";")]
    public async Task RES0006_KeyMethodWithTheWrongShape_SaysWhatToChange(string keyMethod)
    {
        var diagnostics = await AnalyzerVerifier.VerifyAsync($$"""
            public interface ISearch
            {
                [CacheFallback({|RES0006:KeyMethod = "KeyOf"|})]
                Task<string> SearchAsync(string tenant, int page);

                {{keyMethod}}
            }
            """,
            ("RES0006", Error));

        Assert.Contains("is a non-generic, non-private 'static string KeyOf(string tenant, int page)'", diagnostics.Single().GetMessage(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task KeyMethod_TakesTheKeyParametersOnly_WithImplicitConversions()
        => await AnalyzerVerifier.VerifyAsync("""
            public interface ISearch
            {
                [CacheFallback(KeyParameters = new[] { "tenant", "page" }, KeyMethod = nameof(KeyOf))]
                Task<string> SearchAsync(string tenant, object ignored, int page, CancellationToken cancellationToken);

                static string KeyOf(string tenant, long page) => tenant + page;
            }
            """);

    [Fact]
    public async Task RES0006_PointerKeyParameter_ReportedInsteadOfBrokenGeneratedCode()
    {
        var diagnostics = await AnalyzerVerifier.VerifyAsync("""
            public unsafe interface INative
            {
                [{|RES0006:CacheFallback|}]
                int Read(byte* buffer, int length);

                [CacheFallback(KeyParameters = new[] { "length", {|RES0006:"buffer"|} })]
                int Peek(byte* buffer, int length);

                [CacheFallback(KeyParameters = new[] { "length" })]
                int Size(byte* buffer, int length);
            }
            """,
            ("RES0006", Error));

        Assert.Contains("parameter 'buffer' is a pointer, which cannot be part of the cache key", diagnostics[0].GetMessage(), StringComparison.Ordinal);
        Assert.Contains("'buffer' is a pointer, which cannot be part of the cache key; remove it", diagnostics[1].GetMessage(), StringComparison.Ordinal);
    }
}
