using Resilience.Generator.Tests.Infrastructure;
using static Microsoft.CodeAnalysis.DiagnosticSeverity;

namespace Resilience.Generator.Tests.Analyzers;

/// <summary>RES0023: an init accessor a decorator implements but cannot forward.</summary>
public sealed class InitOnlyPropertyTests
{
    [Fact]
    public async Task RES0023_InitAccessorOfTheInterface_ReportedOnTheProperty()
    {
        var diagnostics = await AnalyzerVerifier.VerifyAsync("""
            [Retry]
            public interface ICatalog
            {
                string {|RES0023:Region|} { get; init; }

                string Settable { get; set; }

                Task<string> FindAsync(string id);
            }
            """,
            ("RES0023", Warning));

        Assert.Equal(
            "The decorator of 'ICatalog' cannot forward the init accessor of 'ICatalog.Region': it reads the property from the inner instance, "
            + "but setting it through the decorator throws NotSupportedException; set it on the inner instance before wrapping it, or declare the accessor 'set'",
            diagnostics.Single().GetMessage());
    }

    [Fact]
    public async Task RES0023_InitAccessorOfABaseInterface_ReportedOnTheDecoratedInterface()
    {
        var diagnostics = await AnalyzerVerifier.VerifyAsync("""
            public interface INamed
            {
                string Name { get; init; }
            }

            public interface {|RES0023:IOrders|} : INamed
            {
                [Retry]
                Task<int> CountAsync();
            }
            """,
            ("RES0023", Warning));

        Assert.Contains("'INamed.Name'", diagnostics.Single().GetMessage());
    }

    [Fact]
    public async Task RES0023_NotReportedWithoutInitOrWithoutResilienceAttributes()
    {
        await AnalyzerVerifier.VerifyAsync("""
            public interface IPlain
            {
                string Name { get; init; }
            }

            [Retry]
            public interface ISettable
            {
                string Name { get; set; }

                Task<int> CountAsync();
            }
            """);
    }

    [Fact]
    public void The_decorator_reads_through_and_its_init_accessor_throws_as_the_diagnostic_says()
    {
        var run = GeneratorHarness.RunClean("""
            using System.Threading.Tasks;
            using Resilience;

            namespace Shop;

            [Retry]
            public interface ICatalog
            {
                string Region { get; init; }

                Task<string> FindAsync(string id);
            }
            """);

        var text = run.Single();
        Assert.Contains("get => _inner.Region;", text);
        Assert.Contains("init => throw new global::System.NotSupportedException(", text);
    }
}
