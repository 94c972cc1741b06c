using System.Diagnostics;

namespace Resilience;

/// <summary>
/// One running resilient call, from <see cref="CallTelemetry.Start"/>. Generated code keeps it in a local, reports the
/// non-success paths on it (<see cref="Failed"/>, <see cref="Fallback"/>, retries through <see cref="RetryDelayAsync"/>)
/// and disposes it when the call ends, which records <c>resilience.calls</c> and <c>resilience.call.duration</c> and
/// ends the spans.
/// </summary>
/// <remarks>
/// A mutable struct: call its members on the local itself, never on a copy. A <see langword="default"/> scope does
/// nothing. When nobody listens every member is a few field reads and allocates nothing; the events of
/// <see cref="ResilienceRegistry"/> are still raised on the failure paths.
/// </remarks>
public struct CallScope : IDisposable
{
    private const byte Success = 0;
    private const byte Failure = 1;
    private const byte Rejected = 2;
    private const byte FellBack = 3;

    private readonly CallTelemetry? _owner;
    private readonly bool _measured;
    private readonly long _started;
    private readonly Activity? _activity;
    private readonly CallTelemetry? _previousAmbient;
    private readonly bool _ambient;
    private readonly ChaosInjector? _chaos;
    private Activity? _attempt;
    private Exception? _error;
    private int _retries;
    private byte _outcome;

    // A retry whose delay has been started, reported by the StartAttempt that makes it (see RetryDelayAsync).
    private RetryStrategy? _pendingRetry;
    private Exception? _pendingRetryError;
    private TimeSpan _pendingRetryDelay;

    internal CallScope(CallTelemetry owner, bool measured, long started, Activity? activity, bool ambient, CallTelemetry? previousAmbient, ChaosInjector? chaos)
    {
        _chaos = chaos;
        _owner = owner;
        _measured = measured;
        _started = started;
        _activity = activity;
        _ambient = ambient;
        _previousAmbient = previousAmbient;
        _attempt = null;
        _error = null;
        _retries = 0;
        _outcome = Success;
        _pendingRetry = null;
        _pendingRetryError = null;
        _pendingRetryDelay = default;
    }

    /// <summary>The call span, or <see langword="null"/> when nobody traces.</summary>
    public readonly Activity? Activity => _activity;

    /// <summary>
    /// Whether configuration injects chaos into this call's inner calls (read once, when the call started). Generated
    /// code checks it before each inner call and calls <see cref="InjectChaosAsync"/> only when it is set.
    /// </summary>
    public readonly bool HasChaos => _chaos is not null;

    /// <summary>
    /// Injects chaos into the inner call about to be made, when this attempt's draw says so: waits the configured
    /// latency (cancelled by <paramref name="cancellationToken"/>), then throws the configured fault, or returns
    /// <see langword="true"/> when the inner call is to be skipped and <see cref="ChaosResult{T}"/> returned instead.
    /// </summary>
    /// <param name="cancellationToken">The token the inner call would get.</param>
    public readonly ValueTask<bool> InjectChaosAsync(CancellationToken cancellationToken)
        => _chaos is { } chaos ? chaos.InjectAsync(cancellationToken) : new ValueTask<bool>(false);

    /// <summary>Like <see cref="InjectChaosAsync"/>, blocking the thread for the latency; for synchronous methods.</summary>
    /// <param name="cancellationToken">The token the inner call would get.</param>
    public readonly bool InjectChaos(CancellationToken cancellationToken) => _chaos is { } chaos && chaos.Inject(cancellationToken);

    /// <summary>The result chaos substitutes for the inner call's (after <see cref="InjectChaosAsync"/> returned <see langword="true"/>).</summary>
    /// <typeparam name="T">The method's result type.</typeparam>
    public readonly T ChaosResult<T>() => _chaos is { } chaos ? chaos.GetResult<T>() : default!;

    /// <summary>
    /// Starts the child span of attempt <paramref name="attempt"/> (from 1) when the call is traced; call it at the top
    /// of the retry loop. For an attempt after the first it first reports the retry being made, whose delay
    /// <see cref="RetryDelayAsync"/> waited.
    /// </summary>
    /// <param name="attempt">The attempt about to be made, from 1.</param>
    public void StartAttempt(int attempt)
    {
        if (_pendingRetry is { } retry)
        {
            _pendingRetry = null;
            OnRetry(retry, attempt - 1, _pendingRetryError, _pendingRetryDelay);
            _pendingRetryError = null;
        }

        if (_activity is null)
        {
            return;
        }

        EndAttempt(null);
        Activity? span = _owner!.Telemetry.ActivitySource.StartActivity(_owner.AttemptSpanName, ActivityKind.Internal);
        if (span is not null && span.IsAllDataRequested)
        {
            _owner.SetTags(span);
            span.SetTag(ResilienceTelemetry.AttemptTag, attempt);
        }

        _attempt = span;
    }

    /// <summary>
    /// Records that the call is ending with <paramref name="exception"/> (outcome <c>rejected</c> for a
    /// <see cref="ResilienceRejectedException"/>, else <c>failure</c>). Always returns <see langword="false"/>, so it
    /// can sit in an exception filter that lets the exception pass untouched. When the call retried, logs the failure
    /// once (Warning, event <c>FailedAfterRetries</c>, with the full exception) unless it is an
    /// <see cref="OperationCanceledException"/>.
    /// </summary>
    /// <param name="exception">The exception leaving the call.</param>
    public bool Failed(Exception exception)
    {
        _error = exception;
        _outcome = exception is ResilienceRejectedException ? Rejected : Failure;
        if (_retries > 0 && exception is not OperationCanceledException && _owner?.Telemetry.Logger is { } logger)
        {
            // The retries were logged with the exception's type and message only; the full exception, once, here.
            ResilienceLog.FailedAfterRetries(logger, _owner.OperationName, _retries, exception);
            _retries = 0;
        }

        return false;
    }

    /// <summary>Records that the fallback answers <paramref name="exception"/>; raises <see cref="ResilienceRegistry.OnFallback"/>.</summary>
    /// <param name="exception">The failure the fallback handles.</param>
    public void Fallback(Exception exception)
    {
        _error = exception;
        _outcome = FellBack;
        if (_owner is null)
        {
            return;
        }

        _activity?.AddEvent(new ActivityEvent("resilience.fallback", tags: new ActivityTagsCollection
        {
            { ResilienceTelemetry.ErrorTypeTag, exception.GetType().FullName },
        }));

        ResilienceTelemetry telemetry = _owner.Telemetry;
        if (telemetry.Logger is { } logger)
        {
            ResilienceLog.FallingBack(logger, _owner.OperationName, exception);
        }

        telemetry.Registry.RaiseFallback(_owner, exception);
    }

    /// <summary>
    /// Waits the delay before retry <paramref name="attempt"/> after <paramref name="exception"/>
    /// (<see cref="RetryStrategy.GetDelay{TResult}(int, in RetryOutcome{TResult})"/>, so the policy sees the exception),
    /// and ends the attempt span. The retry itself (metric, span event, log, <see cref="ResilienceRegistry.OnRetry"/>)
    /// is reported by the next <see cref="StartAttempt"/>, when it is made: a delay cut short by the timeout or the
    /// caller, or a loop that ends after the delay because the breaker opened, reports no retry.
    /// </summary>
    /// <param name="retry">The retry strategy.</param>
    /// <param name="attempt">The retry about to be made, from 1.</param>
    /// <param name="exception">The failure of the previous attempt, or <see langword="null"/> when a result was marked as a failure.</param>
    /// <param name="cancellationToken">Ends the wait.</param>
    public ValueTask RetryDelayAsync(RetryStrategy retry, int attempt, Exception? exception, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(retry);
        TimeSpan delay = exception is null
            ? retry.GetDelay(attempt, default(RetryOutcome<object>))
            : retry.GetDelay(attempt, new RetryOutcome<object>(exception));
        return StartRetryDelay(retry, delay, exception, cancellationToken);
    }

    /// <summary>
    /// Like <see cref="RetryDelayAsync"/>, after a <paramref name="result"/> that <c>HandleResult</c> marked as a
    /// failure: the retry policy sees the result (<see cref="IRetryPolicy.GetDelay{TResult}(int, in RetryOutcome{TResult})"/>).
    /// Allocates nothing beyond the wait itself.
    /// </summary>
    /// <typeparam name="TResult">The call's result type.</typeparam>
    /// <param name="retry">The retry strategy.</param>
    /// <param name="attempt">The retry about to be made, from 1.</param>
    /// <param name="result">The result of the previous attempt.</param>
    /// <param name="cancellationToken">Ends the wait.</param>
    public ValueTask RetryResultDelayAsync<TResult>(RetryStrategy retry, int attempt, TResult result, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(retry);
        TimeSpan delay = retry.GetDelay(attempt, new RetryOutcome<TResult>(result));
        return StartRetryDelay(retry, delay, null, cancellationToken);
    }

    /// <summary>Like <see cref="RetryResultDelayAsync"/>, blocking; for synchronous methods.</summary>
    /// <typeparam name="TResult">The call's result type.</typeparam>
    /// <param name="retry">The retry strategy.</param>
    /// <param name="attempt">The retry about to be made, from 1.</param>
    /// <param name="result">The result of the previous attempt.</param>
    /// <param name="cancellationToken">Ends the wait with <see cref="OperationCanceledException"/>.</param>
    public void RetryResultDelay<TResult>(RetryStrategy retry, int attempt, TResult result, CancellationToken cancellationToken)
    {
        ValueTask wait = RetryResultDelayAsync(retry, attempt, result, cancellationToken);
        if (!wait.IsCompletedSuccessfully)
        {
            wait.AsTask().GetAwaiter().GetResult();
        }
    }

    private ValueTask StartRetryDelay(RetryStrategy retry, TimeSpan delay, Exception? exception, CancellationToken cancellationToken)
    {
        EndAttempt(exception);
        _pendingRetry = retry;
        _pendingRetryError = exception;
        _pendingRetryDelay = delay;
        return retry.WaitAsync(delay, cancellationToken);
    }

    /// <summary>Like <see cref="RetryDelayAsync"/>, blocking; for synchronous methods.</summary>
    /// <param name="retry">The retry strategy.</param>
    /// <param name="attempt">The retry about to be made, from 1.</param>
    /// <param name="exception">The failure of the previous attempt, or <see langword="null"/>.</param>
    /// <param name="cancellationToken">Ends the wait with <see cref="OperationCanceledException"/>.</param>
    public void RetryDelay(RetryStrategy retry, int attempt, Exception? exception, CancellationToken cancellationToken)
    {
        ValueTask wait = RetryDelayAsync(retry, attempt, exception, cancellationToken);
        if (!wait.IsCompletedSuccessfully)
        {
            wait.AsTask().GetAwaiter().GetResult();
        }
    }

    /// <summary>Ends the call: records <c>resilience.calls</c> and <c>resilience.call.duration</c> and stops the spans.</summary>
    public void Dispose()
    {
        if (_ambient)
        {
            CallTelemetry.Ambient = _previousAmbient;
        }

        if (_owner is null || (!_measured && _activity is null))
        {
            return;
        }

        string outcome = _outcome switch
        {
            Success => "success",
            Failure => "failure",
            Rejected => "rejected",
            _ => "fallback",
        };
        string? errorType = _error?.GetType().FullName;
        if (_activity is not null)
        {
            EndAttempt(_outcome is Success ? null : _error);
            _activity.SetTag(ResilienceTelemetry.OutcomeTag, outcome);
            if (_outcome is Failure or Rejected)
            {
                _activity.SetTag(ResilienceTelemetry.ErrorTypeTag, errorType);
                _activity.SetStatus(ActivityStatusCode.Error, _error!.Message);
            }

            _activity.Stop();
        }

        _owner.Telemetry.Observer?.CallEnded(_owner, outcome, _error);
        if (_measured)
        {
            ResilienceTelemetry telemetry = _owner.Telemetry;
            var tags = default(TagList);
            _owner.AddTags(ref tags);
            tags.Add(ResilienceTelemetry.OutcomeTag, outcome);
            if (errorType is not null)
            {
                tags.Add(ResilienceTelemetry.ErrorTypeTag, errorType);
                if (ResilienceTelemetry.StrategyOf(_error!, out string? instance) is { } strategy)
                {
                    // The call ended (or fell back) because of our own rejection or timeout: say which instance.
                    tags.Add(ResilienceTelemetry.StrategyTag, strategy);
                    tags.Add(ResilienceTelemetry.InstanceTag, instance);
                }
            }

            if (telemetry.Calls.Enabled)
            {
                telemetry.Calls.Add(1, tags);
            }

            if (telemetry.CallDuration.Enabled)
            {
                telemetry.CallDuration.Record(telemetry.TimeProvider.GetElapsedTime(_started).TotalSeconds, tags);
            }
        }
    }

    private void OnRetry(RetryStrategy retry, int attempt, Exception? exception, TimeSpan delay)
    {
        if (_owner is null)
        {
            return;
        }

        ResilienceTelemetry telemetry = _owner.Telemetry;
        string? errorType = exception?.GetType().FullName;
        if (telemetry.RetryAttempts.Enabled)
        {
            var tags = new TagList
            {
                { ResilienceTelemetry.InstanceTag, retry.Name },
                { ResilienceTelemetry.StrategyTag, "retry" },
            };
            _owner.AddTags(ref tags);
            if (errorType is not null)
            {
                tags.Add(ResilienceTelemetry.ErrorTypeTag, errorType);
            }

            telemetry.RetryAttempts.Add(1, tags);
        }

        if (_activity is not null)
        {
            EndAttempt(exception);
            _activity.AddEvent(new ActivityEvent("resilience.retry", tags: new ActivityTagsCollection
            {
                { ResilienceTelemetry.InstanceTag, retry.Name },
                { ResilienceTelemetry.AttemptTag, attempt },
                { "resilience.retry.delay_ms", delay.TotalMilliseconds },
                { ResilienceTelemetry.ErrorTypeTag, errorType },
            }));
        }

        _retries = attempt;
        if (telemetry.Logger is { } logger && logger.IsEnabled(Microsoft.Extensions.Logging.LogLevel.Information))
        {
            // One line, no stack trace: the exception's type and message (the full exception is logged if the call fails).
            ResilienceLog.Retrying(logger, _owner.OperationName, attempt, delay.TotalMilliseconds, ResilienceLog.DescribeFailure(exception));
        }

        telemetry.Observer?.Retried(_owner, retry.Name, attempt, exception);
        telemetry.Registry.RaiseRetry(_owner, retry.Name, attempt, delay, exception);
    }

    private void EndAttempt(Exception? error)
    {
        Activity? attempt = _attempt;
        if (attempt is null)
        {
            return;
        }

        _attempt = null;
        if (error is not null)
        {
            attempt.SetTag(ResilienceTelemetry.ErrorTypeTag, error.GetType().FullName);
            attempt.SetStatus(ActivityStatusCode.Error, error.Message);
        }

        attempt.Stop();
    }
}
