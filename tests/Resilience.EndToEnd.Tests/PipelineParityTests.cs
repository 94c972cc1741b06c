using Microsoft.Extensions.Time.Testing;
using Resilience.Testing;
using Xunit.Abstractions;

namespace Resilience.EndToEnd.Tests;

/// <summary>
/// One method per strategy stack of the parity matrix (<see cref="PipelineParityTests"/>). Every method has the same
/// shape, so a new stack is one method here and one row in <see cref="PipelineParityTests.Stacks"/>.
/// </summary>
public interface IParity
{
    [Retry(MaxRetries = 2, DelayMs = 10, Backoff = BackoffType.Constant, Jitter = 0, RetryOn = new[] { typeof(TransientException) })]
    ValueTask<int> RetryAsync(CancellationToken cancellationToken);

    [CircuitBreaker(FailureThreshold = 2, BreakDurationMs = 1_000, Handle = new[] { typeof(TransientException) })]
    ValueTask<int> BreakerAsync(CancellationToken cancellationToken);

    [Timeout(100)]
    ValueTask<int> TimeoutAsync(CancellationToken cancellationToken);

    [Fallback(nameof(Recover))]
    ValueTask<int> FallbackAsync(CancellationToken cancellationToken);

    [CacheFallback(StaleTtlMs = 60_000)]
    ValueTask<int> CacheAsync(CancellationToken cancellationToken);

    [RateLimit(PermitLimit = 1, WindowMs = 1_000, Algorithm = RateLimitAlgorithm.FixedWindow)]
    ValueTask<int> RateLimitAsync(CancellationToken cancellationToken);

    [Fallback(nameof(Recover))]
    [RateLimit(PermitLimit = 1, WindowMs = 1_000, Algorithm = RateLimitAlgorithm.FixedWindow)]
    ValueTask<int> RateLimitFallbackAsync(CancellationToken cancellationToken);

    [Bulkhead(MaxConcurrency = 1, MaxQueue = 0)]
    ValueTask<int> BulkheadAsync(CancellationToken cancellationToken);

    [CircuitBreaker(FailureThreshold = 2, BreakDurationMs = 1_000)]
    [Retry(MaxRetries = 2, DelayMs = 10, Backoff = BackoffType.Constant, Jitter = 0, RetryOn = new[] { typeof(TransientException) })]
    ValueTask<int> RetryBreakerAsync(CancellationToken cancellationToken);

    [Timeout(100)]
    [CircuitBreaker(FailureThreshold = 2, BreakDurationMs = 1_000)]
    [Retry(MaxRetries = 2, DelayMs = 10, Backoff = BackoffType.Constant, Jitter = 0, RetryOn = new[] { typeof(TransientException) })]
    ValueTask<int> TimeoutBreakerRetryAsync(CancellationToken cancellationToken);

    [CircuitBreaker(FailureThreshold = 2, BreakDurationMs = 1_000, HandleResult = nameof(IsMarked))]
    [Retry(MaxRetries = 2, DelayMs = 10, Backoff = BackoffType.Constant, Jitter = 0, HandleResult = nameof(IsMarked))]
    ValueTask<int> MarkedAsync(CancellationToken cancellationToken);

    [Fallback(nameof(Recover))]
    [Retry(MaxRetries = 2, DelayMs = 10, Backoff = BackoffType.Constant, Jitter = 0, HandleResult = nameof(IsMarked))]
    ValueTask<int> MarkedFallbackAsync(CancellationToken cancellationToken);

    [Fallback(nameof(Recover), AnswerMarkedResults = false)]
    [Retry(MaxRetries = 2, DelayMs = 10, Backoff = BackoffType.Constant, Jitter = 0, HandleResult = nameof(IsMarked))]
    ValueTask<int> MarkedNotAnsweredAsync(CancellationToken cancellationToken);

    [CacheFallback(StaleTtlMs = 60_000)]
    [Retry(MaxRetries = 2, DelayMs = 10, Backoff = BackoffType.Constant, Jitter = 0, HandleResult = nameof(IsMarked))]
    ValueTask<int> MarkedCacheAsync(CancellationToken cancellationToken);

    [Fallback(nameof(Recover))]
    [CacheFallback(StaleTtlMs = 60_000)]
    [RateLimit(PermitLimit = 2, WindowMs = 1_000, Algorithm = RateLimitAlgorithm.FixedWindow)]
    [Bulkhead(MaxConcurrency = 1, MaxQueue = 0)]
    [Timeout(100)]
    [CircuitBreaker(FailureThreshold = 2, BreakDurationMs = 1_000, HandleResult = nameof(IsMarked))]
    [Retry(MaxRetries = 2, DelayMs = 10, Backoff = BackoffType.Constant, Jitter = 0, RetryOn = new[] { typeof(TransientException) }, HandleResult = nameof(IsMarked))]
    ValueTask<int> FullAsync(CancellationToken cancellationToken);

    [Retry(MaxRetries = 2, DelayMs = 10, Backoff = BackoffType.Constant, Jitter = 0, AttemptTimeoutMs = 50)]
    ValueTask<int> AttemptTimeoutAsync(CancellationToken cancellationToken);

    [Hedge(DelayMs = 50, MaxHedges = 1)]
    [CircuitBreaker(FailureThreshold = 2, BreakDurationMs = 1_000)]
    [Retry(MaxRetries = 2, DelayMs = 10, Backoff = BackoffType.Constant, Jitter = 0, RetryOn = new[] { typeof(TransientException) })]
    ValueTask<int> HedgeAsync(CancellationToken cancellationToken);

    [CircuitBreaker(FailureThreshold = 2, BreakDurationMs = 1_000)]
    [Retry(MaxRetries = 2, DelayMs = 10, Backoff = BackoffType.Constant, Jitter = 0, RetryOn = new[] { typeof(TransientException) })]
    Task<int> RetryBreakerTaskAsync(CancellationToken cancellationToken);

    [Fallback(nameof(Recover))]
    [CacheFallback(StaleTtlMs = 60_000)]
    [RateLimit(PermitLimit = 2, WindowMs = 1_000, Algorithm = RateLimitAlgorithm.FixedWindow)]
    [Bulkhead(MaxConcurrency = 1, MaxQueue = 0)]
    [Timeout(100)]
    [CircuitBreaker(FailureThreshold = 2, BreakDurationMs = 1_000, HandleResult = nameof(IsMarked))]
    [Retry(MaxRetries = 2, DelayMs = 10, Backoff = BackoffType.Constant, Jitter = 0, RetryOn = new[] { typeof(TransientException) }, HandleResult = nameof(IsMarked))]
    Task<int> FullTaskAsync(CancellationToken cancellationToken);

    /// <summary>The fallback of every stack with one: records the failure it answers.</summary>
    ValueTask<int> Recover(Exception error);

    static bool IsMarked(int value) => value >= 500;
}

/// <summary>A failure the retries of the matrix handle.</summary>
public sealed class TransientException(string message) : Exception(message);

/// <summary>A failure no retry or breaker of the matrix handles (unless it handles every exception).</summary>
public sealed class FatalException(string message) : Exception(message);

/// <summary>
/// The inner service of the matrix: every method plays the next step of one script, shared by all calls.
/// Steps: <c>ok</c> (100 + attempt), <c>marked</c> (500 + attempt, a <c>HandleResult</c> failure), <c>throw</c> (a
/// synchronous <see cref="TransientException"/>), <c>fault</c> (a faulted task), <c>fatal</c> (a faulted task with a
/// <see cref="FatalException"/>), <c>cancel</c> (a cancelled task, not the caller's token), <c>later</c> /
/// <c>laterfault</c> (succeeds / faults 10 ms later on the fake clock), <c>slow</c> (ends only when its token is
/// cancelled), <c>hang</c> (never ends, whatever its token). When the script runs out, <c>ok</c>.
/// </summary>
public sealed class ScriptedParity(string script, TimeProvider time) : IParity
{
    private readonly string[] _steps = script.Split(' ', StringSplitOptions.RemoveEmptyEntries);

    public int Calls { get; private set; }

    public List<string> Recovered { get; } = [];

    public ValueTask<int> RetryAsync(CancellationToken cancellationToken) => Next(cancellationToken);

    public ValueTask<int> BreakerAsync(CancellationToken cancellationToken) => Next(cancellationToken);

    public ValueTask<int> TimeoutAsync(CancellationToken cancellationToken) => Next(cancellationToken);

    public ValueTask<int> FallbackAsync(CancellationToken cancellationToken) => Next(cancellationToken);

    public ValueTask<int> CacheAsync(CancellationToken cancellationToken) => Next(cancellationToken);

    public ValueTask<int> RateLimitAsync(CancellationToken cancellationToken) => Next(cancellationToken);

    public ValueTask<int> RateLimitFallbackAsync(CancellationToken cancellationToken) => Next(cancellationToken);

    public ValueTask<int> BulkheadAsync(CancellationToken cancellationToken) => Next(cancellationToken);

    public ValueTask<int> RetryBreakerAsync(CancellationToken cancellationToken) => Next(cancellationToken);

    public ValueTask<int> TimeoutBreakerRetryAsync(CancellationToken cancellationToken) => Next(cancellationToken);

    public ValueTask<int> MarkedAsync(CancellationToken cancellationToken) => Next(cancellationToken);

    public ValueTask<int> MarkedFallbackAsync(CancellationToken cancellationToken) => Next(cancellationToken);

    public ValueTask<int> MarkedNotAnsweredAsync(CancellationToken cancellationToken) => Next(cancellationToken);

    public ValueTask<int> MarkedCacheAsync(CancellationToken cancellationToken) => Next(cancellationToken);

    public ValueTask<int> FullAsync(CancellationToken cancellationToken) => Next(cancellationToken);

    public ValueTask<int> AttemptTimeoutAsync(CancellationToken cancellationToken) => Next(cancellationToken);

    public ValueTask<int> HedgeAsync(CancellationToken cancellationToken) => Next(cancellationToken);

    public Task<int> RetryBreakerTaskAsync(CancellationToken cancellationToken) => Next(cancellationToken).AsTask();

    public Task<int> FullTaskAsync(CancellationToken cancellationToken) => Next(cancellationToken).AsTask();

    public ValueTask<int> Recover(Exception error)
    {
        Recovered.Add(PipelineParityTests.Describe(error));
        return new(-1);
    }

    private ValueTask<int> Next(CancellationToken cancellationToken)
    {
        int attempt = ++Calls;
        string step = attempt <= _steps.Length ? _steps[attempt - 1] : "ok";
        return step switch
        {
            "ok" => new(100 + attempt),
            "marked" => new(500 + attempt),
            "throw" => throw new TransientException($"transient #{attempt}"),
            "fault" => ValueTask.FromException<int>(new TransientException($"transient #{attempt}")),
            "fatal" => ValueTask.FromException<int>(new FatalException($"fatal #{attempt}")),
            "cancel" => ValueTask.FromCanceled<int>(new CancellationToken(canceled: true)),
            "later" => new(Later(attempt, fail: false, cancellationToken)),
            "laterfault" => new(Later(attempt, fail: true, cancellationToken)),
            "slow" => new(Slow(cancellationToken)),
            "hang" => new(new TaskCompletionSource<int>().Task),
            _ => throw new ArgumentException($"Unknown step '{step}'.", nameof(script)),
        };
    }

    private async Task<int> Later(int attempt, bool fail, CancellationToken cancellationToken)
    {
        await Task.Delay(TimeSpan.FromMilliseconds(10), time, cancellationToken).ConfigureAwait(false);
        return fail ? throw new TransientException($"transient #{attempt}") : 100 + attempt;
    }

    private static async Task<int> Slow(CancellationToken cancellationToken)
    {
        await Task.Delay(Timeout.InfiniteTimeSpan, cancellationToken).ConfigureAwait(false);
        return 0;
    }
}

/// <summary>
/// One semantic matrix run against both ways of composing the strategies, so that they cannot drift: every row is
/// executed through the generated decorator (<see cref="ParityResilient"/>) and through an equivalently built
/// <see cref="ResilientCall{T}"/>, and what a caller and an operator can observe must be the same: each call's result or
/// exception (type and message), the calls that reached the inner service, what the fallback received, the breaker's
/// state after, the time the calls took on the fake clock, and the telemetry recorded for the operation (calls by
/// outcome, retries, rejections, timeouts, breaker transitions). The row's expectation pins the documented behaviour.
/// </summary>
public sealed class PipelineParityTests(ITestOutputHelper output)
{
    private readonly ITestOutputHelper _output = output;

    private const string Prefix = "Resilience.EndToEnd.Tests.IParity.";

    private static readonly RetryOptions Retry = new()
    {
        MaxRetries = 2, Delay = TimeSpan.FromMilliseconds(10), Backoff = BackoffType.Constant, Jitter = 0, RetryOn = [typeof(TransientException)],
    };

    private static readonly RetryOptions RetryAny = new() { MaxRetries = 2, Delay = TimeSpan.FromMilliseconds(10), Backoff = BackoffType.Constant, Jitter = 0 };

    private static readonly CircuitBreakerOptions Breaker = new() { FailureThreshold = 2, BreakDuration = TimeSpan.FromSeconds(1) };

    private static readonly CircuitBreakerOptions BreakerOfTransients = new()
    {
        FailureThreshold = 2, BreakDuration = TimeSpan.FromSeconds(1), Handle = [typeof(TransientException)],
    };

    private static readonly CacheFallbackOptions Cache = new() { StaleTtl = TimeSpan.FromSeconds(60) };

    private static readonly TimeSpan Timeout100 = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// The stacks: the generated method, and the same strategies with the same settings on a
    /// <see cref="ResilientCallBuilder{T}"/> (each named like the generated instance, so both land in the same records).
    /// </summary>
    private static readonly Dictionary<
        string,
        (Func<IParity, CancellationToken, ValueTask<int>> Generated, Func<ResilientCallBuilder<int>, string, IParity, ResilientCallBuilder<int>> Build)>
        Stacks = new()
    {
        ["RetryAsync"] = ((p, ct) => p.RetryAsync(ct), (b, n, _) => b.WithRetry(Retry, n)),
        ["BreakerAsync"] = ((p, ct) => p.BreakerAsync(ct), (b, n, _) => b.WithCircuitBreaker(BreakerOfTransients, n)),
        ["TimeoutAsync"] = ((p, ct) => p.TimeoutAsync(ct), (b, n, _) => b.WithTimeout(Timeout100, n)),
        ["FallbackAsync"] = ((p, ct) => p.FallbackAsync(ct), (b, _, i) => b.WithFallback((e, _) => i.Recover(e))),
        ["CacheAsync"] = ((p, ct) => p.CacheAsync(ct), (b, _, _) => b.WithCacheFallback("key", Cache)),
        ["RateLimitAsync"] = ((p, ct) => p.RateLimitAsync(ct), (b, n, _) => b.WithRateLimit(Limit(1), n)),
        ["RateLimitFallbackAsync"] = ((p, ct) => p.RateLimitFallbackAsync(ct),
            (b, n, i) => b.WithRateLimit(Limit(1), n).WithFallback((e, _) => i.Recover(e))),
        ["BulkheadAsync"] = ((p, ct) => p.BulkheadAsync(ct), (b, n, _) => b.WithBulkhead(new BulkheadOptions { MaxConcurrency = 1, MaxQueue = 0 }, n)),
        ["RetryBreakerAsync"] = ((p, ct) => p.RetryBreakerAsync(ct), (b, n, _) => b.WithCircuitBreaker(Breaker, n).WithRetry(Retry, n)),
        ["TimeoutBreakerRetryAsync"] = ((p, ct) => p.TimeoutBreakerRetryAsync(ct),
            (b, n, _) => b.WithTimeout(Timeout100, n).WithCircuitBreaker(Breaker, n).WithRetry(Retry, n)),
        ["MarkedAsync"] = ((p, ct) => p.MarkedAsync(ct),
            (b, n, _) => b.WithCircuitBreaker(Breaker, n).WithRetry(RetryAny, n).WithHandleResult(IParity.IsMarked)),
        ["MarkedFallbackAsync"] = ((p, ct) => p.MarkedFallbackAsync(ct),
            (b, n, i) => b.WithRetry(RetryAny, n).WithHandleResult(IParity.IsMarked).WithFallback((e, _) => i.Recover(e))),
        ["MarkedNotAnsweredAsync"] = ((p, ct) => p.MarkedNotAnsweredAsync(ct),
            (b, n, i) => b.WithRetry(RetryAny, n).WithHandleResult(IParity.IsMarked).WithFallback((e, _) => i.Recover(e), answerMarkedResults: false)),
        ["MarkedCacheAsync"] = ((p, ct) => p.MarkedCacheAsync(ct),
            (b, n, _) => b.WithRetry(RetryAny, n).WithHandleResult(IParity.IsMarked).WithCacheFallback("key", Cache)),
        ["FullAsync"] = ((p, ct) => p.FullAsync(ct), (b, n, i) => b
            .WithFallback((e, _) => i.Recover(e))
            .WithCacheFallback("key", Cache)
            .WithRateLimit(Limit(2), n)
            .WithBulkhead(new BulkheadOptions { MaxConcurrency = 1, MaxQueue = 0 }, n)
            .WithTimeout(Timeout100, n)
            .WithCircuitBreaker(Breaker, n)
            .WithRetry(Retry, n)
            .WithHandleResult(IParity.IsMarked)),
        ["AttemptTimeoutAsync"] = ((p, ct) => p.AttemptTimeoutAsync(ct),
            (b, n, _) => b.WithRetry(
                new RetryOptions
                {
                    MaxRetries = 2, Delay = TimeSpan.FromMilliseconds(10), Backoff = BackoffType.Constant, Jitter = 0,
                    AttemptTimeout = TimeSpan.FromMilliseconds(50),
                },
                n)),
        ["HedgeAsync"] = ((p, ct) => p.HedgeAsync(ct), (b, n, _) => b
            .WithHedge(new HedgeOptions { Delay = TimeSpan.FromMilliseconds(50), MaxHedges = 1 }, n)
            .WithCircuitBreaker(Breaker, n)
            .WithRetry(Retry, n)),
        ["RetryBreakerTaskAsync"] = ((p, ct) => new(p.RetryBreakerTaskAsync(ct)), (b, n, _) => b.WithCircuitBreaker(Breaker, n).WithRetry(Retry, n)),
        ["FullTaskAsync"] = ((p, ct) => new(p.FullTaskAsync(ct)), (b, n, i) => b
            .WithFallback((e, _) => i.Recover(e))
            .WithCacheFallback("key", Cache)
            .WithRateLimit(Limit(2), n)
            .WithBulkhead(new BulkheadOptions { MaxConcurrency = 1, MaxQueue = 0 }, n)
            .WithTimeout(Timeout100, n)
            .WithCircuitBreaker(Breaker, n)
            .WithRetry(Retry, n)
            .WithHandleResult(IParity.IsMarked)),
    };

    /// <summary>
    /// Stack, setup before the first call (<c>open</c>, <c>halfopen</c>, <c>isolated</c>: the breaker's state;
    /// <c>occupied</c>: the bulkhead's only slot taken; <c>cancelled</c>: the caller's token cancelled), the inner
    /// script (see <see cref="ScriptedParity"/>), the number of calls made one after the other, and the expected
    /// results (one per call) and inner call count.
    /// </summary>
    public static TheoryData<string, string, string, int, string> Rows() => new()
    {
        { "RetryAsync", "", "ok", 1, "101 | inner 1" },
        { "RetryAsync", "", "throw ok", 1, "102 | inner 2" },
        { "RetryAsync", "", "fault fault ok", 1, "103 | inner 3" },
        { "RetryAsync", "", "later laterfault later", 2, "101, 103 | inner 3" },
        { "RetryAsync", "", "fault fault fault", 1, "TransientException: transient #3 | inner 3" },
        { "RetryAsync", "", "fatal ok", 1, "FatalException: fatal #1 | inner 1" },
        { "RetryAsync", "", "cancel ok", 1, "TaskCanceledException: A task was canceled. | inner 1" },
        { "RetryAsync", "", "marked", 1, "501 | inner 1" },
        { "RetryAsync", "cancelled", "fault ok", 1, "TransientException: transient #1 | inner 1" },
        { "BreakerAsync", "", "fault fault ok", 3, "TransientException: transient #1, TransientException: transient #2, BrokenCircuitException | inner 2" },
        { "BreakerAsync", "", "fatal fatal ok", 3, "FatalException: fatal #1, FatalException: fatal #2, 103 | inner 3" },
        // A cancellation that is not the caller's counts as a failure (and a timeout) whatever Handle says (circuit-breaker.md).
        { "BreakerAsync", "", "cancel cancel ok", 3, "TaskCanceledException: A task was canceled., TaskCanceledException: A task was canceled., BrokenCircuitException | inner 2" },
        { "BreakerAsync", "open", "ok", 1, "BrokenCircuitException | inner 0" },
        { "BreakerAsync", "isolated", "ok", 1, "BrokenCircuitException | inner 0" },
        { "BreakerAsync", "halfopen", "ok ok", 2, "101, 102 | inner 2" },
        { "BreakerAsync", "halfopen", "throw ok", 2, "TransientException: transient #1, BrokenCircuitException | inner 1" },
        { "TimeoutAsync", "", "later", 1, "101 | inner 1" },
        { "TimeoutAsync", "", "slow", 1, "ResilienceTimeoutException | inner 1" },
        { "TimeoutAsync", "", "hang", 1, "ResilienceTimeoutException | inner 1" },
        { "TimeoutAsync", "", "fault", 1, "TransientException: transient #1 | inner 1" },
        { "TimeoutAsync", "cancelled", "slow", 1, "TaskCanceledException: A task was canceled. | inner 1" },
        { "FallbackAsync", "", "ok", 1, "101 | inner 1" },
        { "FallbackAsync", "", "fault", 1, "-1 | inner 1" },
        { "FallbackAsync", "", "throw", 1, "-1 | inner 1" },
        { "FallbackAsync", "", "cancel", 1, "-1 | inner 1" },
        { "FallbackAsync", "", "laterfault", 1, "-1 | inner 1" },
        { "FallbackAsync", "cancelled", "cancel", 1, "TaskCanceledException: A task was canceled. | inner 1" },
        { "CacheAsync", "", "ok fault", 2, "101, 101 | inner 2" },
        { "CacheAsync", "", "fault", 1, "TransientException: transient #1 | inner 1" },
        { "CacheAsync", "", "ok fatal", 2, "101, 101 | inner 2" },
        { "RateLimitAsync", "", "ok ok", 2, "101, RateLimitRejectedException | inner 1" },
        { "RateLimitFallbackAsync", "", "ok ok", 2, "101, -1 | inner 1" },
        { "BulkheadAsync", "", "ok", 1, "101 | inner 1" },
        { "BulkheadAsync", "occupied", "ok", 1, "BulkheadRejectedException | inner 0" },
        { "RetryBreakerAsync", "", "fault ok", 1, "102 | inner 2" },
        { "RetryBreakerAsync", "", "fault fault fault", 1, "TransientException: transient #3 | inner 3" },
        { "RetryBreakerAsync", "", "fault fault fault fault fault fault", 3, "TransientException: transient #3, TransientException: transient #6, BrokenCircuitException | inner 6" },
        { "RetryBreakerAsync", "", "fatal", 1, "FatalException: fatal #1 | inner 1" },
        { "RetryBreakerAsync", "open", "ok", 1, "BrokenCircuitException | inner 0" },
        { "RetryBreakerAsync", "halfopen", "fault fault fault ok", 2, "TransientException: transient #3, BrokenCircuitException | inner 3" },
        { "RetryBreakerAsync", "halfopen", "fault ok", 2, "102, 103 | inner 3" },
        { "TimeoutBreakerRetryAsync", "", "fault later", 1, "102 | inner 2" },
        { "TimeoutBreakerRetryAsync", "", "slow", 1, "ResilienceTimeoutException | inner 1" },
        { "TimeoutBreakerRetryAsync", "", "fault hang", 1, "ResilienceTimeoutException | inner 2" },
        { "TimeoutBreakerRetryAsync", "", "slow slow", 2, "ResilienceTimeoutException, ResilienceTimeoutException | inner 2" },
        { "TimeoutBreakerRetryAsync", "", "slow slow ok", 3, "ResilienceTimeoutException, ResilienceTimeoutException, BrokenCircuitException | inner 2" },
        { "MarkedAsync", "", "marked ok", 1, "102 | inner 2" },
        { "MarkedAsync", "", "marked marked marked", 1, "503 | inner 3" },
        { "MarkedAsync", "", "marked marked marked marked marked marked ok", 3, "503, 506, BrokenCircuitException | inner 6" },
        { "MarkedAsync", "", "fatal ok", 1, "102 | inner 2" },
        { "MarkedAsync", "halfopen", "marked marked marked ok", 2, "503, BrokenCircuitException | inner 3" },
        { "MarkedAsync", "", "throw marked cancel", 1, "TaskCanceledException: A task was canceled. | inner 3" },
        { "TimeoutBreakerRetryAsync", "", "fault fault fault", 1, "TransientException: transient #3 | inner 3" },
        { "TimeoutBreakerRetryAsync", "halfopen", "fault slow ok", 2, "ResilienceTimeoutException, BrokenCircuitException | inner 2" },
        { "FullAsync", "", "ok fault fault fault", 2, "101, 101 | inner 4" },
        { "FullAsync", "", "fault fault fault fault fault fault ok", 3, "-1, -1, -1 | inner 6" },
        { "MarkedFallbackAsync", "", "marked marked marked", 1, "-1 | inner 3" },
        { "MarkedFallbackAsync", "", "fault fault fault", 1, "-1 | inner 3" },
        { "MarkedNotAnsweredAsync", "", "marked marked marked", 1, "503 | inner 3" },
        { "MarkedNotAnsweredAsync", "", "fault fault fault", 1, "-1 | inner 3" },
        { "MarkedCacheAsync", "", "ok marked marked marked", 2, "101, 101 | inner 4" },
        { "MarkedCacheAsync", "", "marked marked marked", 1, "503 | inner 3" },
        { "FullAsync", "", "ok", 1, "101 | inner 1" },
        { "FullAsync", "", "fault ok", 1, "102 | inner 2" },
        { "FullAsync", "", "ok slow", 2, "101, 101 | inner 2" },
        { "FullAsync", "", "ok ok ok", 3, "101, 102, 102 | inner 2" },
        { "FullAsync", "", "marked marked marked", 1, "-1 | inner 3" },
        { "FullAsync", "", "fatal", 1, "-1 | inner 1" },
        { "FullAsync", "occupied", "ok", 1, "-1 | inner 0" },
        { "FullAsync", "open", "ok", 1, "-1 | inner 0" },
        // The caller's cancellation stops the call in the rate limit, before the inner service; no fallback answers it.
        { "AttemptTimeoutAsync", "", "slow ok", 1, "102 | inner 2" },
        { "AttemptTimeoutAsync", "", "hang hang hang", 1, "ResilienceTimeoutException | inner 3" },
        { "AttemptTimeoutAsync", "", "later", 1, "101 | inner 1" },
        { "HedgeAsync", "", "ok", 1, "101 | inner 1" },
        // Only rows without a race: a started race ends on the thread pool, which this driver's fake-clock steps do not
        // wait for (races are covered by HedgeTests).
        { "HedgeAsync", "open", "ok", 1, "BrokenCircuitException | inner 0" },
        { "RetryBreakerTaskAsync", "", "fault ok", 1, "102 | inner 2" },
        { "RetryBreakerTaskAsync", "", "later laterfault fault fault", 2, "101, TransientException: transient #4 | inner 4" },
        { "RetryBreakerTaskAsync", "", "fatal", 1, "FatalException: fatal #1 | inner 1" },
        { "RetryBreakerTaskAsync", "", "cancel", 1, "TaskCanceledException: A task was canceled. | inner 1" },
        { "RetryBreakerTaskAsync", "open", "ok", 1, "BrokenCircuitException | inner 0" },
        { "FullTaskAsync", "", "ok slow", 2, "101, 101 | inner 2" },
        { "FullTaskAsync", "", "marked marked marked", 1, "-1 | inner 3" },
        { "FullTaskAsync", "occupied", "ok", 1, "-1 | inner 0" },
        { "FullTaskAsync", "cancelled", "slow", 1, "TaskCanceledException: A task was canceled. | inner 0" },
        { "FullAsync", "cancelled", "slow", 1, "TaskCanceledException: A task was canceled. | inner 0" },
    };

    [Theory]
    [MemberData(nameof(Rows))]
    public async Task Generated_decorator_and_ResilientCall_behave_the_same(string stack, string setup, string script, int calls, string expected)
    {
        Observed generated = await RunAsync(stack, setup, script, calls, viaGenerated: true);
        Observed composed = await RunAsync(stack, setup, script, calls, viaGenerated: false);

        _output.WriteLine($"generated: {generated}\ncomposed:  {composed}");
        Assert.Equal(expected, generated.Summary);
        Assert.Equal(generated.Summary, composed.Summary);
        Assert.Equal(generated.Details, composed.Details);
    }

    internal static string Describe(Exception error) => error switch
    {
        // Their messages name the instance and times; the type is what a caller acts on.
        ResilienceRejectedException or ResilienceTimeoutException => error.GetType().Name,
        HandledResultException => $"HandledResultException: {error.Message}",
        _ => $"{error.GetType().Name}: {error.Message}",
    };

    private static RateLimitOptions Limit(int permits)
        => new() { PermitLimit = permits, Window = TimeSpan.FromSeconds(1), Algorithm = RateLimitAlgorithm.FixedWindow };

    private static async Task<Observed> RunAsync(string stack, string setup, string script, int calls, bool viaGenerated)
    {
        using var kit = new ResilienceTestKit();
        using var caller = new CancellationTokenSource();
        string name = Prefix + stack;
        var inner = new ScriptedParity(script, kit.Time);
        var (generated, build) = Stacks[stack];
        Func<CancellationToken, ValueTask<int>> invoke;
        if (viaGenerated)
        {
            var proxy = new ParityResilient(inner, kit.Registry);
            invoke = ct => generated(proxy, ct);
        }
        else
        {
            ResilientCall<int> call = build(ResilientCall.For<int>(kit.Registry).WithName(name), name, inner).Build();
            invoke = ct => call.ExecuteAsync(static (s, ct) => s.Generated(s.Inner, ct), (Inner: (IParity)inner, Generated: generated), ct);
        }

        switch (setup)
        {
            case "open":
                kit.SetBreakerState(name, CircuitState.Open);
                break;
            case "halfopen":
                kit.SetBreakerState(name, CircuitState.HalfOpen);
                break;
            case "isolated":
                kit.SetBreakerState(name, CircuitState.Isolated);
                break;
            case "occupied":
                Assert.True(kit.Registry.TryGetBulkhead(name, out Bulkhead? bulkhead) && bulkhead.TryEnter());
                break;
            case "cancelled":
                await caller.CancelAsync();
                break;
            case "":
                break;
            default:
                throw new ArgumentException($"Unknown setup '{setup}'.", nameof(setup));
        }

        DateTimeOffset start = kit.Time.GetUtcNow();
        var results = new List<string>();
        for (int i = 0; i < calls; i++)
        {
            results.Add(await CallAsync(kit, invoke, caller.Token));
        }

        string breaker = kit.Registry.TryGetCircuitBreaker(name, out CircuitBreaker? b) ? b.State.ToString() : "none";
        InstanceRecord r = kit.Recorder[name];
        string telemetry = $"calls {r.Calls} (ok {r.Succeeded}, failed {r.Failed}, rejected {r.RejectedCalls}, fallback {r.FellBack}), "
            + $"retries {r.Retries}, rejections {r.Rejections}, timeouts {r.Timeouts}, transitions [{string.Join("; ", r.Transitions)}]";
        return new Observed(
            $"{string.Join(", ", results)} | inner {inner.Calls}",
            $"fallback got [{string.Join("; ", inner.Recovered)}], breaker {breaker}, "
            + $"took {(kit.Time.GetUtcNow() - start).TotalMilliseconds} ms, {telemetry}");
    }

    // Makes one call and advances the fake clock in 10 ms steps until it ends (at most 10 s of fake time).
    private static async Task<string> CallAsync(ResilienceTestKit kit, Func<CancellationToken, ValueTask<int>> invoke, CancellationToken token)
    {
        Task<int> task;
        try
        {
            task = invoke(token).AsTask();
        }
        catch (Exception ex)
        {
            return "synchronous " + Describe(ex);
        }

        for (int step = 0; !task.IsCompleted && step < 1_000; step++)
        {
            kit.Advance(TimeSpan.FromMilliseconds(10));
        }

        if (!task.IsCompleted)
        {
            return "pending";
        }

        try
        {
            return (await task).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (Exception ex)
        {
            return Describe(ex);
        }
    }

    private sealed record Observed(string Summary, string Details);
}
