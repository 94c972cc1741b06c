using System.Collections.Generic;
using System.Linq;
using System.Text;
using Resilience.Generator.Helpers;
using Resilience.Generator.Model;
using Resilience.Generator.Parsing;

namespace Resilience.Generator.Emitting;

/// <summary>
/// Writes a decorated method: the strategies inline, outermost first (Fallback → CacheFallback → RateLimit →
/// Bulkhead → Timeout → CircuitBreaker → Retry → attempt timeout → inner call), with no delegates or closures.
/// </summary>
internal sealed class PipelineEmitter
{
    private const string TaskType = "global::System.Threading.Tasks.Task";
    private const string Helpers = "global::Resilience.GeneratedCodeHelpers";

    private readonly SourceWriter _writer;
    private readonly MethodModel _method;
    private readonly PipelineModel _pipeline;
    private readonly string _interfaceType;
    private readonly Locals _locals;
    private readonly string _self;
    private readonly bool _isAsync;
    private readonly bool _returnsTask;
    private readonly string _callerToken;
    private readonly string _telemetryField;
    private readonly CompilationFeatures _features;

    private PipelineEmitter(SourceWriter writer, MethodModel method, PipelineModel pipeline, string interfaceType, string telemetryField, CompilationFeatures features)
    {
        _features = features;
        _telemetryField = telemetryField;
        _writer = writer;
        _method = method;
        _pipeline = pipeline;
        _interfaceType = interfaceType;
        _locals = new Locals(method.Parameters);
        _self = MemberEmitter.Self(method.Parameters);
        _isAsync = method.Shape is not (ReturnShape.Void or ReturnShape.Value);
        _returnsTask = method.Shape == ReturnShape.TaskOfT;
        _callerToken = pipeline.CancellationTokenParameter >= 0 ? method.Parameters[pipeline.CancellationTokenParameter].Name : "default";
    }

    private bool IsVoidLike => _method.ResultType is null;

    private bool HasResultCheck => _pipeline.RetryResultPredicate is not null || _pipeline.BreakerResultPredicate is not null;

    private bool NeedsResult => !IsVoidLike && (!_returnsTask || HasResultCheck || _pipeline.CacheFallbackField is not null);

    /// <summary>Writes the method; <paramref name="telemetryField"/> is its <c>CallTelemetry</c> field.</summary>
    public static void Write(SourceWriter writer, MethodModel method, string interfaceType, string telemetryField, CompilationFeatures features)
        => new PipelineEmitter(writer, method, method.Pipeline!, interfaceType, telemetryField, features).Write();

    private void Write()
    {
        MemberEmitter.WriteMethodPreamble(_writer, _method);
        var typeArguments = SignatureWriter.TypeParameterList(_method.TypeParameters);
        if (_method.CoreName.Length == 0)
        {
            _writer.Line(MemberEmitter.MethodHeader(_method, _isAsync));
            _writer.IndentedLines(SignatureWriter.Constraints(_method.TypeParameters, _method.IsExplicit));
            _writer.OpenBrace();
            WriteBody();
            _writer.CloseBrace();
            return;
        }

        // Public entry: forwards to the private async core (by value, so 'in' parameters work).
        var coreCall = $"{_self}{_method.CoreName}{typeArguments}({SignatureWriter.ValueArguments(_method.Parameters)})";
        _writer.Line(MemberEmitter.MethodHeader(_method, isAsync: false));
        _writer.IndentedLines(SignatureWriter.Constraints(_method.TypeParameters, _method.IsExplicit));
        _writer.OpenBrace();
        if (_returnsTask)
        {
            // A synchronous success hands back the inner call's own task: nothing is allocated.
            _writer.Line($"var {_locals.Pending} = {coreCall};");
            _writer.Line($"return {_locals.Pending}.IsCompletedSuccessfully ? {_locals.Pending}.Result : {Helpers}.Unwrap({_locals.Pending});");
        }
        else
        {
            _writer.Line($"return {coreCall};");
        }

        _writer.CloseBrace();
        _writer.Line();

        var coreReturn = _returnsTask
            ? $"global::System.Threading.Tasks.ValueTask<{TaskType}<{_method.ResultType}>>"
            : _method.ReturnType;
        if (_returnsTask && _features.SupportsPoolingValueTaskBuilder)
        {
            // Only the entry above consumes this ValueTask, exactly once, so its state machine box can be pooled.
            _writer.Line("[global::System.Runtime.CompilerServices.AsyncMethodBuilder(typeof(global::System.Runtime.CompilerServices.PoolingAsyncValueTaskMethodBuilder<>))]");
        }

        _writer.Line($"private async {coreReturn} {_method.CoreName}{typeArguments}({SignatureWriter.CoreParameters(_method.Parameters)})");
        _writer.IndentedLines(SignatureWriter.Constraints(_method.TypeParameters, isExplicit: false));
        _writer.OpenBrace();
        WriteBody();
        _writer.CloseBrace();
    }

    /// <summary>The pipeline inside one telemetry scope: outcome, duration and spans; nothing is done when nobody listens.</summary>
    private void WriteBody()
    {
        _writer.Line($"var {_locals.Call} = {Field(_telemetryField)}.Start();");
        _writer.Block("try");
        Fallback();
        _writer.CloseBrace();
        _writer.Block($"catch (global::System.Exception {_locals.Exception}) when ({_locals.Call}.Failed({_locals.Exception}))");
        _writer.Line("throw;");
        _writer.CloseBrace();
        _writer.Block("finally");
        _writer.Line($"{_locals.Call}.Dispose();");
        _writer.CloseBrace();
    }

    private string Await(string expression) => _isAsync ? $"await {expression}.ConfigureAwait(false)" : expression;

    private string Field(string field) => _self + field;

    // ---- Fallback ----------------------------------------------------------------------------------------------

    private void Fallback()
    {
        if (_pipeline.Fallback is not { } fallback)
        {
            CacheFallback();
            return;
        }

        _writer.Block("try");
        CacheFallback();
        _writer.CloseBrace();

        var filter = _pipeline.CancellationTokenParameter >= 0;
        var when = filter ? $" when (!global::Resilience.ResilienceOutcome.IsCallerCancellation({_locals.Exception}, {_callerToken}))" : string.Empty;
        _writer.Block($"catch ({fallback.ExceptionType} {_locals.Exception}){when}");
        _writer.Line($"{_locals.Call}.Fallback({_locals.Exception});");
        WriteFallbackCall(fallback);
        _writer.CloseBrace();
    }

    private void WriteFallbackCall(FallbackModel fallback)
    {
        var receiver = fallback.Target switch
        {
            FallbackTarget.Static => fallback.Receiver,
            FallbackTarget.HandlerInstance => Field(fallback.Receiver),
            _ => fallback.Receiver == _interfaceType ? Field("__inner") : $"(({fallback.Receiver}){Field("__inner")})",
        };
        var arguments = string.Join(", ", fallback.Arguments.Select(a => a < 0 ? _locals.Exception : _method.Parameters[a].Name));
        var call = $"{receiver}.{fallback.MethodName}{fallback.TypeArguments}({arguments})";

        if (IsVoidLike)
        {
            _writer.Line(fallback.ReturnKind switch
            {
                FallbackReturnKind.Void => call + ";",
                FallbackReturnKind.ValueTask when !_isAsync => call + ".AsTask().GetAwaiter().GetResult();",
                _ when !_isAsync => call + ".GetAwaiter().GetResult();",
                _ => Await(call) + ";",
            });
            return;
        }

        if (_returnsTask)
        {
            _writer.Line(fallback.ReturnKind switch
            {
                FallbackReturnKind.TaskOfT => $"return {call};",
                FallbackReturnKind.ValueTaskOfT => $"return {call}.AsTask();",
                _ => $"return {TaskType}.FromResult<{_method.ResultType}>({call});",
            });
            return;
        }

        _writer.Line(fallback.ReturnKind is FallbackReturnKind.TaskOfT or FallbackReturnKind.ValueTaskOfT
            ? $"return {Await(call)};"
            : $"return {call};");
    }

    // ---- CacheFallback -----------------------------------------------------------------------------------------

    private void CacheFallback()
    {
        if (_pipeline.CacheFallbackField is not { } field)
        {
            RateLimit();
            return;
        }

        var resultType = _method.ResultType!;
        _writer.Line($"var {_locals.Key} = {CacheKey()};");
        _writer.Block($"if ({Field(field)}.TryGetFresh<{resultType}>({_locals.Key}, out var {_locals.Fresh}))");
        _writer.Line(ReturnValue(_locals.Fresh));
        _writer.CloseBrace();
        _writer.Line();
        _writer.Block("try");
        RateLimit();
        _writer.CloseBrace();
        _writer.Block($"catch (global::System.Exception {_locals.Exception}) when ({Field(field)}.TryGetStale<{resultType}>({_locals.Key}, {_locals.Exception}, {_callerToken}, out var {_locals.Stale}))");
        _writer.Line(ReturnValue(_locals.Stale));
        _writer.CloseBrace();
    }

    private string CacheKey()
    {
        var prefix = _pipeline.CacheKeyPrefix;
        if (_pipeline.CacheKeyParameters.IsEmpty)
        {
            return TypeNames.Literal(prefix + "()");
        }

        var text = new StringBuilder("$\"");
        AppendInterpolationText(text, prefix + "(");
        var first = true;
        foreach (var index in _pipeline.CacheKeyParameters)
        {
            if (!first)
            {
                text.Append(", ");
            }

            first = false;
            text.Append('{').Append(_method.Parameters[index].Name).Append('}');
        }

        text.Append(")\"");
        return $"global::System.String.Create(global::System.Globalization.CultureInfo.InvariantCulture, {text})";
    }

    private static void AppendInterpolationText(StringBuilder builder, string text)
    {
        foreach (var c in text)
        {
            switch (c)
            {
                case '{': builder.Append("{{"); break;
                case '}': builder.Append("}}"); break;
                case '"': builder.Append("\\\""); break;
                case '\\': builder.Append("\\\\"); break;
                default: builder.Append(c); break;
            }
        }
    }

    // ---- RateLimit, Bulkhead -----------------------------------------------------------------------------------

    private void RateLimit()
    {
        if (_pipeline.RateLimitField is { } field)
        {
            var key = _pipeline.RateLimitKeyParameter >= 0 ? _method.Parameters[_pipeline.RateLimitKeyParameter].Name + ", " : string.Empty;
            _writer.Line(_isAsync
                ? $"{Await($"{Field(field)}.AcquireAsync({key}{_callerToken})")};"
                : $"{Field(field)}.Acquire({key}{_callerToken});");
        }

        Bulkhead();
    }

    private void Bulkhead()
    {
        if (_pipeline.BulkheadField is not { } field)
        {
            Timeout();
            return;
        }

        _writer.Line(_isAsync
            ? $"{Await($"{Field(field)}.EnterAsync({_callerToken})")};"
            : $"{Field(field)}.Enter({_callerToken});");
        _writer.Block("try");
        Timeout();
        _writer.CloseBrace();
        _writer.Block("finally");
        _writer.Line($"{Field(field)}.Release();");
        _writer.CloseBrace();
    }

    // ---- Timeout -----------------------------------------------------------------------------------------------

    private void Timeout()
    {
        if (_pipeline.TimeoutField is not { } field)
        {
            CircuitBreaker(_callerToken);
            return;
        }

        _writer.Line($"var {_locals.Timeout} = {Field(field)}.Start({_callerToken});");
        _writer.Block("try");
        CircuitBreaker(_locals.Timeout + ".Token");
        _writer.CloseBrace();
        _writer.Block($"catch (global::System.OperationCanceledException {_locals.Canceled}) when ({_locals.Timeout}.IsExpired)");
        _writer.Line($"throw {Field(field)}.CreateException({_locals.Canceled});");
        _writer.CloseBrace();
        _writer.Block("finally");
        _writer.Line($"{_locals.Timeout}.Dispose();");
        _writer.CloseBrace();
    }

    // ---- CircuitBreaker ----------------------------------------------------------------------------------------

    private void CircuitBreaker(string sequenceToken)
    {
        if (_pipeline.CircuitBreakerField is not { } field)
        {
            Retry(sequenceToken);
            return;
        }

        var key = _pipeline.CircuitBreakerKeyParameter >= 0 ? _method.Parameters[_pipeline.CircuitBreakerKeyParameter].Name : string.Empty;
        _writer.Line($"var {_locals.Lease} = {Field(field)}.Acquire({key});");
        _writer.Block("try");
        Retry(sequenceToken);
        _writer.CloseBrace();
        _writer.Block($"catch (global::System.Exception {_locals.Exception})");
        _writer.Line($"{_locals.Lease}.RecordException({_locals.Exception}, {_callerToken});");
        _writer.Line("throw;");
        _writer.CloseBrace();
    }

    // ---- Retry and the call ------------------------------------------------------------------------------------

    private void Retry(string sequenceToken)
    {
        if (_pipeline.RetryField is not { } field)
        {
            Call(sequenceToken, isTimeoutToken: sequenceToken != _callerToken);
            Outcome(sequenceToken);
            return;
        }

        var open = _pipeline.CircuitBreakerField is not null ? $"!{_locals.Lease}.IsCircuitOpen && " : string.Empty;
        _writer.Block($"for (int {_locals.Attempt} = 1; ; {_locals.Attempt}++)");
        _writer.Line($"{_locals.Call}.StartAttempt({_locals.Attempt});");
        _writer.Block("try");
        if (_pipeline.HasAttemptTimeout)
        {
            AttemptCall(field, sequenceToken);
        }
        else
        {
            Call(sequenceToken, isTimeoutToken: sequenceToken != _callerToken);
        }

        Outcome(sequenceToken);
        _writer.CloseBrace();
        _writer.Block($"catch (global::System.Exception {_locals.Exception}) when ({open}{Field(field)}.ShouldRetry({_locals.Exception}, {_locals.Attempt}, {sequenceToken}))");
        WriteDelay(field, sequenceToken, _locals.Exception);
        if (_pipeline.CircuitBreakerField is not null)
        {
            // The breaker opened (for other calls) while this one waited: stop at once with the last failure.
            _writer.Block($"if ({_locals.Lease}.IsCircuitOpen)");
            _writer.Line("throw;");
            _writer.CloseBrace();
        }

        _writer.CloseBrace();
        _writer.CloseBrace();
    }

    /// <summary>The wait before a retry, through the call scope so that the retry is reported.</summary>
    private void WriteDelay(string field, string sequenceToken, string exception)
        => _writer.Line(_isAsync
            ? $"{Await($"{_locals.Call}.RetryDelayAsync({Field(field)}, {_locals.Attempt}, {exception}, {sequenceToken})")};"
            : $"{_locals.Call}.RetryDelay({Field(field)}, {_locals.Attempt}, {exception}, {sequenceToken});");

    /// <summary>The inner call under a per-attempt timeout; an expired attempt becomes a retryable timeout exception.</summary>
    private void AttemptCall(string field, string sequenceToken)
    {
        if (_returnsTask)
        {
            _writer.Line($"{TaskType}<{_method.ResultType}> {_locals.Task};");
        }

        if (NeedsResult)
        {
            _writer.Line($"{_method.ResultType} {_locals.Result};");
        }

        var timeout = $"{Field(field)}.AttemptTimeout!";
        _writer.Line($"var {_locals.AttemptScope} = {timeout}.Start({sequenceToken});");
        _writer.Block("try");
        Call(_locals.AttemptScope + ".Token", isTimeoutToken: true, declare: false);
        _writer.CloseBrace();
        _writer.Block($"catch (global::System.OperationCanceledException {_locals.Canceled}) when ({_locals.AttemptScope}.IsExpired)");
        _writer.Line($"throw {timeout}.CreateException({_locals.Canceled});");
        _writer.CloseBrace();
        _writer.Block("finally");
        _writer.Line($"{_locals.AttemptScope}.Dispose();");
        _writer.CloseBrace();
    }

    /// <summary>
    /// The inner call with <paramref name="token"/> in place of the method's token. Without a token parameter an
    /// async call under a timeout is abandoned when the token fires.
    /// </summary>
    private void Call(string token, bool isTimeoutToken, bool declare = true)
    {
        var arguments = new List<string>();
        for (var i = 0; i < _method.Parameters.Count; i++)
        {
            var parameter = _method.Parameters[i];
            arguments.Add(i == _pipeline.CancellationTokenParameter
                ? token
                : SignatureWriter.ArgumentModifier(parameter.RefKind) + parameter.Name);
        }

        var inner = SignatureWriter.Inner(_self, _method.DeclaringInterface, _method.IsExplicit, _method.IsBaseMember);
        var call = $"{inner}.{_method.Name}{SignatureWriter.TypeParameterList(_method.TypeParameters)}({string.Join(", ", arguments)})";
        if (_isAsync && isTimeoutToken && _pipeline.CancellationTokenParameter < 0)
        {
            call = $"{Helpers}.WaitAsync({call}, {token})";
        }

        var var = declare ? "var " : string.Empty;
        if (_returnsTask)
        {
            _writer.Line($"{var}{_locals.Task} = {call};");
            _writer.Line(NeedsResult
                ? $"{var}{_locals.Result} = {Await(_locals.Task)};"
                : $"{Await(_locals.Task)};");
        }
        else if (IsVoidLike)
        {
            _writer.Line($"{Await(call)};");
        }
        else
        {
            _writer.Line($"{var}{_locals.Result} = {Await(call)};");
        }
    }

    /// <summary>What follows a call that returned: result checks, breaker bookkeeping, cache store, return.</summary>
    private void Outcome(string sequenceToken)
    {
        var retry = _pipeline.RetryField;
        var hasLease = _pipeline.CircuitBreakerField is not null;
        var retryPredicate = _pipeline.RetryResultPredicate;
        var breakerPredicate = _pipeline.BreakerResultPredicate;

        if (retry is not null && retryPredicate is not null)
        {
            var open = hasLease ? $"!{_locals.Lease}.IsCircuitOpen && " : string.Empty;
            _writer.Block($"if ({retryPredicate}({_locals.Result}))");
            _writer.Block($"if ({open}{Field(retry)}.ShouldRetryResult({_locals.Attempt}, {sequenceToken}))");
            WriteDelay(retry, sequenceToken, "null");
            if (hasLease)
            {
                // The breaker opened while this call waited: no more attempts, the last result stands.
                _writer.Block($"if (!{_locals.Lease}.IsCircuitOpen)");
                _writer.Line("continue;");
                _writer.CloseBrace();
            }
            else
            {
                _writer.Line("continue;");
            }
            _writer.CloseBrace();
            _writer.Line();
            if (hasLease)
            {
                if (breakerPredicate == retryPredicate)
                {
                    _writer.Line($"{_locals.Lease}.RecordFailure();");
                }
                else
                {
                    _writer.Block($"if ({breakerPredicate}({_locals.Result}))");
                    _writer.Line($"{_locals.Lease}.RecordFailure();");
                    _writer.CloseBrace();
                    _writer.Block("else");
                    _writer.Line($"{_locals.Lease}.RecordSuccess();");
                    _writer.CloseBrace();
                    _writer.Line();
                }
            }

            _writer.Line(ReturnSuccess());
            _writer.CloseBrace();
            _writer.Line();
        }

        if (hasLease && breakerPredicate is not null && (retry is null || breakerPredicate != retryPredicate))
        {
            _writer.Block($"if ({breakerPredicate}({_locals.Result}))");
            _writer.Line($"{_locals.Lease}.RecordFailure();");
            _writer.Line(ReturnSuccess());
            _writer.CloseBrace();
            _writer.Line();
        }

        if (hasLease)
        {
            _writer.Line($"{_locals.Lease}.RecordSuccess();");
        }

        if (_pipeline.CacheFallbackField is { } cache)
        {
            _writer.Line($"{Field(cache)}.Store<{_method.ResultType}>({_locals.Key}, {_locals.Result});");
        }

        _writer.Line(ReturnSuccess());
    }

    private string ReturnSuccess()
        => IsVoidLike ? "return;" : _returnsTask ? $"return {_locals.Task};" : $"return {_locals.Result};";

    private string ReturnValue(string value)
        => _returnsTask ? $"return {TaskType}.FromResult<{_method.ResultType}>({value});" : $"return {value};";
}
