using System.Diagnostics;

namespace Resilience;

/// <summary>
/// One running resilient call, from <see cref="CallTelemetry.Start"/>. Generated code keeps it in a local, reports the
/// non-success paths on it (<see cref="Failed"/>, <see cref="Fallback"/>, retries through <see cref="RetryDelayAsync"/>)
/// and disposes it when the call ends, which records <c>resilience.calls</c> and <c>resilience.call.duration</c> and
/// ends the spans.
/// </summary>
/// <remarks>
/// A mutable struct of two references: call its members on the local itself, never on a copy, and dispose it once. A
/// <see langword="default"/> scope does nothing. When nobody listens and no chaos is configured the scope holds no
/// state, and its members on the success path are a null check each; the events of <see cref="ResilienceRegistry"/> are
/// still raised on the failure paths. A call that is measured, traced or retried keeps its state in an object that the
/// thread reuses for its next call once this one is disposed, so listening to metrics allocates nothing per call.
/// </remarks>
public struct CallScope : IDisposable
{
    private readonly CallTelemetry? _owner;
    private CallScopeState? _state;

    internal CallScope(CallTelemetry owner, CallScopeState? state)
    {
        _owner = owner;
        _state = state;
    }

    /// <summary>The call span, or <see langword="null"/> when nobody traces.</summary>
    public readonly Activity? Activity => _state?.Activity;

    /// <summary>
    /// Whether configuration injects chaos into this call's inner calls (read once, when the call started). Generated
    /// code checks it before each inner call and calls <see cref="InjectChaosAsync"/> only when it is set.
    /// </summary>
    public readonly bool HasChaos => _state is { Chaos: not null };

    /// <summary>
    /// Injects chaos into the inner call about to be made, when this attempt's draw says so: waits the configured
    /// latency (cancelled by <paramref name="cancellationToken"/>), then throws the configured fault, or returns
    /// <see langword="true"/> when the inner call is to be skipped and <see cref="ChaosResult{T}"/> returned instead.
    /// </summary>
    /// <param name="cancellationToken">The token the inner call would get.</param>
    public readonly ValueTask<bool> InjectChaosAsync(CancellationToken cancellationToken)
        => _state?.Chaos is { } chaos ? chaos.InjectAsync(cancellationToken) : new ValueTask<bool>(false);

    /// <summary>Like <see cref="InjectChaosAsync"/>, blocking the thread for the latency; for synchronous methods.</summary>
    /// <param name="cancellationToken">The token the inner call would get.</param>
    public readonly bool InjectChaos(CancellationToken cancellationToken) => _state?.Chaos is { } chaos && chaos.Inject(cancellationToken);

    /// <summary>The result chaos substitutes for the inner call's (after <see cref="InjectChaosAsync"/> returned <see langword="true"/>).</summary>
    /// <typeparam name="T">The method's result type.</typeparam>
    public readonly T ChaosResult<T>() => _state?.Chaos is { } chaos ? chaos.GetResult<T>() : default!;

    /// <summary>
    /// Starts the child span of attempt <paramref name="attempt"/> (from 1) when the call is traced; call it at the top
    /// of the retry loop. For an attempt after the first it first reports the retry being made, whose delay
    /// <see cref="RetryDelayAsync"/> waited.
    /// </summary>
    /// <param name="attempt">The attempt about to be made, from 1.</param>
    public readonly void StartAttempt(int attempt)
    {
        if (_state is { } state && _owner is { } owner)
        {
            BeginAttempt(owner, state, attempt);
        }
    }

    /// <summary>
    /// Records that the call is ending with <paramref name="exception"/> (outcome <c>rejected</c> for a
    /// <see cref="ResilienceRejectedException"/>, else <c>failure</c>). Always returns <see langword="false"/>, so it
    /// can sit in an exception filter that lets the exception pass untouched. When the call retried, logs the failure
    /// once (Warning, event <c>FailedAfterRetries</c>, with the full exception) unless it is an
    /// <see cref="OperationCanceledException"/>.
    /// </summary>
    /// <param name="exception">The exception leaving the call.</param>
    public readonly bool Failed(Exception exception)
    {
        if (_state is not { } state)
        {
            return false;
        }

        state.Error = exception;
        state.Outcome = exception is ResilienceRejectedException ? CallScopeState.Rejected : CallScopeState.Failure;
        if (state.Retries > 0 && exception is not OperationCanceledException && _owner?.Telemetry.Logger is { } logger)
        {
            // The retries were logged with the exception's type and message only; the full exception, once, here.
            ResilienceLog.FailedAfterRetries(logger, _owner.OperationName, state.Retries, exception);
            state.Retries = 0;
        }

        return false;
    }

    /// <summary>Records that the fallback answers <paramref name="exception"/>; raises <see cref="ResilienceRegistry.OnFallback"/>.</summary>
    /// <param name="exception">The failure the fallback handles.</param>
    public readonly void Fallback(Exception exception)
    {
        if (_state is { } state)
        {
            state.Error = exception;
            state.Outcome = CallScopeState.FellBack;
        }

        if (_owner is null)
        {
            return;
        }

        _state?.Activity?.AddEvent(new ActivityEvent("resilience.fallback", tags: new ActivityTagsCollection
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
        if (_state is { } state)
        {
            _state = null;
            End(_owner, state);
        }
    }

    private ValueTask StartRetryDelay(RetryStrategy retry, TimeSpan delay, Exception? exception, CancellationToken cancellationToken)
    {
        // A retry is a failure path: the state it needs (to report the retry when it is made) is taken here when the
        // call had none.
        CallScopeState state = _state ??= CallScopeState.Rent();
        EndAttempt(state, exception);
        state.PendingRetry = retry;
        state.PendingRetryError = exception;
        state.PendingRetryDelay = delay;
        return retry.WaitAsync(delay, cancellationToken);
    }

    private static void BeginAttempt(CallTelemetry owner, CallScopeState state, int attempt)
    {
        if (state.PendingRetry is { } retry)
        {
            state.PendingRetry = null;
            OnRetry(owner, state, retry, attempt - 1, state.PendingRetryError, state.PendingRetryDelay);
            state.PendingRetryError = null;
        }

        if (state.Activity is null)
        {
            return;
        }

        EndAttempt(state, null);
        Activity? span = owner.Telemetry.ActivitySource.StartActivity(owner.AttemptSpanName, ActivityKind.Internal);
        if (span is not null && span.IsAllDataRequested)
        {
            owner.SetTags(span);
            span.SetTag(ResilienceTelemetry.AttemptTag, attempt);
        }

        state.Attempt = span;
    }

    private static void End(CallTelemetry? owner, CallScopeState state)
    {
        if (state.Ambient)
        {
            CallTelemetry.Ambient = state.PreviousAmbient;
        }

        if (owner is not null && (state.Measured || state.Activity is not null))
        {
            Report(owner, state);
        }

        state.Return();
    }

    private static void Report(CallTelemetry owner, CallScopeState state)
    {
        byte outcomeCode = state.Outcome;
        Exception? error = state.Error;
        string outcome = outcomeCode switch
        {
            CallScopeState.Success => "success",
            CallScopeState.Failure => "failure",
            CallScopeState.Rejected => "rejected",
            _ => "fallback",
        };
        string? errorType = error?.GetType().FullName;
        if (state.Activity is { } activity)
        {
            EndAttempt(state, outcomeCode is CallScopeState.Success ? null : error);
            activity.SetTag(ResilienceTelemetry.OutcomeTag, outcome);
            if (outcomeCode is CallScopeState.Failure or CallScopeState.Rejected)
            {
                activity.SetTag(ResilienceTelemetry.ErrorTypeTag, errorType);
                activity.SetStatus(ActivityStatusCode.Error, error!.Message);
            }

            activity.Stop();
        }

        owner.Telemetry.Observer?.CallEnded(owner, outcome, error);
        if (state.Measured)
        {
            ResilienceTelemetry telemetry = owner.Telemetry;
            var tags = default(TagList);
            owner.AddTags(ref tags);
            tags.Add(ResilienceTelemetry.OutcomeTag, outcome);
            if (errorType is not null)
            {
                tags.Add(ResilienceTelemetry.ErrorTypeTag, errorType);
                if (ResilienceTelemetry.StrategyOf(error!, out string? instance) is { } strategy)
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
                telemetry.CallDuration.Record(telemetry.TimeProvider.GetElapsedTime(state.Started).TotalSeconds, tags);
            }
        }
    }

    private static void OnRetry(CallTelemetry owner, CallScopeState state, RetryStrategy retry, int attempt, Exception? exception, TimeSpan delay)
    {
        ResilienceTelemetry telemetry = owner.Telemetry;
        string? errorType = exception?.GetType().FullName;
        if (telemetry.RetryAttempts.Enabled)
        {
            var tags = new TagList
            {
                { ResilienceTelemetry.InstanceTag, retry.Name },
                { ResilienceTelemetry.StrategyTag, "retry" },
            };
            owner.AddTags(ref tags);
            if (errorType is not null)
            {
                tags.Add(ResilienceTelemetry.ErrorTypeTag, errorType);
            }

            telemetry.RetryAttempts.Add(1, tags);
        }

        if (state.Activity is { } activity)
        {
            EndAttempt(state, exception);
            activity.AddEvent(new ActivityEvent("resilience.retry", tags: new ActivityTagsCollection
            {
                { ResilienceTelemetry.InstanceTag, retry.Name },
                { ResilienceTelemetry.AttemptTag, attempt },
                { "resilience.retry.delay_ms", delay.TotalMilliseconds },
                { ResilienceTelemetry.ErrorTypeTag, errorType },
            }));
        }

        state.Retries = attempt;
        if (telemetry.Logger is { } logger && logger.IsEnabled(Microsoft.Extensions.Logging.LogLevel.Information))
        {
            // One line, no stack trace: the exception's type and message (the full exception is logged if the call fails).
            ResilienceLog.Retrying(logger, owner.OperationName, attempt, delay.TotalMilliseconds, ResilienceLog.DescribeFailure(exception));
        }

        telemetry.Observer?.Retried(owner, retry.Name, attempt, exception);
        telemetry.Registry.RaiseRetry(owner, retry.Name, attempt, delay, exception);
    }

    private static void EndAttempt(CallScopeState state, Exception? error)
    {
        Activity? attempt = state.Attempt;
        if (attempt is null)
        {
            return;
        }

        state.Attempt = null;
        if (error is not null)
        {
            attempt.SetTag(ResilienceTelemetry.ErrorTypeTag, error.GetType().FullName);
            attempt.SetStatus(ActivityStatusCode.Error, error.Message);
        }

        attempt.Stop();
    }
}
