using static Microsoft.CodeAnalysis.DiagnosticSeverity;

namespace Resilience.Generator.Tests.Analyzers;

/// <summary>RES0014: an interface the generator cannot implement.</summary>
public sealed class InterfaceShapeTests
{
    [Fact]
    public async Task RES0014_PrivateNestedInterface_ReportedOnIdentifier()
    {
        var diagnostics = await AnalyzerVerifier.VerifyAsync("""
            public sealed class Host
            {
                private interface {|RES0014:IWorker|}
                {
                    [Bulkhead]
                    Task RunAsync(CancellationToken cancellationToken);
                }
            }
            """,
            ("RES0014", Error));

        Assert.Equal(
            "The generator cannot implement 'IWorker', so no decorator is generated: it is private or protected, so a class in its namespace cannot see it; make it internal or public",
            diagnostics.Single().GetMessage());
    }

    [Fact]
    public async Task RES0014_PublicInterfaceInsidePrivateType_Reported()
    {
        var diagnostics = await AnalyzerVerifier.VerifyAsync("""
            public sealed class Host
            {
                private sealed class Inner
                {
                    [Bulkhead]
                    public interface {|RES0014:IWorker|}
                    {
                        Task RunAsync(CancellationToken cancellationToken);
                    }
                }
            }
            """,
            ("RES0014", Error));

        Assert.Contains("its containing type 'Inner' is private or protected", diagnostics.Single().GetMessage());
    }

    [Fact]
    public async Task RES0014_ProtectedNestedInterface_Reported()
    {
        await AnalyzerVerifier.VerifyAsync("""
            public class Host
            {
                protected interface {|RES0014:IWorker|}
                {
                    [Retry(DelayMs = 0)]
                    int Run();
                }
            }
            """,
            ("RES0014", Error));
    }

    [Fact]
    public async Task RES0014_FileLocalInterface_Reported()
    {
        await AnalyzerVerifier.VerifyAsync("""
            file interface {|RES0014:IWorker|}
            {
                [Bulkhead]
                Task RunAsync(CancellationToken cancellationToken);
            }
            """,
            ("RES0014", Error));
    }

    [Fact]
    public async Task RES0014_StaticAbstractMember_Reported()
    {
        var diagnostics = await AnalyzerVerifier.VerifyAsync("""
            public interface {|RES0014:IParser|}
            {
                static abstract IParser Create();

                [Bulkhead]
                Task<int> ParseAsync(string text, CancellationToken cancellationToken);
            }
            """,
            ("RES0014", Error));

        Assert.Contains("static abstract or virtual member 'IParser.Create()'", diagnostics.Single().GetMessage());
    }

    [Fact]
    public async Task RES0014_InheritedStaticVirtualMember_Reported()
    {
        await AnalyzerVerifier.VerifyAsync("""
            public interface IFactory
            {
                static virtual int Version() => 1;
            }

            [CircuitBreaker]
            public interface {|RES0014:IParser|} : IFactory
            {
                Task<int> ParseAsync(string text, CancellationToken cancellationToken);
            }
            """,
            ("RES0014", Error));
    }

    [Fact]
    public async Task AccessibleNestedAndStaticNonAbstractMembers_AreFine()
    {
        await AnalyzerVerifier.VerifyAsync("""
            public sealed class Host
            {
                internal interface IWorker
                {
                    [Bulkhead]
                    Task RunAsync(CancellationToken cancellationToken);

                    static int Helper() => 1;
                }

                protected internal interface IOther
                {
                    [Bulkhead]
                    Task RunAsync(CancellationToken cancellationToken);
                }
            }

            public class Unrelated
            {
                private interface IPlain
                {
                    Task RunAsync(CancellationToken cancellationToken);
                }
            }
            """);
    }
}
