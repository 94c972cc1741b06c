using static Microsoft.CodeAnalysis.DiagnosticSeverity;

namespace Resilience.Generator.Tests.Analyzers;

/// <summary>Valid interfaces, however complex, produce no diagnostic: the analyzers have no false positives.</summary>
public sealed class NoDiagnosticsTests
{
    [Fact]
    public async Task DesignDocumentExample_HasNoDiagnostics()
    {
        var diagnostics = await AnalyzerVerifier.VerifyAsync("""
            namespace Demo;

            public sealed record User(string Id);

            [CircuitBreaker(FailureThreshold = 5, BreakDurationMs = 30_000)]   // one breaker shared by every method
            public interface IUserService
            {
                [Retry(MaxRetries = 3, DelayMs = 100, Backoff = BackoffType.Exponential, Jitter = 0.2)]
                [Timeout(2_000)]
                [Fallback(nameof(GetUserFallbackAsync))]
                Task<User> GetUserAsync(string id, CancellationToken cancellationToken = default);

                // Implemented by the real service; the proxy calls it on the inner instance.
                Task<User> GetUserFallbackAsync(string id, Exception error);

                [RateLimit(PermitLimit = 100, WindowMs = 1_000, KeyParameter = "tenant")]
                [Bulkhead(MaxConcurrency = 8, MaxQueue = 16, Name = "users-db")]
                ValueTask SaveAsync(string tenant, User user, CancellationToken cancellationToken);
            }
            """);

        Assert.Empty(diagnostics);
    }
}
