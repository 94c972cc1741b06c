using System.Runtime.ExceptionServices;

namespace Resilience.Benchmarks.Runtime.Kernel;

/// <summary>
/// What a generated method would hand to a runtime kernel: the inner call with its arguments, and, when the method has
/// a <c>[Fallback]</c>, the fallback call. A struct, so the kernel is specialized for it by the JIT (no delegate, no box).
/// </summary>
/// <typeparam name="TResult">The method's result type.</typeparam>
public interface IOperation<TResult>
{
    /// <summary>Whether <see cref="FallbackAsync"/> answers failures; a constant the JIT folds per operation type.</summary>
    static abstract bool HasFallback { get; }

    /// <summary>The inner call, on the token it must honour.</summary>
    ValueTask<TResult> InvokeAsync(CancellationToken cancellationToken);

    /// <summary>The fallback call (only when <see cref="HasFallback"/>).</summary>
    ValueTask<TResult> FallbackAsync(Exception error);
}

/// <summary>
/// Prototype of issue 16 item 1: the pipeline's semantics written once, as a runtime kernel generic over a struct
/// operation, with the strategies as fields checked for null and failures carried as values, exactly as the generated
/// code does today. It covers RateLimit → Bulkhead → Timeout → CircuitBreaker → Retry → call and a fallback, so the
/// null checks a complete kernel pays for absent strategies are in the measurement; cache fallback, hedging, attempt
/// timeouts and <c>HandleResult</c> are left out of the prototype (each would add one more null check or a static
/// abstract member of the operation).
/// </summary>
/// <typeparam name="TResult">The result type.</typeparam>
public sealed class KernelPipeline<TResult>
{
    private readonly CallTelemetry _telemetry;
    private readonly RateLimitStrategy? _rateLimit;
    private readonly Bulkhead? _bulkhead;
    private readonly TimeoutStrategy? _timeout;
    private readonly CircuitBreaker? _breaker;
    private readonly RetryStrategy? _retry;

    /// <summary>Creates the kernel over the given instances (each optional).</summary>
    public KernelPipeline(
        CallTelemetry telemetry,
        RateLimitStrategy? rateLimit = null,
        Bulkhead? bulkhead = null,
        TimeoutStrategy? timeout = null,
        CircuitBreaker? breaker = null,
        RetryStrategy? retry = null)
    {
        _telemetry = telemetry ?? throw new ArgumentNullException(nameof(telemetry));
        _rateLimit = rateLimit;
        _bulkhead = bulkhead;
        _timeout = timeout;
        _breaker = breaker;
        _retry = retry;
    }

    /// <summary>Runs <paramref name="operation"/> through the strategies present, outermost first.</summary>
    /// <typeparam name="TOp">The operation: a struct, so this method is compiled once per operation type.</typeparam>
    public async ValueTask<TResult> ExecuteAsync<TOp>(TOp operation, CancellationToken cancellationToken)
        where TOp : struct, IOperation<TResult>
    {
        var call = _telemetry.Start();
        Exception? error = null;
        TResult result = default!;
        try
        {
            try
            {
                if (_rateLimit is { } rateLimit)
                {
                    await rateLimit.AcquireAsync(cancellationToken).ConfigureAwait(false);
                }

                Bulkhead? bulkhead = _bulkhead;
                if (bulkhead is not null)
                {
                    await bulkhead.EnterAsync(cancellationToken).ConfigureAwait(false);
                }

                try
                {
                    TimeoutStrategy? timeout = _timeout;
                    TimeoutScope scope = timeout is null ? default : timeout.Start(cancellationToken);
                    try
                    {
                        CancellationToken token = timeout is null ? cancellationToken : scope.Token;
                        CircuitBreakerLease lease = default;
                        try
                        {
                            BrokenCircuitException? rejection = null;
                            if (_breaker is not { } breaker || breaker.TryAcquire(out lease, out rejection))
                            {
                                RetryStrategy? retry = _retry;
                                for (int attempt = 1; ; attempt++)
                                {
                                    call.StartAttempt(attempt);
                                    try
                                    {
                                        if (call.HasChaos && await call.InjectChaosAsync(token).ConfigureAwait(false))
                                        {
                                            result = call.ChaosResult<TResult>();
                                        }
                                        else
                                        {
                                            ValueTask<TResult> pending = timeout is null
                                                ? operation.InvokeAsync(token)
                                                : GeneratedCodeHelpers.WaitAsync(operation.InvokeAsync(token), token);
                                            if (!GeneratedCodeHelpers.TryComplete(pending, out result, out error))
                                            {
                                                result = await pending.ConfigureAwait(false);
                                            }
                                        }
                                    }
                                    catch (Exception ex)
                                    {
                                        error = ex;
                                    }

                                    if (error is null)
                                    {
                                        lease.RecordSuccess();
                                        break;
                                    }

                                    if (retry is null || lease.IsCircuitOpen || !retry.ShouldRetry(error, attempt, token))
                                    {
                                        break;
                                    }

                                    try
                                    {
                                        await call.RetryDelayAsync(retry, attempt, error, token).ConfigureAwait(false);
                                    }
                                    catch (Exception ex)
                                    {
                                        error = ex;
                                        break;
                                    }

                                    if (lease.IsCircuitOpen)
                                    {
                                        break;
                                    }

                                    error = null;
                                }
                            }
                            else
                            {
                                error = rejection;
                            }
                        }
                        catch (Exception ex)
                        {
                            error = ex;
                        }

                        if (error is not null)
                        {
                            lease.RecordException(error, cancellationToken);
                            if (timeout is not null && error is OperationCanceledException && scope.IsExpired)
                            {
                                error = timeout.CreateException(error);
                            }
                        }
                    }
                    finally
                    {
                        scope.Dispose();
                    }
                }
                finally
                {
                    bulkhead?.Release();
                }
            }
            catch (Exception ex)
            {
                error = ex;
            }

            if (TOp.HasFallback && error is { } failure && !ResilienceOutcome.IsCallerCancellation(failure, cancellationToken))
            {
                error = null;
                call.Fallback(failure);
                result = await operation.FallbackAsync(failure).ConfigureAwait(false);
            }

            if (error is not null)
            {
                call.Failed(error);
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

        if (error is not null)
        {
            ExceptionDispatchInfo.Throw(error);
        }

        return result;
    }
}
