using Resilience.Generator.Tests.Infrastructure;

namespace Resilience.Generator.Tests;

public sealed class SmokeTests
{
    [Fact]
    public void Everything_on_one_method_compiles()
    {
        var run = GeneratorHarness.RunClean("""
            using System;
            using System.Threading;
            using System.Threading.Tasks;
            using Resilience;

            namespace N;

            public sealed record User(string Id);

            [CircuitBreaker(FailureThreshold = 5, BreakDurationMs = 30_000)]
            public interface IUserService
            {
                [Retry(MaxRetries = 3, DelayMs = 100, Backoff = BackoffType.Exponential, Jitter = 0.2)]
                [Timeout(2_000)]
                [Fallback(nameof(GetUserFallbackAsync))]
                Task<User> GetUserAsync(string id, CancellationToken cancellationToken = default);

                Task<User> GetUserFallbackAsync(string id, Exception error);

                [RateLimit(PermitLimit = 100, WindowMs = 1_000, KeyParameter = "tenant")]
                [Bulkhead(MaxConcurrency = 8, MaxQueue = 16, Name = "users-db")]
                ValueTask SaveAsync(string tenant, User user, CancellationToken cancellationToken);
            }
            """);
        Assert.Contains("class UserServiceResilient", run.Single());
    }
}
