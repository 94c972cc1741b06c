namespace Resilience;

/// <summary>Collects the strategies of a <see cref="ResilientCall{T}"/>. Each strategy may be added once.</summary>
/// <remarks>
/// A named breaker, retry, rate limit, bulkhead or timeout is taken from the registry (<c>GetOrAdd…</c>) in
/// <see cref="Build"/>, so it is shared with generated classes and other calls of that name; an unnamed one is
/// private to the built call (a new one per <see cref="Build"/>), named after the call (<see cref="WithName"/>,
/// default <c>ResilientCall&lt;T&gt;</c>), on the registry's clock, reporting to the registry's telemetry. A cache fallback keeps its results in the registry's <see cref="ResilienceRegistry.CacheStore"/>.
/// An existing instance (<see cref="WithCircuitBreaker(CircuitBreaker)"/>, <see cref="WithBulkhead(Bulkhead)"/>,
/// <see cref="WithRateLimit(RateLimitStrategy)"/>, <see cref="WithRetry(RetryStrategy)"/>,
/// <see cref="WithTimeout(TimeoutStrategy)"/>) is used as it is, shared with whatever else uses it, on its own clock
/// and settings; one that no registry created reports to this builder's registry's telemetry from <see cref="Build"/> on.
/// </remarks>
/// <typeparam name="T">The result type.</typeparam>
public sealed class ResilientCallBuilder<T>
{
    private readonly ResilienceRegistry _registry;
    private bool _hasRetry;
    private RetryStrategy? _retryInstance;
    private CircuitBreaker? _breakerInstance;
    private RateLimitStrategy? _rateLimitInstance;
    private Bulkhead? _bulkheadInstance;
    private TimeoutStrategy? _timeoutInstance;
    private RetryOptions? _retryOptions;
    private string? _retryName;
    private bool _hasBreaker;
    private CircuitBreakerOptions? _breakerOptions;
    private string? _breakerName;
    private bool _hasRateLimit;
    private RateLimitOptions? _rateLimitOptions;
    private string? _rateLimitName;
    private bool _hasBulkhead;
    private BulkheadOptions? _bulkheadOptions;
    private string? _bulkheadName;
    private bool _hasTimeout;
    private TimeSpan _timeout;
    private string? _timeoutName;
    private Func<Exception, CancellationToken, ValueTask<T>>? _fallback;
    private string? _cacheKey;
    private CacheFallbackOptions? _cacheOptions;
    private Func<T, bool>? _isFailure;
    private bool _fallbackAnswersMarkedResults = true;
    private bool _cacheAnswersMarkedResults = true;
    private string? _name;
    private HedgeOptions? _hedgeOptions;
    private string? _hedgeName;

    internal ResilientCallBuilder(ResilienceRegistry registry) => _registry = registry;

    private static string DefaultName => $"ResilientCall<{typeof(T).Name}>";

    private string PrivateName => _name ?? DefaultName;

    /// <summary>Whether <see cref="WithHandleResult"/> was called (Resilience.Http adds its HTTP predicate when not).</summary>
    internal bool HasHandleResult => _isFailure is not null;

    /// <summary>Whether <see cref="WithName"/> was called.</summary>
    internal bool HasName => _name is not null;

    /// <summary>
    /// Names the call for telemetry: the call span's name and the <c>resilience.operation</c> tag of its metrics, and the
    /// name of its private (unnamed) strategies. Default: <c>ResilientCall&lt;{T}&gt;</c>, e.g. <c>ResilientCall&lt;String&gt;</c>.
    /// </summary>
    /// <param name="name">A low-cardinality name of the operation, e.g. <c>"payments.charge"</c> (never an id or a URL with ids).</param>
    /// <exception cref="InvalidOperationException">A name was already given.</exception>
    public ResilientCallBuilder<T> WithName(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        EnsureFirst(_name is not null, nameof(WithName));
        _name = name;
        return this;
    }

    /// <summary>Adds retries.</summary>
    /// <param name="options">The settings.</param>
    /// <param name="name">An instance name; <see langword="null"/> for a private instance.</param>
    /// <exception cref="InvalidOperationException">Retries were already added.</exception>
    public ResilientCallBuilder<T> WithRetry(RetryOptions options, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        EnsureFirst(_hasRetry, nameof(WithRetry));
        _hasRetry = true;
        _retryOptions = options;
        _retryName = name;
        return this;
    }

    /// <summary>Adds an existing retry strategy (for example one from <see cref="ResilienceRegistry.GetOrAddRetry"/>).</summary>
    /// <param name="retry">The instance, used as it is.</param>
    /// <exception cref="InvalidOperationException">Retries were already added.</exception>
    public ResilientCallBuilder<T> WithRetry(RetryStrategy retry)
    {
        ArgumentNullException.ThrowIfNull(retry);
        EnsureFirst(_hasRetry, nameof(WithRetry));
        _hasRetry = true;
        _retryInstance = retry;
        return this;
    }

    /// <summary>
    /// Adds an existing circuit breaker: every call of this <see cref="ResilientCall{T}"/> is recorded by it, together
    /// with everything else that uses it (generated classes, other calls, code calling it directly).
    /// </summary>
    /// <param name="breaker">The instance, used as it is (its own settings and clock).</param>
    /// <exception cref="InvalidOperationException">A circuit breaker was already added.</exception>
    public ResilientCallBuilder<T> WithCircuitBreaker(CircuitBreaker breaker)
    {
        ArgumentNullException.ThrowIfNull(breaker);
        EnsureFirst(_hasBreaker, nameof(WithCircuitBreaker));
        _hasBreaker = true;
        _breakerInstance = breaker;
        return this;
    }

    /// <summary>Adds a circuit breaker. A named breaker is shared through the registry with generated classes and other calls.</summary>
    /// <param name="options">The settings.</param>
    /// <param name="name">An instance name; <see langword="null"/> for a private instance.</param>
    /// <exception cref="InvalidOperationException">A circuit breaker was already added.</exception>
    public ResilientCallBuilder<T> WithCircuitBreaker(CircuitBreakerOptions options, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        EnsureFirst(_hasBreaker, nameof(WithCircuitBreaker));
        _hasBreaker = true;
        _breakerOptions = options;
        _breakerName = name;
        return this;
    }

    /// <summary>Adds a rate limit.</summary>
    /// <param name="options">The settings.</param>
    /// <param name="name">An instance name; <see langword="null"/> for a private instance.</param>
    /// <exception cref="InvalidOperationException">A rate limit was already added.</exception>
    public ResilientCallBuilder<T> WithRateLimit(RateLimitOptions options, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        EnsureFirst(_hasRateLimit, nameof(WithRateLimit));
        _hasRateLimit = true;
        _rateLimitOptions = options;
        _rateLimitName = name;
        return this;
    }

    /// <summary>Adds an existing rate limit, whose permits this call shares with everything else that uses it.</summary>
    /// <param name="rateLimit">The instance, used as it is; this call does not dispose it.</param>
    /// <exception cref="InvalidOperationException">A rate limit was already added.</exception>
    public ResilientCallBuilder<T> WithRateLimit(RateLimitStrategy rateLimit)
    {
        ArgumentNullException.ThrowIfNull(rateLimit);
        EnsureFirst(_hasRateLimit, nameof(WithRateLimit));
        _hasRateLimit = true;
        _rateLimitInstance = rateLimit;
        return this;
    }

    /// <summary>Adds an existing bulkhead (semaphore or worker pool), whose slots this call shares with everything else that uses it.</summary>
    /// <param name="bulkhead">The instance, used as it is.</param>
    /// <exception cref="InvalidOperationException">A bulkhead was already added.</exception>
    public ResilientCallBuilder<T> WithBulkhead(Bulkhead bulkhead)
    {
        ArgumentNullException.ThrowIfNull(bulkhead);
        EnsureFirst(_hasBulkhead, nameof(WithBulkhead));
        _hasBulkhead = true;
        _bulkheadInstance = bulkhead;
        return this;
    }

    /// <summary>Adds a bulkhead.</summary>
    /// <param name="options">The settings.</param>
    /// <param name="name">An instance name; <see langword="null"/> for a private instance.</param>
    /// <exception cref="InvalidOperationException">A bulkhead was already added.</exception>
    public ResilientCallBuilder<T> WithBulkhead(BulkheadOptions options, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        EnsureFirst(_hasBulkhead, nameof(WithBulkhead));
        _hasBulkhead = true;
        _bulkheadOptions = options;
        _bulkheadName = name;
        return this;
    }

    /// <summary>Adds a timeout bounding everything inside it (breaker, retries and their delays).</summary>
    /// <param name="timeout">The limit.</param>
    /// <param name="name">An instance name; <see langword="null"/> for a private instance.</param>
    /// <exception cref="InvalidOperationException">A timeout was already added.</exception>
    public ResilientCallBuilder<T> WithTimeout(TimeSpan timeout, string? name = null)
    {
        EnsureFirst(_hasTimeout, nameof(WithTimeout));
        _hasTimeout = true;
        _timeout = timeout;
        _timeoutName = name;
        return this;
    }

    /// <summary>Adds an existing timeout, bounding everything inside it (breaker, retries and their delays).</summary>
    /// <param name="timeout">The instance, used as it is (its own limit and clock).</param>
    /// <exception cref="InvalidOperationException">A timeout was already added.</exception>
    public ResilientCallBuilder<T> WithTimeout(TimeoutStrategy timeout)
    {
        ArgumentNullException.ThrowIfNull(timeout);
        EnsureFirst(_hasTimeout, nameof(WithTimeout));
        _hasTimeout = true;
        _timeoutInstance = timeout;
        return this;
    }

    /// <summary>
    /// Adds a fallback that answers any failure (rejections included) except the caller's own cancellation, and a
    /// result marked as a failure by <see cref="WithHandleResult"/> that survives the retries (it receives a
    /// <see cref="HandledResultException{TResult}"/> carrying the result).
    /// </summary>
    /// <param name="fallback">Produces the answer from the failure; it receives the caller's token.</param>
    /// <exception cref="InvalidOperationException">A fallback was already added.</exception>
    public ResilientCallBuilder<T> WithFallback(Func<Exception, CancellationToken, ValueTask<T>> fallback)
        => WithFallback(fallback, answerMarkedResults: true);

    /// <summary>Adds a fallback, choosing whether it answers results marked as failures (see <see cref="WithFallback(Func{Exception, CancellationToken, ValueTask{T}})"/>).</summary>
    /// <param name="fallback">Produces the answer from the failure; it receives the caller's token.</param>
    /// <param name="answerMarkedResults">
    /// <see langword="false"/> to keep marked results away from the fallback: such a result is then returned as it is
    /// (unless the stale cache answers it), like <c>[Fallback(AnswerMarkedResults = false)]</c>.
    /// </param>
    /// <exception cref="InvalidOperationException">A fallback was already added.</exception>
    public ResilientCallBuilder<T> WithFallback(Func<Exception, CancellationToken, ValueTask<T>> fallback, bool answerMarkedResults)
    {
        ArgumentNullException.ThrowIfNull(fallback);
        EnsureFirst(_fallback is not null, nameof(WithFallback));
        _fallback = fallback;
        _fallbackAnswersMarkedResults = answerMarkedResults;
        return this;
    }

    /// <summary>Adds a cache fallback under <paramref name="key"/>: a fresh result is returned without calling, a stale one answers a failure.</summary>
    /// <param name="key">The cache key of this call.</param>
    /// <param name="options">The settings.</param>
    /// <exception cref="InvalidOperationException">A cache fallback was already added.</exception>
    public ResilientCallBuilder<T> WithCacheFallback(string key, CacheFallbackOptions options)
        => WithCacheFallback(key, options, answerMarkedResults: true);

    /// <summary>Adds a cache fallback, choosing whether a stale result answers a result marked as a failure (by default it does).</summary>
    /// <param name="key">The cache key of this call.</param>
    /// <param name="options">The settings.</param>
    /// <param name="answerMarkedResults">
    /// <see langword="false"/> to answer only real failures from the cache, like <c>[CacheFallback(AnswerMarkedResults = false)]</c>.
    /// </param>
    /// <exception cref="InvalidOperationException">A cache fallback was already added.</exception>
    public ResilientCallBuilder<T> WithCacheFallback(string key, CacheFallbackOptions options, bool answerMarkedResults)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(options);
        EnsureFirst(_cacheOptions is not null, nameof(WithCacheFallback));
        _cacheKey = key;
        _cacheOptions = options;
        _cacheAnswersMarkedResults = answerMarkedResults;
        return this;
    }

    /// <summary>
    /// Marks returned values as failures (for retry and breaker), for example HTTP 5xx responses. A failed result is
    /// retried while retries remain and never cached. One that survives the retries is offered, as a
    /// <see cref="HandledResultException{TResult}"/> carrying it, to the stale cache and then to the fallback (unless
    /// they were added with <c>answerMarkedResults: false</c>); when neither answers it, it is returned as it is.
    /// </summary>
    /// <param name="isFailure">Returns <see langword="true"/> for a failed result.</param>
    /// <exception cref="InvalidOperationException">A result predicate was already added.</exception>
    public ResilientCallBuilder<T> WithHandleResult(Func<T, bool> isFailure)
    {
        ArgumentNullException.ThrowIfNull(isFailure);
        EnsureFirst(_isFailure is not null, nameof(WithHandleResult));
        _isFailure = isFailure;
        return this;
    }

    /// <summary>
    /// Adds hedging (Timeout → <b>Hedge</b> → CircuitBreaker in the documented order): when an attempt has not answered
    /// within <see cref="HedgeOptions.Delay"/> (or failed, with <see cref="HedgeOptions.OnFailure"/>), another starts,
    /// up to <see cref="HedgeOptions.MaxHedges"/> more; the first successful answer wins and the others are cancelled
    /// through the token the action receives. Each attempt goes through the breaker and the retry. Only for idempotent
    /// actions. See docs/hedging.md.
    /// </summary>
    /// <param name="options">The settings; validated by <see cref="Build"/>.</param>
    /// <param name="name">A registry name to share the hedge's settings (and its configuration overrides); <see langword="null"/> for a private one.</param>
    public ResilientCallBuilder<T> WithHedge(HedgeOptions options, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        EnsureFirst(_hedgeOptions is not null, nameof(WithHedge));
        _hedgeOptions = options;
        _hedgeName = name;
        return this;
    }

    /// <summary>Creates the call. Options are validated here.</summary>
    /// <exception cref="ArgumentException">Some options are invalid.</exception>
    /// <exception cref="InvalidOperationException">A named instance exists in the registry with different settings.</exception>
    public ResilientCall<T> Build()
    {
        ResilienceRegistry registry = _registry;
        TimeProvider clock = registry.TimeProvider;

        string privateName = PrivateName;

        // Private instances report to the registry's telemetry like named ones (their resilience.instance is privateName):
        // it is given to their constructors.
        ResilienceTelemetry reportTo = registry.Telemetry;
        RetryStrategy? retry = _retryInstance is not null ? _retryInstance
            : _retryOptions is null ? null
            : _retryName is null ? registry.CreateRetry(privateName, _retryOptions) : registry.GetOrAddRetry(_retryName, _retryOptions);
        CircuitBreaker? breaker = _breakerInstance is not null ? _breakerInstance
            : _breakerOptions is null ? null
            : _breakerName is null ? new CircuitBreaker(privateName, _breakerOptions, clock, reportTo) : registry.GetOrAddCircuitBreaker(_breakerName, _breakerOptions);
        Bulkhead? bulkhead = _bulkheadInstance is not null ? _bulkheadInstance
            : _bulkheadOptions is null ? null
            : _bulkheadName is null ? new Bulkhead(privateName, _bulkheadOptions, clock, reportTo) : registry.GetOrAddBulkhead(_bulkheadName, _bulkheadOptions);
        TimeoutStrategy? timeout = _timeoutInstance is not null ? _timeoutInstance
            : !_hasTimeout ? null
            : _timeoutName is null ? new TimeoutStrategy(privateName, _timeout, clock, reportTo) : registry.GetOrAddTimeout(_timeoutName, _timeout);
        HedgeStrategy? hedge = _hedgeOptions is null ? null
            : _hedgeName is null ? new HedgeStrategy(privateName, _hedgeOptions, clock, reportTo) : registry.GetOrAddHedge(_hedgeName, _hedgeOptions);
        CacheFallbackStrategy? cache = _cacheOptions is null ? null
            : new CacheFallbackStrategy(privateName, _cacheOptions, registry.CacheStore, clock, reportTo);

        // Last, so that a private limiter (which holds a timer) is not left behind when other options are invalid.
        RateLimitStrategy? rateLimit = _rateLimitInstance is not null ? _rateLimitInstance
            : _rateLimitOptions is null ? null
            : _rateLimitName is null ? new RateLimitStrategy(privateName, _rateLimitOptions, clock, reportTo) : registry.GetOrAddRateLimit(_rateLimitName, _rateLimitOptions);

        // After everything that may throw, so that a failed Build neither uses up a state that Resilience.Testing set
        // for the name nor adopts the instances it was handed.
        if (breaker is not null && _breakerName is null && _breakerInstance is null)
        {
            registry.WithInitialState(breaker);
        }

        registry.AdoptHandMade(_breakerInstance, _bulkheadInstance, _rateLimitInstance, _timeoutInstance);

        string[] names = new[]
        {
            _rateLimitName ?? _rateLimitInstance?.Name, _bulkheadName ?? _bulkheadInstance?.Name, _timeoutName ?? _timeoutInstance?.Name,
            _breakerName ?? _breakerInstance?.Name, _retryName ?? _retryInstance?.Name, _hedgeName,
        }.OfType<string>().Distinct(StringComparer.Ordinal).ToArray();
        CallTelemetry telemetry = reportTo.CreateOperation(privateName, names);
        return new ResilientCall<T>(telemetry, _fallback, cache, _cacheKey, rateLimit, bulkhead, timeout, breaker, retry, _isFailure, _fallbackAnswersMarkedResults, _cacheAnswersMarkedResults, hedge);
    }

    private static void EnsureFirst(bool alreadySet, string method)
    {
        if (alreadySet)
        {
            throw new InvalidOperationException(
                $"{method} was already called on this ResilientCall.For<{typeof(T).Name}>() builder; each strategy may be added once. Remove the second call.");
        }
    }
}
