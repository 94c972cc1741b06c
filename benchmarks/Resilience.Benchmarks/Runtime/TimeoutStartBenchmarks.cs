using BenchmarkDotNet.Attributes;
using Polly;
using Resilience.Benchmarks.Services;

namespace Resilience.Benchmarks.Runtime;

/// <summary>
/// The start and end of one timeout, alone, beside the parts any timeout that can cancel a running call must pay
/// (a clock read, a token source made ready to cancel and made reusable again, a link to the caller's token) and
/// beside Polly v8's timeout strategy. The caller's token can be cancelled, as in a web request.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(RuntimeBenchmarkConfig))]
public class TimeoutStartBenchmarks
{
    private static readonly TimeSpan Limit = TimeSpan.FromMilliseconds(Settings.TimeoutMs);

    private readonly CancellationTokenSource _caller = new();
    private readonly CancellationTokenSource _pooled = new();
    private readonly CancellationTokenSource _bare = new();
    private readonly TimeProvider _system = TimeProvider.System; // a field of the base type: the call stays virtual
    private CancellationToken _token;
    private TimeoutStrategy _strategy = null!;
    private ResiliencePipeline<int> _polly = ResiliencePipeline<int>.Empty;
    private long _word;

    /// <summary>Creates the strategy and the Polly pipeline.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _token = _caller.Token;
        _strategy = new TimeoutStrategy("start", Limit);
        _polly = new ResiliencePipelineBuilder<int>().AddTimeout(Limit).Build();
    }

    /// <summary>Disposes the token sources.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        _caller.Dispose();
        _pooled.Dispose();
        _bare.Dispose();
    }

    /// <summary><see cref="TimeoutStrategy.Start"/> and <see cref="TimeoutScope.Dispose"/> with a cancelable caller token.</summary>
    [Benchmark]
    public bool Strategy()
    {
        using TimeoutScope scope = _strategy.Start(_token);
        return scope.Token.CanBeCanceled;
    }

    /// <summary>The same with <see cref="CancellationToken.None"/> as the caller's token.</summary>
    [Benchmark]
    public bool StrategyNoCallerToken()
    {
        using TimeoutScope scope = _strategy.Start(CancellationToken.None);
        return scope.Token.CanBeCanceled;
    }

    /// <summary>
    /// The BCL's own reusable timeout on one source: <see cref="CancellationTokenSource.CancelAfter(TimeSpan)"/>, a link
    /// to the caller's token, then the link removed and <see cref="CancellationTokenSource.TryReset"/>.
    /// </summary>
    [Benchmark(Baseline = true)]
    public bool CancelAfterLinkedTryReset()
    {
        _pooled.CancelAfter(Limit);
        CancellationTokenRegistration link = _token.UnsafeRegister(static s => ((CancellationTokenSource)s!).Cancel(), _pooled);
        link.Dispose();
        return _pooled.TryReset();
    }

    /// <summary><see cref="CancellationTokenSource.CancelAfter(TimeSpan)"/> then <see cref="CancellationTokenSource.TryReset"/>, no caller token.</summary>
    [Benchmark]
    public bool CancelAfterTryReset()
    {
        _pooled.CancelAfter(Limit);
        return _pooled.TryReset();
    }

    /// <summary>A link to the caller's token, and its removal.</summary>
    [Benchmark]
    public bool LinkCallerToken()
    {
        CancellationTokenRegistration link = _token.UnsafeRegister(static s => ((CancellationTokenSource)s!).Cancel(), _pooled);
        return link.Unregister();
    }

    /// <summary>
    /// Only what any timeout that can cancel a running call on time must do, in one call: read the exact clock, link a
    /// ready token source to the caller's token, remove the link and make the source reusable. No pool, no use state,
    /// no timer: the floor under <see cref="Strategy"/>.
    /// </summary>
    [Benchmark]
    public long Floor()
    {
        long now = System.Diagnostics.Stopwatch.GetTimestamp();
        CancellationTokenRegistration link = _token.UnsafeRegister(static s => ((CancellationTokenSource)s!).Cancel(), _bare);
        link.Dispose();
        return _bare.TryReset() ? now : 0;
    }

    /// <summary><see cref="CancellationTokenSource.TryReset"/> of a source without a timer.</summary>
    [Benchmark]
    public bool TryResetAlone() => _bare.TryReset();

    /// <summary><see cref="TimeProvider.GetTimestamp"/> of <see cref="TimeProvider.System"/>, called virtually.</summary>
    [Benchmark]
    public long SystemProviderTimestamp() => _system.GetTimestamp();

    /// <summary><see cref="System.Diagnostics.Stopwatch.GetTimestamp"/>.</summary>
    [Benchmark]
    public long StopwatchTimestamp() => System.Diagnostics.Stopwatch.GetTimestamp();

    /// <summary><see cref="Environment.TickCount64"/> (milliseconds).</summary>
    [Benchmark]
    public long TickCount64() => Environment.TickCount64;

    /// <summary>One <see cref="Interlocked.Exchange(ref long, long)"/> and one compare-and-swap on an uncontended word.</summary>
    [Benchmark]
    public long ExchangeAndCompareExchange()
    {
        long armed = _word + 1;
        Interlocked.Exchange(ref _word, armed);
        return Interlocked.CompareExchange(ref _word, armed + 1, armed);
    }

    /// <summary>
    /// <see cref="Interlocked.MemoryBarrierProcessWide"/>: what a timeout's timer callback pays per wake-up (twice when
    /// it expires a use) so that starting and ending a use need no interlocked instruction.
    /// </summary>
    [Benchmark]
    public void ProcessWideBarrier() => Interlocked.MemoryBarrierProcessWide();

    /// <summary>Polly v8's timeout strategy alone around a callback that completes at once.</summary>
    [Benchmark]
    public ValueTask<int> PollyV8() => _polly.ExecuteAsync(static (state, ct) => new ValueTask<int>(state), 42, _token);
}
