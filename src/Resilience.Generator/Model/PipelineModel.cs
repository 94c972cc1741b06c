using Resilience.Generator.Helpers;

namespace Resilience.Generator.Model;

/// <summary>The strategies composed around one method's call, outermost first as documented.</summary>
/// <param name="Fallback">The bound fallback, or <see langword="null"/>.</param>
/// <param name="CacheFallbackField">The cache fallback field, or <see langword="null"/>.</param>
/// <param name="CacheKeyPrefix">The method's full name that starts every cache key.</param>
/// <param name="CacheKeyParameters">Indices of the parameters that form the cache key.</param>
/// <param name="RateLimitField">The rate limit field, or <see langword="null"/>.</param>
/// <param name="RateLimitKeyParameter">Index of the rate limit's key parameter, or -1.</param>
/// <param name="BulkheadField">The bulkhead field, or <see langword="null"/>.</param>
/// <param name="TimeoutField">The timeout field, or <see langword="null"/>.</param>
/// <param name="CircuitBreakerField">The circuit breaker field, or <see langword="null"/>.</param>
/// <param name="RetryField">The retry field, or <see langword="null"/>.</param>
/// <param name="HasAttemptTimeout">Whether the retry has a per-attempt timeout.</param>
/// <param name="RetryResultPredicate">Fully qualified static predicate marking a result as a failure for retry, or <see langword="null"/>.</param>
/// <param name="BreakerResultPredicate">Fully qualified static predicate marking a result as a failure for the breaker, or <see langword="null"/>.</param>
/// <param name="CancellationTokenParameter">Index of the method's cancellation token parameter, or -1.</param>
/// <param name="CircuitBreakerKeyParameter">Index of the circuit breaker's key parameter, or -1.</param>
/// <param name="FallbackAnswersMarkedResults">Whether the fallback answers a result marked as a failure that survived the retries.</param>
/// <param name="CacheAnswersMarkedResults">Whether the stale cache answers a result marked as a failure that survived the retries.</param>
/// <param name="CacheKeyMethod">
/// The fully qualified static method (<c>KeyMethod</c>) that makes the key from the <paramref name="CacheKeyParameters"/>,
/// or <see langword="null"/> to key by the parameters themselves.
/// </param>
/// <param name="HedgeField">The hedge field, or <see langword="null"/>.</param>
/// <param name="HedgedName">The private method that makes one hedged attempt (<c>__Hedged_M</c>), when <paramref name="HedgeField"/> is set.</param>
/// <param name="RetryHasBudget">Whether the retry draws from a retry budget, so each call is counted in it.</param>
internal sealed record PipelineModel(
    FallbackModel? Fallback,
    string? CacheFallbackField,
    string CacheKeyPrefix,
    EquatableArray<int> CacheKeyParameters,
    string? RateLimitField,
    int RateLimitKeyParameter,
    string? BulkheadField,
    string? TimeoutField,
    string? CircuitBreakerField,
    string? RetryField,
    bool HasAttemptTimeout,
    string? RetryResultPredicate,
    string? BreakerResultPredicate,
    int CancellationTokenParameter,
    int CircuitBreakerKeyParameter = -1,
    bool FallbackAnswersMarkedResults = true,
    bool CacheAnswersMarkedResults = true,
    string? CacheKeyMethod = null,
    string? HedgeField = null,
    string HedgedName = "",
    bool RetryHasBudget = false);
