using static Microsoft.CodeAnalysis.DiagnosticSeverity;

namespace Resilience.Generator.Tests.Analyzers;

/// <summary>RES0009 (retry delays reach the timeout), RES0012 (timeout without a token), RES0013 (blocking a synchronous caller).</summary>
public sealed class TimingTests
{
    [Fact]
    public async Task RES0009_ExponentialDelaysReachTimeout_ReportedOnRetry()
    {
        // 100, 200, 400 ms, each up to 20 % longer: 840 ms ≥ 800 ms.
        var diagnostics = await AnalyzerVerifier.VerifyAsync("""
            public interface IOrders
            {
                [{|RES0009:Retry(MaxRetries = 3, DelayMs = 100)|}]
                [Timeout(800)]
                Task<int> GetAsync(CancellationToken cancellationToken);
            }
            """,
            ("RES0009", Warning));

        Assert.StartsWith("In the worst case the retry delays of 'GetAsync' add up to 840 ms, not less than its [Timeout] of 800 ms", diagnostics.Single().GetMessage());
    }

    [Fact]
    public async Task RES0009_DelaysJustUnderTimeout_NotReported()
    {
        await AnalyzerVerifier.VerifyAsync("""
            public interface IOrders
            {
                [Retry(MaxRetries = 3, DelayMs = 100)]
                [Timeout(841)]
                Task<int> GetAsync(CancellationToken cancellationToken);
            }
            """);
    }

    [Fact]
    public async Task RES0009_MaxDelayCapsEachDelay()
    {
        // Linear without jitter: 1000, 2000 → capped at 1500 each after the first: 1000 + 1500 + 1500 = 4000 ms.
        await AnalyzerVerifier.VerifyAsync("""
            public interface IOrders
            {
                [Retry(MaxRetries = 3, DelayMs = 1_000, Backoff = BackoffType.Linear, Jitter = 0, MaxDelayMs = 1_500)]
                [Timeout(4_001)]
                Task<int> GetAsync(CancellationToken cancellationToken);

                [{|RES0009:Retry(MaxRetries = 3, DelayMs = 1_000, Backoff = BackoffType.Linear, Jitter = 0, MaxDelayMs = 1_500)|}]
                [Timeout(4_000)]
                Task<int> FindAsync(CancellationToken cancellationToken);
            }
            """,
            ("RES0009", Warning));
    }

    [Fact]
    public async Task RES0009_ConstantBackoffWithHugeRetryCount_ComputesWithoutLooping()
    {
        await AnalyzerVerifier.VerifyAsync("""
            public interface IOrders
            {
                [{|RES0009:Retry(MaxRetries = int.MaxValue, DelayMs = 1, Backoff = BackoffType.Constant)|}]
                [Timeout(60_000)]
                Task<int> GetAsync(CancellationToken cancellationToken);

                [{|RES0009:Retry(MaxRetries = int.MaxValue, DelayMs = 1, Multiplier = 1.0000001, MaxDelayMs = int.MaxValue)|}]
                [Timeout(int.MaxValue)]
                Task<int> FindAsync(CancellationToken cancellationToken);

                [{|RES0009:Retry(MaxRetries = int.MaxValue, DelayMs = 1, Backoff = BackoffType.Linear, MaxDelayMs = int.MaxValue)|}]
                [Timeout(int.MaxValue)]
                Task<int> ListAsync(CancellationToken cancellationToken);
            }
            """,
            ("RES0009", Warning));
    }

    [Fact]
    public async Task RES0009_InterfaceLevelTimeout_ReportedOnMethodRetry()
    {
        await AnalyzerVerifier.VerifyAsync("""
            [Timeout(500)]
            public interface IOrders
            {
                [{|RES0009:Retry(DelayMs = 200)|}]
                Task<int> GetAsync(CancellationToken cancellationToken);

                Task<int> CountAsync(CancellationToken cancellationToken);
            }
            """,
            ("RES0009", Warning));
    }

    [Fact]
    public async Task RES0009_InterfaceLevelRetry_ReportedOnMethodTimeout()
    {
        await AnalyzerVerifier.VerifyAsync("""
            [Retry]
            public interface IOrders
            {
                [{|RES0009:Timeout(1_000)|}]
                Task<int> GetAsync(CancellationToken cancellationToken);
            }
            """,
            ("RES0009", Warning));
    }

    [Fact]
    public async Task RES0009_BothInterfaceLevel_ReportedOnceOnInterfaceRetry()
    {
        var diagnostics = await AnalyzerVerifier.VerifyAsync("""
            [{|RES0009:Retry(MaxRetries = 5)|}]
            [Timeout(1_000)]
            public interface IOrders
            {
                Task<int> GetAsync(CancellationToken cancellationToken);
                Task<int> CountAsync(CancellationToken cancellationToken);
            }
            """,
            ("RES0009", Warning));

        Assert.Contains("the retry delays of the methods of 'IOrders'", diagnostics.Single().GetMessage());
    }

    [Fact]
    public async Task RES0009_CustomPolicy_NotEstimated()
    {
        await AnalyzerVerifier.VerifyAsync("""
            public sealed class Policy : IRetryPolicy
            {
                public bool ShouldRetry(Exception exception, int attempt) => true;
                public TimeSpan GetDelay(int attempt) => TimeSpan.FromSeconds(10);
            }

            public interface IOrders
            {
                [Retry(MaxRetries = 10, Policy = typeof(Policy))]
                [Timeout(100)]
                Task<int> GetAsync(CancellationToken cancellationToken);
            }
            """);
    }

    [Fact]
    public async Task RES0012_TimeoutWithoutCancellationToken_ReportedOnTimeout()
    {
        var diagnostics = await AnalyzerVerifier.VerifyAsync("""
            public interface IOrders
            {
                [{|RES0012:Timeout(2_000)|}]
                Task<int> GetAsync(int id);
            }
            """,
            ("RES0012", Warning));

        Assert.StartsWith("[Timeout] on 'GetAsync' cannot cancel the inner call", diagnostics.Single().GetMessage());
    }

    [Fact]
    public async Task RES0012_InterfaceLevelTimeout_ReportedOnMethodIdentifier()
    {
        await AnalyzerVerifier.VerifyAsync("""
            [Timeout(2_000)]
            public interface IOrders
            {
                ValueTask<int> GetAsync(int id, CancellationToken cancellationToken);
                ValueTask {|RES0012:SaveAsync|}(int id);
            }
            """,
            ("RES0012", Warning));
    }

    [Fact]
    public async Task RES0013_TimeoutOnSynchronousMethod_ReportedOnTimeout()
    {
        var diagnostics = await AnalyzerVerifier.VerifyAsync("""
            public interface IOrders
            {
                [{|RES0013:Timeout(2_000)|}]
                int Get(int id, CancellationToken cancellationToken);
            }
            """,
            ("RES0013", Warning));

        Assert.StartsWith("[Timeout] on the synchronous method 'Get' blocks the calling thread", diagnostics.Single().GetMessage());
    }

    [Fact]
    public async Task RES0013_RetryDelaysOnVoidMethod_ReportedOnRetry()
    {
        await AnalyzerVerifier.VerifyAsync("""
            public interface IOrders
            {
                [{|RES0013:Retry|}]
                void Save(int id);

                [Retry(DelayMs = 0)]
                void SaveNow(int id);

                [{|RES0013:Retry(DelayMs = 0, AttemptTimeoutMs = 100)|}]
                void SaveBounded(int id);
            }
            """,
            ("RES0013", Warning));
    }

    [Fact]
    public async Task RES0013_InterfaceLevelRetry_ReportedOnSynchronousMethodIdentifier()
    {
        await AnalyzerVerifier.VerifyAsync("""
            [Retry(MaxRetries = 2)]
            public interface IOrders
            {
                Task<int> GetAsync(CancellationToken cancellationToken);
                int {|RES0013:Count|}();
            }
            """,
            ("RES0013", Warning));
    }
}
