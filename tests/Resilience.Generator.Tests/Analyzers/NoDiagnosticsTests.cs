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

    [Fact]
    public async Task ComplexValidInterface_HasNoDiagnostics()
    {
        var diagnostics = await AnalyzerVerifier.VerifyAsync("""
            #nullable enable
            namespace Shop.Catalog;

            public sealed record Product(string Sku, decimal Price);
            public sealed class CatalogUnavailableException : Exception;

            public sealed class CatalogFallbacks
            {
                public ValueTask<Product?> FindAsync(string sku, CatalogUnavailableException error) => new((Product?)null);
                public static IReadOnlyList<Product> Empty() => Array.Empty<Product>();
            }

            public sealed class ConsecutiveTimeouts : ITripPolicy
            {
                public bool ShouldTrip(in CircuitCounts counts) => false;
            }

            public interface IReadOnlyCatalog
            {
                [Retry(MaxRetries = 2, DelayMs = 50)]
                [Timeout(1_000)]
                Task<int> CountAsync(CancellationToken cancellationToken);
            }

            [CircuitBreaker(FailureRatio = 0.5, MinimumThroughput = 20, SamplingDurationMs = 10_000, TripPolicy = typeof(ConsecutiveTimeouts), Name = "catalog")]
            [Bulkhead(MaxConcurrency = 16, MaxQueue = 32)]
            public interface ICatalog : IReadOnlyCatalog
            {
                [Retry(MaxRetries = 3, DelayMs = 100, Backoff = BackoffType.Linear, Jitter = 0, RetryOn = new[] { typeof(TimeoutException), typeof(CatalogUnavailableException) }, HandleResult = nameof(IsMissing))]
                [Fallback(typeof(CatalogFallbacks), nameof(CatalogFallbacks.FindAsync))]
                [CacheFallback(TtlMs = 30_000, KeyParameters = new[] { "sku" })]
                ValueTask<Product?> FindAsync(string sku, string? culture = null, CancellationToken cancellationToken = default);

                [RateLimit(PermitLimit = 10, WindowMs = 1_000, Algorithm = RateLimitAlgorithm.SlidingWindow, KeyParameter = "tenant", QueueLimit = 5)]
                [Fallback(typeof(CatalogFallbacks), nameof(CatalogFallbacks.Empty))]
                [Timeout(5_000)]
                Task<IReadOnlyList<Product>> SearchAsync(string tenant, string query, int take, CancellationToken cancellationToken);

                [Fallback(nameof(ListCachedAsync))]
                Task<IReadOnlyList<T>> ListAsync<T>(int page, CancellationToken cancellationToken) where T : class;

                Task<IReadOnlyList<T>> ListCachedAsync<T>(int page) where T : class;

                Task SaveAsync(Product product, CancellationToken cancellationToken);
                Task SaveAsync(IEnumerable<Product> products, CancellationToken cancellationToken);

                ValueTask DeleteAsync(in Guid id, CancellationToken cancellationToken);

                IAsyncEnumerable<Product> StreamAsync(CancellationToken cancellationToken);
                bool TryGetCached(string sku, out Product? product);

                Product? this[string sku] { get; }
                string Region { get; set; }
                event EventHandler? Changed;

                int Version() => 1;

                static bool IsMissing(Product? product) => product is null;
            }
            """);

        Assert.Empty(diagnostics);
    }

    [Fact]
    public async Task CompilationWithoutRuntime_IsIgnored()
    {
        var diagnostics = await AnalyzerVerifier.AnalyzeAsync("""
            namespace Other
            {
                [System.AttributeUsage(System.AttributeTargets.All)]
                public sealed class RetryAttribute : System.Attribute { public int MaxRetries { get; set; } }

                public interface IService
                {
                    [Retry(MaxRetries = -1)]
                    System.Threading.Tasks.Task RunAsync();
                }
            }
            """,
            referenceRuntime: false);

        Assert.Empty(diagnostics);
    }
}
