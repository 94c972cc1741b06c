using static Microsoft.CodeAnalysis.DiagnosticSeverity;

namespace Resilience.Generator.Tests.Analyzers;

/// <summary>RES0005 (a setting out of range) and RES0008 (a policy type that cannot be created).</summary>
public sealed class AttributeValueTests
{
    private static string OnMethod(string attribute) => $$"""
        public interface IService
        {
            [{{attribute}}]
            Task<int> GetAsync(int id, CancellationToken cancellationToken);
        }
        """;

    [Theory]
    [InlineData("Retry({|RES0005:MaxRetries = -1|})", "MaxRetries must be 0 or more; got -1")]
    [InlineData("Retry({|RES0005:DelayMs = -1|})", "DelayMs must be 0 or more; got -1")]
    [InlineData("Retry({|RES0005:MaxDelayMs = 0|})", "MaxDelayMs must be at least 1; got 0")]
    [InlineData("Retry(DelayMs = 500, {|RES0005:MaxDelayMs = 100|})", "MaxDelayMs must not be less than DelayMs (500); got 100")]
    [InlineData("Retry({|RES0005:MaxDelayMs = 100|})", "MaxDelayMs must not be less than DelayMs (200); got 100")]
    [InlineData("Retry({|RES0005:DelayMs = 40_000|})", "DelayMs must not be more than MaxDelayMs (30000 by default)")]
    [InlineData("Retry({|RES0005:Multiplier = 0.5|})", "Multiplier must be at least 1; got 0.5")]
    [InlineData("Retry({|RES0005:Multiplier = double.NaN|})", "Multiplier must be at least 1; got NaN")]
    [InlineData("Retry({|RES0005:Multiplier = double.PositiveInfinity|})", "Multiplier must be a finite number")]
    [InlineData("Retry({|RES0005:Jitter = -0.1|})", "Jitter must be between 0 and 1; got -0.1")]
    [InlineData("Retry({|RES0005:Jitter = 1.5|})", "Jitter must be between 0 and 1; got 1.5")]
    [InlineData("Retry({|RES0005:AttemptTimeoutMs = -1|})", "AttemptTimeoutMs must be 0 or more; got -1")]
    [InlineData("Retry({|RES0005:Backoff = (BackoffType)7|})", "Backoff must be Constant, Linear or Exponential; got 7")]
    [InlineData("Retry(RetryOn = new[] { {|RES0005:typeof(string)|} })", "RetryOn lists 'string', which does not derive from System.Exception")]
    [InlineData("Retry(RetryOn = new Type[] { typeof(TimeoutException), {|RES0005:typeof(int)|} })", "RetryOn lists 'int'")]
    [InlineData("Retry(RetryOn = [typeof(InvalidOperationException), {|RES0005:typeof(object)|}])", "RetryOn lists 'object'")]
    [InlineData("CircuitBreaker({|RES0005:FailureThreshold = 0|})", "FailureThreshold must be at least 1; got 0")]
    [InlineData("CircuitBreaker({|RES0005:FailureRatio = 1.5|})", "FailureRatio must be in (0, 1], or 0 to leave it off; got 1.5")]
    [InlineData("CircuitBreaker({|RES0005:FailureRatio = -0.25|})", "FailureRatio must be in (0, 1], or 0 to leave it off; got -0.25")]
    [InlineData("CircuitBreaker({|RES0005:TimeoutRatio = 2|})", "TimeoutRatio must be in (0, 1], or 0 to leave it off; got 2")]
    [InlineData("CircuitBreaker({|RES0005:MinimumThroughput = 0|})", "MinimumThroughput must be at least 1; got 0")]
    [InlineData("CircuitBreaker({|RES0005:SamplingDurationMs = 0|})", "SamplingDurationMs must be at least 1; got 0")]
    [InlineData("CircuitBreaker({|RES0005:BreakDurationMs = -1|})", "BreakDurationMs must be at least 1; got -1")]
    [InlineData("CircuitBreaker({|RES0005:HalfOpenMaxCalls = 0|})", "HalfOpenMaxCalls must be at least 1; got 0")]
    [InlineData("CircuitBreaker(Handle = new[] { {|RES0005:typeof(string)|} })", "Handle lists 'string', which does not derive from System.Exception")]
    [InlineData("CircuitBreaker({|RES0005:Name = \" \"|})", "Name must not be empty")]
    [InlineData("RateLimit({|RES0005:PermitLimit = 0|})", "PermitLimit must be at least 1; got 0")]
    [InlineData("RateLimit({|RES0005:WindowMs = 0|})", "WindowMs must be at least 1; got 0")]
    [InlineData("RateLimit({|RES0005:SegmentsPerWindow = 0|})", "SegmentsPerWindow must be at least 1; got 0")]
    [InlineData("RateLimit({|RES0005:QueueLimit = -1|})", "QueueLimit must be 0 or more; got -1")]
    [InlineData("RateLimit({|RES0005:Algorithm = (RateLimitAlgorithm)9|})", "Algorithm must be TokenBucket, SlidingWindow, FixedWindow or SlidingWindowExact; got 9")]
    [InlineData("Bulkhead({|RES0005:MaxConcurrency = 0|})", "MaxConcurrency must be at least 1; got 0")]
    [InlineData("Bulkhead({|RES0005:MaxQueue = -1|})", "MaxQueue must be 0 or more; got -1")]
    [InlineData("Timeout({|RES0005:0|})", "the timeout must be more than 0 ms; got 0")]
    [InlineData("Timeout({|RES0005:timeoutMs: -5|})", "the timeout must be more than 0 ms; got -5")]
    [InlineData("CacheFallback({|RES0005:TtlMs = -1|})", "TtlMs must be 0 or more; got -1")]
    [InlineData("CacheFallback({|RES0005:StaleTtlMs = -1|})", "StaleTtlMs must be 0 or more; got -1")]
    [InlineData("CacheFallback(TtlMs = 0, {|RES0005:StaleTtlMs = 0|})", "TtlMs and StaleTtlMs are both 0")]
    [InlineData("CacheFallback({|RES0005:StaleTtlMs = 0|})", "TtlMs and StaleTtlMs are both 0")]
    public async Task RES0005_InvalidValue_ReportedOnThatArgument(string attribute, string message)
    {
        var diagnostics = await AnalyzerVerifier.VerifyAsync(OnMethod(attribute), ("RES0005", Error));

        Assert.Contains(message, diagnostics.Single().GetMessage());
    }

    [Theory]
    [InlineData("Retry(MaxRetries = 0, DelayMs = 0, Jitter = 0, Multiplier = 1)")]
    [InlineData("Retry(Jitter = 1, DelayMs = 30_000, MaxDelayMs = 30_000, AttemptTimeoutMs = 0, Backoff = BackoffType.Linear)")]
    [InlineData("Retry(DelayMs = 40_000, MaxDelayMs = 60_000, RetryOn = new[] { typeof(TimeoutException), typeof(Exception) })")]
    [InlineData("CircuitBreaker(FailureRatio = 1, TimeoutRatio = 0, MinimumThroughput = 1, HalfOpenMaxCalls = 1, Handle = new Type[0])")]
    [InlineData("CircuitBreaker(FailureRatio = 0, TimeoutRatio = 0.5, FailureThreshold = 1, Name = \"db\")")]
    [InlineData("RateLimit(PermitLimit = 1, WindowMs = 1, QueueLimit = 0, Algorithm = RateLimitAlgorithm.SlidingWindow, SegmentsPerWindow = 1)")]
    [InlineData("Bulkhead(MaxConcurrency = 1, MaxQueue = 0)")]
    [InlineData("Timeout(1)")]
    [InlineData("CacheFallback(TtlMs = 0)")]
    [InlineData("CacheFallback(TtlMs = 1_000, StaleTtlMs = 0)")]
    public async Task RES0005_BoundaryValues_AreValid(string attribute)
    {
        await AnalyzerVerifier.VerifyAsync(OnMethod(attribute));
    }

    [Fact]
    public async Task RES0005_InterfaceLevelValue_ReportedOnceOnItsArgument()
    {
        await AnalyzerVerifier.VerifyAsync("""
            [Bulkhead({|RES0005:MaxConcurrency = 0|})]
            public interface IService
            {
                Task<int> GetAsync(int id);
                Task SaveAsync(int id);
            }
            """,
            ("RES0005", Error));
    }

    [Fact]
    public async Task RES0005_SeveralInvalidValues_EachReported()
    {
        await AnalyzerVerifier.VerifyAsync("""
            public interface IService
            {
                [Retry({|RES0005:MaxRetries = -1|}, {|RES0005:Jitter = 2|})]
                Task<int> GetAsync(int id, CancellationToken cancellationToken);
            }
            """,
            ("RES0005", Error));
    }

    private const string Policies = """
        public sealed class GoodPolicy : IRetryPolicy
        {
            public bool ShouldRetry(Exception exception, int attempt) => true;
            public TimeSpan GetDelay(int attempt) => TimeSpan.Zero;
        }

        public struct StructPolicy : IRetryPolicy
        {
            public bool ShouldRetry(Exception exception, int attempt) => true;
            public TimeSpan GetDelay(int attempt) => TimeSpan.Zero;
        }

        public abstract class AbstractPolicy : IRetryPolicy
        {
            public bool ShouldRetry(Exception exception, int attempt) => true;
            public TimeSpan GetDelay(int attempt) => TimeSpan.Zero;
        }

        public sealed class NeedsArgumentPolicy : IRetryPolicy
        {
            public NeedsArgumentPolicy(int retries) { }
            public bool ShouldRetry(Exception exception, int attempt) => true;
            public TimeSpan GetDelay(int attempt) => TimeSpan.Zero;
        }

        public sealed class PrivateConstructorPolicy : IRetryPolicy
        {
            private PrivateConstructorPolicy() { }
            public bool ShouldRetry(Exception exception, int attempt) => true;
            public TimeSpan GetDelay(int attempt) => TimeSpan.Zero;
        }

        public sealed class GoodTrip : ITripPolicy
        {
            public bool ShouldTrip(in CircuitCounts counts) => false;
        }

        """;

    [Theory]
    [InlineData("Retry({|RES0008:Policy = typeof(string)|})", "does not implement Resilience.IRetryPolicy")]
    [InlineData("Retry({|RES0008:Policy = typeof(AbstractPolicy)|})", "it is abstract or static")]
    [InlineData("Retry({|RES0008:Policy = typeof(IRetryPolicy)|})", "it is not a class or struct")]
    [InlineData("Retry({|RES0008:Policy = typeof(NeedsArgumentPolicy)|})", "it has no public parameterless constructor")]
    [InlineData("Retry({|RES0008:Policy = typeof(PrivateConstructorPolicy)|})", "it has no public parameterless constructor")]
    [InlineData("Retry({|RES0008:Policy = typeof(GoodTrip)|})", "does not implement Resilience.IRetryPolicy")]
    [InlineData("CircuitBreaker({|RES0008:TripPolicy = typeof(GoodPolicy)|})", "does not implement Resilience.ITripPolicy")]
    public async Task RES0008_UnusablePolicyType_ReportedOnThatArgument(string attribute, string message)
    {
        var diagnostics = await AnalyzerVerifier.VerifyAsync(Policies + OnMethod(attribute), ("RES0008", Error));

        Assert.Contains(message, diagnostics.Single().GetMessage());
    }

    [Fact]
    public async Task RES0008_PolicyNotAccessibleFromGeneratedClass_Reported()
    {
        var diagnostics = await AnalyzerVerifier.VerifyAsync("""
            public sealed class Outer
            {
                private sealed class HiddenPolicy : IRetryPolicy
                {
                    public bool ShouldRetry(Exception exception, int attempt) => true;
                    public TimeSpan GetDelay(int attempt) => TimeSpan.Zero;
                }

                public interface INested
                {
                    [Retry({|RES0008:Policy = typeof(HiddenPolicy)|})]
                    Task<int> GetAsync(CancellationToken cancellationToken);
                }
            }
            """,
            ("RES0008", Error));

        Assert.Contains("not accessible from the generated class", diagnostics.Single().GetMessage());
    }

    [Fact]
    public async Task RES0008_ValidPolicies_HaveNoDiagnostic()
    {
        await AnalyzerVerifier.VerifyAsync(Policies + """
            public interface IService
            {
                [Retry(Policy = typeof(GoodPolicy))]
                [CircuitBreaker(TripPolicy = typeof(GoodTrip))]
                Task<int> GetAsync(CancellationToken cancellationToken);

                [Retry(Policy = typeof(StructPolicy))]
                Task<int> FindAsync(CancellationToken cancellationToken);
            }
            """);
    }
}
