using Microsoft.CodeAnalysis;
using static Microsoft.CodeAnalysis.DiagnosticSeverity;

namespace Resilience.Generator.Tests.Analyzers;

/// <summary>RES0022: a resilience attribute outside an interface, where nothing reads it.</summary>
public sealed class IgnoredAttributeTests
{
    [Fact]
    public async Task RES0022_OnAClassMethodImplementingAnInterface_SaysWhereToPutIt()
    {
        var diagnostics = await AnalyzerVerifier.VerifyAsync("""
            public interface IUsers { Task<string> GetAsync(int id); }

            public sealed class Users : IUsers
            {
                [{|RES0022:Retry(MaxRetries = 3)|}]
                public Task<string> GetAsync(int id) => Task.FromResult("user");
            }
            """,
            ("RES0022", Warning));

        Assert.Equal(
            "[Retry] on 'Users.GetAsync' has no effect: only interface members (and interfaces) get a decorator; put it on 'IUsers.GetAsync' in the interface, and register the class with AddResilient<IUsers, Users>()",
            diagnostics.Single().GetMessage());
    }

    [Fact]
    public async Task RES0022_OnStructRecordAndExplicitImplementationMembers()
    {
        var diagnostics = await AnalyzerVerifier.VerifyAsync("""
            public interface IClock { Task<long> NowAsync(); }

            public struct Counter
            {
                [{|RES0022:CircuitBreaker|}]
                [{|RES0022:Timeout(1000)|}]
                public Task<int> NextAsync() => Task.FromResult(1);
            }

            public sealed record Prices
            {
                [{|RES0022:CacheFallback|}]
                public Task<decimal> PriceAsync(string sku) => Task.FromResult(1m);
            }

            public sealed class Clock : IClock
            {
                [{|RES0022:Bulkhead|}]
                Task<long> IClock.NowAsync() => Task.FromResult(0L);
            }
            """,
            ("RES0022", Warning));

        Assert.Contains("declare the method on an interface", diagnostics[0].GetMessage(), StringComparison.Ordinal);
        Assert.Contains("put it on 'IClock.NowAsync' in the interface", diagnostics[3].GetMessage(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RES0022_OnLocalFunctionsAndLambdas()
    {
        var diagnostics = await AnalyzerVerifier.VerifyAsync("""
            public static class Jobs
            {
                public static Func<Task> Run()
                {
                    [{|RES0022:RateLimit|}]
                    static Task TickAsync() => Task.CompletedTask;

                    _ = TickAsync();
                    return [{|RES0022:Retry|}] () => Task.CompletedTask;
                }
            }
            """,
            ("RES0022", Warning));

        Assert.Contains("the local function 'TickAsync'", diagnostics[0].GetMessage(), StringComparison.Ordinal);
        Assert.Contains("[Retry] on a lambda has no effect", diagnostics[1].GetMessage(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task InterfaceMembersAreNotReported()
        => await AnalyzerVerifier.VerifyAsync("""
            [CircuitBreaker]
            public interface IUsers
            {
                [Retry]
                Task<string> GetAsync(int id);
            }
            """);

    [Fact]
    public void OnAClassItself_TheCompilerAlreadyRejectsIt()
    {
        var compilation = Infrastructure.GeneratorHarness.CreateCompilation("""
            using Resilience;

            [Retry]
            public sealed class Users { }
            """);

        Assert.Contains(compilation.GetDiagnostics(), d => d.Id == "CS0592" && d.Severity == DiagnosticSeverity.Error);
    }
}
