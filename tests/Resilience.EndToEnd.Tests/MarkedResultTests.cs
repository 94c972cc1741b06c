using Resilience.EndToEnd.Tests.Infrastructure;

namespace Resilience.EndToEnd.Tests;

public interface IMarkedApi
{
    [Retry(MaxRetries = 1, DelayMs = 10, Backoff = BackoffType.Constant, Jitter = 0, HandleResult = nameof(IsServerError))]
    [Fallback(nameof(Answer))]
    Task<int> GetAsync(CancellationToken cancellationToken);

    [Retry(MaxRetries = 1, DelayMs = 10, Backoff = BackoffType.Constant, Jitter = 0, HandleResult = nameof(IsServerError))]
    [Fallback(nameof(Answer))]
    ValueTask<int> GetValueAsync(CancellationToken cancellationToken);

    [CircuitBreaker(FailureThreshold = 100, HandleResult = nameof(IsServerError))]
    [Fallback(nameof(AnswerSync))]
    int GetSync();

    [Retry(MaxRetries = 1, DelayMs = 10, Backoff = BackoffType.Constant, Jitter = 0, HandleResult = nameof(IsServerError))]
    [CacheFallback(StaleTtlMs = 60_000)]
    [Fallback(nameof(Answer))]
    Task<int> CachedAsync(int id, CancellationToken cancellationToken);

    [Retry(MaxRetries = 1, DelayMs = 10, Backoff = BackoffType.Constant, Jitter = 0, HandleResult = nameof(IsServerError))]
    [CacheFallback(StaleTtlMs = 60_000, AnswerMarkedResults = false)]
    [Fallback(nameof(Answer), AnswerMarkedResults = false)]
    Task<int> OptedOutAsync(int id, CancellationToken cancellationToken);

    [Retry(MaxRetries = 1, DelayMs = 10, Backoff = BackoffType.Constant, Jitter = 0, HandleResult = nameof(IsServerError))]
    [Fallback(nameof(AnswerTimeouts))]
    Task<int> NarrowFallbackAsync(CancellationToken cancellationToken);

    Task<int> Answer(Exception error);

    Task<int> AnswerTimeouts(TimeoutException error);

    int AnswerSync(Exception error);

    static bool IsServerError(int status) => status >= 500;
}

/// <summary>Answers what <see cref="Script"/> says for the n-th call; the fallback answers -1 and records what it got.</summary>
public sealed class ScriptedMarkedApi : IMarkedApi
{
    public AttemptLog Log { get; } = new();

    public Func<int, int> Script { get; set; } = static _ => 503;

    public List<Exception> Answered { get; } = [];

    public Task<int> GetAsync(CancellationToken cancellationToken) => Task.FromResult(Script(Log.Record(cancellationToken)));

    public ValueTask<int> GetValueAsync(CancellationToken cancellationToken) => new(Script(Log.Record(cancellationToken)));

    public int GetSync() => Script(Log.Record());

    public Task<int> CachedAsync(int id, CancellationToken cancellationToken) => Task.FromResult(Script(Log.Record(cancellationToken)));

    public Task<int> OptedOutAsync(int id, CancellationToken cancellationToken) => Task.FromResult(Script(Log.Record(cancellationToken)));

    public Task<int> NarrowFallbackAsync(CancellationToken cancellationToken) => Task.FromResult(Script(Log.Record(cancellationToken)));

    public Task<int> Answer(Exception error)
    {
        Answered.Add(error);
        return Task.FromResult(-1);
    }

    public int AnswerSync(Exception error)
    {
        Answered.Add(error);
        return -1;
    }

    public Task<int> AnswerTimeouts(TimeoutException error)
    {
        Answered.Add(error);
        return Task.FromResult(-2);
    }
}

/// <summary>
/// A result that <c>HandleResult</c> marks as a failure and that survives the retries reaches the stale cache and the
/// fallback like a failure (as a <see cref="HandledResultException{TResult}"/> carrying it), in generated code and in
/// <see cref="ResilientCall{T}"/> alike; <c>AnswerMarkedResults = false</c> keeps the old behaviour.
/// </summary>
public sealed class MarkedResultTests : IDisposable
{
    private readonly Clock _clock = new();
    private readonly ScriptedMarkedApi _inner = new();
    private readonly MarkedApiResilient _proxy;

    public MarkedResultTests() => _proxy = new MarkedApiResilient(_inner, _clock.Registry);

    public void Dispose() => _clock.Dispose();

    [Fact]
    public async Task A_marked_result_that_survives_the_retries_reaches_the_fallback_with_the_result()
    {
        Task<int> call = _proxy.GetAsync(CancellationToken.None);
        await _clock.AdvanceToAttempt(10, _inner.Log, 2);

        Assert.Equal(-1, await Clock.Finish(call));
        var marked = Assert.IsType<HandledResultException<int>>(Assert.Single(_inner.Answered));
        Assert.Equal(503, marked.Result);
        Assert.Equal(503, ((HandledResultException)marked).Result);
    }

    [Fact]
    public async Task ValueTask_and_synchronous_methods_hand_a_marked_result_to_the_fallback_too()
    {
        Task<int> value = _proxy.GetValueAsync(CancellationToken.None).AsTask();
        await _clock.AdvanceToAttempt(10, _inner.Log, 2);
        Assert.Equal(-1, await Clock.Finish(value));

        Assert.Equal(-1, _proxy.GetSync()); // breaker-only HandleResult: no retries, the result is marked at once
        Assert.Equal(2, _inner.Answered.Count);
        Assert.All(_inner.Answered, e => Assert.Equal(503, Assert.IsType<HandledResultException<int>>(e).Result));
    }

    [Fact]
    public async Task A_marked_result_is_answered_by_a_stale_cached_result_first()
    {
        _inner.Script = static n => n == 1 ? 200 : 503;
        Assert.Equal(200, await Clock.Finish(_proxy.CachedAsync(7, CancellationToken.None)));

        Task<int> call = _proxy.CachedAsync(7, CancellationToken.None);
        await _clock.AdvanceToAttempt(10, _inner.Log, 3);

        Assert.Equal(200, await Clock.Finish(call)); // the stale 200, not the 503 and not the fallback
        Assert.Empty(_inner.Answered);
    }

    [Fact]
    public async Task Without_a_stale_entry_the_marked_result_goes_on_to_the_fallback()
    {
        Task<int> call = _proxy.CachedAsync(8, CancellationToken.None);
        await _clock.AdvanceToAttempt(10, _inner.Log, 2);

        Assert.Equal(-1, await Clock.Finish(call));
        Assert.IsType<HandledResultException<int>>(Assert.Single(_inner.Answered));
    }

    [Fact]
    public async Task AnswerMarkedResults_false_returns_the_marked_result_as_it_is()
    {
        _inner.Script = static n => n == 1 ? 200 : 503;
        Assert.Equal(200, await Clock.Finish(_proxy.OptedOutAsync(7, CancellationToken.None)));

        Task<int> call = _proxy.OptedOutAsync(7, CancellationToken.None);
        await _clock.AdvanceToAttempt(10, _inner.Log, 3);

        Assert.Equal(503, await Clock.Finish(call));
        Assert.Empty(_inner.Answered);
    }

    [Fact]
    public async Task A_fallback_for_another_exception_type_leaves_the_marked_result_to_the_caller()
    {
        Task<int> call = _proxy.NarrowFallbackAsync(CancellationToken.None);
        await _clock.AdvanceToAttempt(10, _inner.Log, 2);

        Assert.Equal(503, await Clock.Finish(call));
        Assert.Empty(_inner.Answered);
    }

    [Fact]
    public async Task ResilientCall_agrees_with_the_generated_code()
    {
        var answered = new List<Exception>();
        ResilientCall<int> fallback = ResilientCall.For<int>(_clock.Registry)
            .WithHandleResult(static status => status >= 500)
            .WithRetry(new RetryOptions { MaxRetries = 1, Delay = TimeSpan.Zero, Jitter = 0 })
            .WithFallback((error, _) => { answered.Add(error); return new ValueTask<int>(-1); })
            .Build();
        ResilientCall<int> cached = ResilientCall.For<int>(_clock.Registry)
            .WithHandleResult(static status => status >= 500)
            .WithCacheFallback("marked.cached", new CacheFallbackOptions { StaleTtl = TimeSpan.FromMinutes(1) })
            .Build();
        ResilientCall<int> optedOut = ResilientCall.For<int>(_clock.Registry)
            .WithHandleResult(static status => status >= 500)
            .WithFallback((error, _) => { answered.Add(error); return new ValueTask<int>(-1); }, answerMarkedResults: false)
            .Build();

        Assert.Equal(-1, await fallback.ExecuteAsync(static _ => new ValueTask<int>(503)));
        Assert.Equal(503, Assert.IsType<HandledResultException<int>>(Assert.Single(answered)).Result);

        Assert.Equal(200, await cached.ExecuteAsync(static _ => new ValueTask<int>(200)));
        Assert.Equal(200, await cached.ExecuteAsync(static _ => new ValueTask<int>(503))); // stale answer
        Assert.Equal(503, await optedOut.ExecuteAsync(static _ => new ValueTask<int>(503)));
        Assert.Single(answered);
    }
}
