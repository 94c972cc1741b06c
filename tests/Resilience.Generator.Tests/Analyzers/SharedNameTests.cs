using static Microsoft.CodeAnalysis.DiagnosticSeverity;

namespace Resilience.Generator.Tests.Analyzers;

/// <summary>RES0011: one instance Name declared with different settings.</summary>
public sealed class SharedNameTests
{
    [Fact]
    public async Task RES0011_SameBulkheadNameDifferentLimits_ReportedOnLaterDeclaration()
    {
        var diagnostics = await AnalyzerVerifier.VerifyAsync("""
            public interface IUsers
            {
                [Bulkhead(MaxConcurrency = 8, Name = "users-db")]
                Task SaveAsync(int id);
            }

            public interface IAudit
            {
                [{|RES0011:Bulkhead(MaxConcurrency = 4, Name = "users-db")|}]
                Task WriteAsync(string entry);
            }
            """,
            ("RES0011", Error));

        var diagnostic = diagnostics.Single();
        Assert.Equal(
            "The [Bulkhead] Name 'users-db' is also declared at Test0.cs(3,6) with different settings (MaxConcurrency 4 here, 8 there); use the same settings or a different Name",
            diagnostic.GetMessage());
        Assert.Equal(new Microsoft.CodeAnalysis.Text.LinePosition(2, 5), diagnostic.AdditionalLocations.Single().GetLineSpan().StartLinePosition);
    }

    [Fact]
    public async Task RES0011_AcrossFiles_EachConflictingLaterDeclarationReported()
    {
        await AnalyzerVerifier.VerifyAsync(
            new[]
            {
                """
                [CircuitBreaker(FailureThreshold = 3, Name = "payments")]
                public interface IPayments
                {
                    Task PayAsync(int amount);
                }
                """,
                """
                public interface IRefunds
                {
                    [{|RES0011:CircuitBreaker(Name = "payments")|}]
                    Task RefundAsync(int amount);

                    [CircuitBreaker(Name = "payments", FailureThreshold = 3)]
                    Task VoidAsync(int amount);

                    [{|RES0011:CircuitBreaker(Name = "payments", FailureThreshold = 3, KeyParameter = "amount")|}]
                    Task ChargeAsync(int amount);
                }
                """,
            },
            ("RES0011", Error));
    }

    [Fact]
    public async Task RES0011_SameSettingsWrittenDifferently_NotReported()
    {
        await AnalyzerVerifier.VerifyAsync("""
            public sealed class A : Exception;
            public sealed class B : Exception;

            [RateLimit(Name = "api", PermitLimit = 100)]
            public interface IFirst
            {
                Task CallAsync();
            }

            public interface ISecond
            {
                [RateLimit(WindowMs = 1_000, Name = "api", Algorithm = RateLimitAlgorithm.TokenBucket)]
                Task CallAsync();

                [CircuitBreaker(Name = "b", Handle = new[] { typeof(A), typeof(B) })]
                Task OtherAsync();

                [CircuitBreaker(Name = "b", Handle = new[] { typeof(B), typeof(A) }, FailureThreshold = 5)]
                Task ThirdAsync();

                [Bulkhead(Name = "api")]
                Task DifferentKindAsync();
            }
            """);
    }

    [Fact]
    public async Task RES0011_KeyedInstancesOfOneNameWithDifferentKeyTypes_ReportedAtBuildTime()
    {
        // Without the check this compiles and the registry throws when the second decorator is constructed.
        var diagnostics = await AnalyzerVerifier.VerifyAsync("""
            public interface IHosts
            {
                [CircuitBreaker(Name = "downstream", KeyParameter = "host")]
                Task PingAsync(string host);

                [{|RES0011:CircuitBreaker(Name = "downstream", KeyParameter = "port")|}]
                Task ProbeAsync(int port);

                [CircuitBreaker(Name = "downstream", KeyParameter = "name")]
                Task<string> ResolveAsync(string? name, CancellationToken cancellationToken);
            }

            [RateLimit(Name = "per-tenant", KeyParameter = "tenant")]
            public interface ITenants
            {
                Task SaveAsync(Guid tenant);
            }

            public interface IOrders
            {
                [{|RES0011:RateLimit(Name = "per-tenant", KeyParameter = "tenant")|}]
                Task PlaceAsync(string tenant);
            }
            """,
            ("RES0011", Error));

        Assert.Contains("(KeyParameter keyed by int here, keyed by string there)", diagnostics[0].GetMessage(), StringComparison.Ordinal);
        Assert.Contains("(KeyParameter keyed by string here, keyed by System.Guid there)", diagnostics[1].GetMessage(), StringComparison.Ordinal);
    }
}
