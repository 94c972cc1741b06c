namespace Resilience;

/// <summary>A composed resilient call from <see cref="ResilientCall.For{T}"/>. Thread-safe; build once, execute many times.</summary>
/// <remarks>
/// <para>
/// The strategies run in the documented order, outermost first: Fallback → CacheFallback → RateLimit → Bulkhead →
/// Timeout → Hedge → CircuitBreaker → Retry (→ attempt timeout) → action, exactly as generated code composes them:
/// </para>
/// <list type="bullet">
/// <item>a fresh cached result is returned without calling; a success is cached; a failure is answered by a stale
/// cached result, else by the fallback (rejections included); a result marked as a failure by
/// <see cref="ResilientCallBuilder{T}.WithHandleResult"/> that survives the retries is offered to both as a
/// <see cref="HandledResultException{TResult}"/> and, when neither answers it, returned as it is;</item>
/// <item>under a timeout the caller's wait ends at the deadline even when the action ignores its token: the action
/// is abandoned (it keeps its cancelled token, and its eventual failure is observed and dropped);</item>
/// <item>rate-limit, bulkhead and open-circuit rejections never reach the breaker;</item>
/// <item>the timeout bounds the breaker and the whole retry sequence, delays included, and cancels the token the
/// action receives; it surfaces as <see cref="ResilienceTimeoutException"/>;</item>
/// <item>the breaker records one outcome per retry sequence, and an open breaker stops the retries at once;</item>
/// <item>with <see cref="ResilientCallBuilder{T}.WithHedge"/>, each hedged attempt is its own breaker + retry sequence
/// (see docs/hedging.md), the first successful answer wins and the other attempts are cancelled and observed;</item>
/// <item>telemetry as for a generated method: a call span (named after <see cref="ResilientCallBuilder{T}.WithName"/>)
/// with a child span per attempt, <c>resilience.calls</c>, <c>resilience.call.duration</c> and
/// <c>resilience.retry.attempts</c> tagged <c>resilience.operation</c>, and the registry's events;</item>
/// <item>the caller's own cancellation is never retried, never counted by the breaker, never answered from the cache
/// or by the fallback: it propagates as <see cref="OperationCanceledException"/>.</item>
/// </list>
/// </remarks>
/// <typeparam name="T">The result type.</typeparam>
public sealed class ResilientCall<T>
{
    private readonly CallTelemetry _telemetry;
    private readonly Func<Exception, CancellationToken, ValueTask<T>>? _fallback;
    private readonly CacheFallbackStrategy? _cache;
    private readonly string _cacheKey;
    private readonly RateLimitStrategy? _rateLimit;
    private readonly Bulkhead? _bulkhead;
    private readonly TimeoutStrategy? _timeout;
    private readonly CircuitBreaker? _breaker;
    private readonly RetryStrategy? _retry;
    private readonly TimeoutStrategy? _attemptTimeout;
    private readonly Func<T, bool>? _isFailure;
    private readonly bool _fallbackAnswersMarkedResults;
    private readonly bool _cacheAnswersMarkedResults;
    private readonly HedgeStrategy? _hedge;

    // Whether the rate limit's clock reading can serve the timeout: both count on the same clock (instances handed to a
    // builder may not).
    private readonly bool _sharesClock;

    internal ResilientCall(
        CallTelemetry telemetry,
        Func<Exception, CancellationToken, ValueTask<T>>? fallback,
        CacheFallbackStrategy? cache,
        string? cacheKey,
        RateLimitStrategy? rateLimit,
        Bulkhead? bulkhead,
        TimeoutStrategy? timeout,
        CircuitBreaker? breaker,
        RetryStrategy? retry,
        Func<T, bool>? isFailure,
        bool fallbackAnswersMarkedResults = true,
        bool cacheAnswersMarkedResults = true,
        HedgeStrategy? hedge = null)
    {
        _telemetry = telemetry;
        _fallback = fallback;
        _cache = cache;
        _cacheKey = cacheKey ?? string.Empty;
        _rateLimit = rateLimit;
        _bulkhead = bulkhead;
        _timeout = timeout;
        _breaker = breaker;
        _retry = retry;
        _attemptTimeout = retry?.AttemptTimeout;
        _isFailure = isFailure;
        _fallbackAnswersMarkedResults = fallbackAnswersMarkedResults;
        _cacheAnswersMarkedResults = cacheAnswersMarkedResults;
        _hedge = hedge;
        _sharesClock = rateLimit is not null && timeout is not null && ReferenceEquals(rateLimit.TimeProvider, timeout.TimeProvider);
    }

    /// <summary>Runs <paramref name="action"/> through the strategies.</summary>
    /// <param name="action">The call; it receives the token to honour (linked to the timeout, if any).</param>
    /// <param name="cancellationToken">The caller's token.</param>
    public ValueTask<T> ExecuteAsync(Func<CancellationToken, ValueTask<T>> action, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(action);
        return ExecuteCoreAsync(static (inner, token) => inner(token), action, cancellationToken, hedgedAttempt: 0);
    }

    /// <summary>Runs <paramref name="action"/> with <paramref name="state"/> through the strategies, without a closure.</summary>
    /// <typeparam name="TState">The state type.</typeparam>
    /// <param name="action">The call; it receives the state and the token to honour.</param>
    /// <param name="state">Passed to <paramref name="action"/>.</param>
    /// <param name="cancellationToken">The caller's token.</param>
    public ValueTask<T> ExecuteAsync<TState>(Func<TState, CancellationToken, ValueTask<T>> action, TState state, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(action);
        return ExecuteCoreAsync(action, state, cancellationToken, hedgedAttempt: 0);
    }

    // One state machine for the whole composition, with each strategy inlined and skipped when absent, the way the
    // generator emits it. Nested try blocks, outermost first, follow the documented order.
    // A hedged attempt (hedgedAttempt > 0, started by HedgeAsync) runs the same code with only CircuitBreaker → Retry
    // (→ attempt timeout) → action, on the attempt's token (callerToken) and in a hedged-attempt scope; a result marked
    // as a failure that survives its retries is thrown as a HandledResultException, so that it does not win the race.
    private async ValueTask<T> ExecuteCoreAsync<TState>(
        Func<TState, CancellationToken, ValueTask<T>> action, TState state, CancellationToken callerToken, int hedgedAttempt)
    {
        bool whole = hedgedAttempt == 0;
        CacheFallbackStrategy? cache = whole ? _cache : null;
        Func<Exception, CancellationToken, ValueTask<T>>? fallback = whole ? _fallback : null;
        bool markedResultFailed = false;
        var call = whole ? _telemetry.Start() : _telemetry.StartHedgedAttempt(hedgedAttempt);
        try
        {
            try
            {
                // CacheFallback: a fresh hit answers without calling.
                if (cache is not null && cache.TryGetFresh(_cacheKey, out T fresh))
                {
                    return fresh;
                }

                // RateLimit and Bulkhead: rejections throw before the breaker is asked. The clock reading the permit was
                // taken at serves the timeout too, unless the call waited or they count on different clocks (as the
                // generated code does, whose instances all count on their registry's clock).
                long admittedAt = TimeoutStrategy.NoTimestamp;
                if (whole && _rateLimit is not null)
                {
                    await RateLimitStrategy.ThrowRejection(_rateLimit.AdmitAsync(callerToken, out admittedAt)).ConfigureAwait(false);
                }

                Bulkhead? bulkhead = whole ? _bulkhead : null;
                if (bulkhead is not null)
                {
                    ValueTask entered = bulkhead.EnterAsync(callerToken);
                    if (entered.IsCompletedSuccessfully)
                    {
                        entered.GetAwaiter().GetResult();
                    }
                    else
                    {
                        admittedAt = TimeoutStrategy.NoTimestamp; // waited for its slot (a worker pool always does)
                        await entered.ConfigureAwait(false);
                    }
                }

                T result;
                bool failed;
                try
                {
                    // Timeout: bounds the breaker and the whole retry sequence.
                    TimeoutStrategy? timeout = whole ? _timeout : null;
                    TimeoutScope timeoutScope = timeout is null ? default : timeout.Start(callerToken, _sharesClock ? admittedAt : TimeoutStrategy.NoTimestamp);
                    try
                    {
                        CancellationToken sequenceToken = timeout is null ? callerToken : timeoutScope.Token;

                        // The wait for the action ends at the deadline, or when a hedged attempt loses, even if it ignores its token.
                        CancellationToken waitToken = timeout is null && whole ? default : sequenceToken;
                        if (whole && _hedge is not null)
                        {
                            (result, failed) = await HedgeAsync(action, state, sequenceToken).ConfigureAwait(false);
                        }
                        else
                        {
                            // CircuitBreaker: one lease, one recorded outcome per retry sequence.
                            CircuitBreaker? breaker = _breaker;
                            CircuitBreakerLease lease = breaker is null ? default : breaker.Acquire();
                            try
                            {
                                // Retry (→ attempt timeout) → action.
                                RetryStrategy? retry = _retry;
                                TimeoutStrategy? attemptTimeout = _attemptTimeout;
                                retry?.RecordCall();
                                for (int attempt = 1; ; attempt++)
                                {
                                    call.StartAttempt(attempt);
                                    try
                                    {
                                        if (attemptTimeout is null)
                                        {
                                            // Under a timeout the wait ends at the deadline even if the action ignores its token.
                                            // Chaos (configuration only): one check when off; see docs/chaos.md.
                                            result = call.HasChaos && await call.InjectChaosAsync(sequenceToken).ConfigureAwait(false)
                                                ? call.ChaosResult<T>()
                                                : await GeneratedCodeHelpers.WaitAsync(action(state, sequenceToken), waitToken).ConfigureAwait(false);
                                        }
                                        else
                                        {
                                            TimeoutScope attemptScope = attemptTimeout.Start(sequenceToken);
                                            try
                                            {
                                                result = call.HasChaos && await call.InjectChaosAsync(attemptScope.Token).ConfigureAwait(false)
                                                    ? call.ChaosResult<T>()
                                                    : await GeneratedCodeHelpers.WaitAsync(action(state, attemptScope.Token), attemptScope.Token).ConfigureAwait(false);
                                            }
                                            catch (OperationCanceledException ex) when (attemptScope.IsExpired)
                                            {
                                                throw attemptTimeout.CreateException(ex);
                                            }
                                            finally
                                            {
                                                attemptScope.Dispose();
                                            }
                                        }
                                    }
                                    catch (Exception ex) when (retry is not null
                                        && !(breaker is not null && lease.IsCircuitOpen)
                                        && retry.ShouldRetry(ex, attempt, sequenceToken))
                                    {
                                        await call.RetryDelayAsync(retry, attempt, ex, sequenceToken).ConfigureAwait(false);
                                        if (breaker is not null && lease.IsCircuitOpen)
                                        {
                                            // The breaker opened for other calls while this one waited: stop with the last failure.
                                            throw;
                                        }

                                        continue;
                                    }

                                    failed = _isFailure is not null && _isFailure(result);
                                    if (failed
                                        && retry is not null
                                        && !(breaker is not null && lease.IsCircuitOpen)
                                        && retry.ShouldRetryResult(attempt, sequenceToken))
                                    {
                                        await call.RetryResultDelayAsync(retry, attempt, result, sequenceToken).ConfigureAwait(false);
                                        if (!(breaker is not null && lease.IsCircuitOpen))
                                        {
                                            continue;
                                        }

                                        // The breaker opened while this call waited: no more attempts, the last result stands.
                                    }

                                    break;
                                }

                                if (breaker is not null)
                                {
                                    if (failed)
                                    {
                                        lease.RecordFailure();
                                    }
                                    else
                                    {
                                        lease.RecordSuccess();
                                    }
                                }
                            }
                            catch (Exception ex) when (breaker is not null)
                            {
                                lease.RecordException(ex, callerToken);
                                throw;
                            }
                        }
                    }
                    catch (OperationCanceledException ex) when (timeout is not null && timeoutScope.IsExpired)
                    {
                        throw timeout.CreateException(ex);
                    }
                    finally
                    {
                        if (timeout is not null)
                        {
                            timeoutScope.Dispose();
                        }
                    }
                }
                finally
                {
                    bulkhead?.Release();
                }

                if (failed
                    && (!whole || (cache is not null && _cacheAnswersMarkedResults) || (fallback is not null && _fallbackAnswersMarkedResults)))
                {
                    // A result marked as a failure that survived the retries: offered to the stale cache and the fallback
                    // (or, from a hedged attempt, kept from winning the race).
                    markedResultFailed = true;
                    throw new HandledResultException<T>(result);
                }

                if (cache is not null && !failed)
                {
                    cache.Store(_cacheKey, result);
                }

                return result;
            }
            catch (Exception ex) when ((cache is not null || fallback is not null)
                && !ResilienceOutcome.IsCallerCancellation(ex, callerToken))
            {
                // CacheFallback answers with a stale result first, then Fallback.
                bool marked = markedResultFailed && ex is HandledResultException<T>;
                if (cache is not null && (!marked || _cacheAnswersMarkedResults) && cache.TryGetStale(_cacheKey, ex, callerToken, out T stale))
                {
                    return stale;
                }

                if (fallback is null || (marked && !_fallbackAnswersMarkedResults))
                {
                    if (marked)
                    {
                        // Nothing answered the marked result: the caller gets it as it is.
                        return ((HandledResultException<T>)ex).Result;
                    }

                    throw;
                }

                call.Fallback(ex);
                return await fallback(ex, callerToken).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (call.Failed(ex))
        {
            throw;
        }
        finally
        {
            call.Dispose();
        }
    }

    /// <summary>Timeout → <b>Hedge</b>: the race of hedged attempts; a result marked as a failure comes back with <c>true</c>.</summary>
    private async ValueTask<(T Result, bool Failed)> HedgeAsync<TState>(
        Func<TState, CancellationToken, ValueTask<T>> action, TState state, CancellationToken sequenceToken)
    {
        HedgeScope scope = _hedge!.Start(sequenceToken);
        try
        {
            ValueTask<T> first = ExecuteCoreAsync(action, state, scope.Token, hedgedAttempt: 1);
            if (first.IsCompletedSuccessfully)
            {
                return (first.Result, false);
            }

            HedgeRace race = scope.Race(first);
            while (await race.NextAsync().ConfigureAwait(false))
            {
                race.Add(ExecuteCoreAsync(action, state, scope.Token, race.Started + 1));
            }

            if (race.Error is HandledResultException<T> marked)
            {
                return (marked.Result, true); // no attempt did better than a marked result: it stands, as without hedging
            }

            if (race.Error is { } error)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(error);
            }

            return (race.GetResult<T>(), false);
        }
        finally
        {
            scope.Dispose();
        }
    }
}
