using System.Collections.Generic;
using System.Linq;
using System.Text;
using Resilience.Generator.Helpers;
using Resilience.Generator.Model;

namespace Resilience.Generator.Emitting;

/// <summary>
/// Writes a decorated method: the strategies inline, outermost first (Fallback → CacheFallback → RateLimit →
/// Bulkhead → Timeout → Hedge → CircuitBreaker → Retry → attempt timeout → inner call), with no delegates or closures;
/// with a hedge, CircuitBreaker and what follows go into a private attempt method (<see cref="WriteAttempt"/>).
/// A failure travels as a value in the <c>__error</c> local, not as a rethrown exception (see <see cref="WriteBody"/>).
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
    private readonly string _taskType;
    private readonly string _callerToken;
    private readonly bool _isAttempt;
    private readonly bool _attemptTokenIsExtra;
    private readonly string _telemetryField;
    private readonly CompilationFeatures _features;
    private readonly MemberNames _names;
    private readonly EquatableArray<TypeParameterModel> _classTypeParameters;

    private PipelineEmitter(
        SourceWriter writer, MethodModel method, InterfaceModel model, MemberNames names, string telemetryField, CompilationFeatures features, bool isAttempt = false)
    {
        var pipeline = method.Pipeline!;
        _names = names;
        _classTypeParameters = model.TypeParameters;
        _features = features;
        _telemetryField = telemetryField;
        _writer = writer;
        _method = method;
        _pipeline = pipeline;
        _interfaceType = model.InterfaceType;
        _locals = new Locals(method.Parameters);
        _self = MemberNames.Self(method.Parameters, method.TypeParameters);
        _isAsync = method.Shape is not (ReturnShape.Void or ReturnShape.Value);
        _returnsTask = method.Shape is ReturnShape.Task or ReturnShape.TaskOfT;
        _taskType = method.Shape == ReturnShape.TaskOfT ? $"{TaskType}<{method.ResultType}>" : TaskType;
        _callerToken = pipeline.CancellationTokenParameter >= 0 ? method.Parameters[pipeline.CancellationTokenParameter].Name : "default";
        _isAttempt = isAttempt;
        if (isAttempt && pipeline.CancellationTokenParameter < 0)
        {
            // The attempt method takes the hedge's token as an extra parameter; the inner call cannot, so it is abandoned when it fires.
            _attemptTokenIsExtra = true;
            _callerToken = _locals.HedgeToken;
        }
    }

    private bool IsVoidLike => _method.ResultType is null;

    private bool HasResultCheck => _pipeline.RetryResultPredicate is not null || _pipeline.BreakerResultPredicate is not null;

    /// <summary>A Task method whose core is built by <c>ProxyTaskMethodBuilder</c>: its task is the caller's.</summary>
    private bool BuildsCallerTask => _returnsTask && _features.SupportsProxyTaskBuilder;

    /// <summary>A Task method whose core returns the task as a value (a pooled <c>ValueTask</c> of it), without that builder.</summary>
    private bool ReturnsTaskValue => _returnsTask && !_features.SupportsProxyTaskBuilder;

    private bool NeedsResult => !IsVoidLike && (!_returnsTask || HasResultCheck || _pipeline.CacheFallbackField is not null || _isAttempt || Hedged);

    /// <summary>Whether the method hedges: its breaker, retry and call go into a private attempt method.</summary>
    private bool Hedged => _pipeline.HedgeField is not null;

    /// <summary>The stale cache answers a result marked as a failure that survived the retries.</summary>
    private bool CacheTakesMarked => !IsVoidLike && HasResultCheck && _pipeline.CacheFallbackField is not null && _pipeline.CacheAnswersMarkedResults;

    /// <summary>The fallback answers a result marked as a failure that survived the retries.</summary>
    private bool FallbackTakesMarked => !IsVoidLike && HasResultCheck && _pipeline.Fallback is not null && _pipeline.FallbackAnswersMarkedResults;

    /// <summary>
    /// Whether the method tracks a surviving marked result in the <c>__marked</c> local; a hedged attempt always does, so
    /// that a marked result is not an answer that wins the race.
    /// </summary>
    private bool TracksMarked => CacheTakesMarked || FallbackTakesMarked || (_isAttempt && !IsVoidLike && HasResultCheck);

    /// <summary>Writes the method of <paramref name="model"/>; <paramref name="telemetryField"/> is its <c>CallTelemetry</c> field.</summary>
    public static void Write(SourceWriter writer, MethodModel method, InterfaceModel model, MemberNames names, string telemetryField, CompilationFeatures features)
    {
        new PipelineEmitter(writer, method, model, names, telemetryField, features).Write();
        if (method.Pipeline!.HedgeField is not null)
        {
            writer.Line();
            new PipelineEmitter(writer, method, model, names, telemetryField, features, isAttempt: true).WriteAttempt();
        }
    }

    /// <summary>
    /// The private method that makes one hedged attempt: the breaker, the retry and the inner call, inside a hedged-attempt
    /// span. It returns the result (a marked one as a <c>HandledResultException</c>, so it does not win the race) or fails.
    /// </summary>
    private void WriteAttempt()
    {
        var returnType = IsVoidLike ? "global::System.Threading.Tasks.ValueTask" : $"global::System.Threading.Tasks.ValueTask<{_method.ResultType}>";
        var parameters = SignatureWriter.CoreParameters(_method.Parameters);
        var extra = (_attemptTokenIsExtra ? $"global::System.Threading.CancellationToken {_locals.HedgeToken}, " : string.Empty) + $"int {_locals.HedgeAttempt}";
        parameters = parameters.Length == 0 ? extra : parameters + ", " + extra;
        foreach (var attribute in _method.Attributes.Where(IsMarker))
        {
            _writer.Line(ConstantWriter.Attribute(attribute));
        }

        var typeParameters = SignatureWriter.TypeParameterDeclarations(_method.TypeParameters);
        _writer.Line($"private async {returnType} {_pipeline.HedgedName}{typeParameters}({parameters})");
        _writer.IndentedLines(SignatureWriter.Constraints(_method.TypeParameters, isExplicit: false));
        _writer.OpenBrace();
        _writer.Line($"var {_locals.Call} = {_self}{_telemetryField}.StartHedgedAttempt({_locals.HedgeAttempt});");
        DeclareOutcomeLocals();

        _writer.Block("try");
        CircuitBreaker(_callerToken);
        if (TracksMarked)
        {
            _writer.Line();
            MarkedToFailure();
        }

        _writer.Block($"if ({_locals.Error} is not null)");
        _writer.Line($"{_locals.Call}.Failed({_locals.Error});");
        _writer.CloseBrace();
        _writer.CloseBrace();
        _writer.Block("finally");
        _writer.Line($"{_locals.Call}.Dispose();");
        _writer.CloseBrace();
        _writer.Line();
        _writer.Block($"if ({_locals.Error} is not null)");
        _writer.Line($"global::System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw({_locals.Error});");
        _writer.CloseBrace();
        if (!IsVoidLike)
        {
            _writer.Line();
            _writer.Line($"return {_locals.Result};");
        }

        _writer.CloseBrace();
    }

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
        if (ReturnsTaskValue)
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

        var coreReturn = ReturnsTaskValue
            ? $"global::System.Threading.Tasks.ValueTask<{_taskType}>"
            : _method.ReturnType;
        if (BuildsCallerTask)
        {
            // The core's task is the caller's: the inner task itself on a synchronous success, else the state machine box.
            var builder = IsVoidLike ? "ProxyTaskMethodBuilder" : "ProxyTaskMethodBuilder<>";
            _writer.Line($"[global::System.Runtime.CompilerServices.AsyncMethodBuilder(typeof(global::Resilience.{builder}))]");
        }
        else if (_returnsTask && _features.SupportsPoolingValueTaskBuilder)
        {
            // Only the entry above consumes this ValueTask, exactly once, so its state machine box can be pooled.
            // The core of a Task method returns ValueTask<Task>, a generic value task too: same builder.
            _writer.Line("[global::System.Runtime.CompilerServices.AsyncMethodBuilder(typeof(global::System.Runtime.CompilerServices.PoolingAsyncValueTaskMethodBuilder<>))]");
        }

        // The core calls the inner member, so it repeats the member's Obsolete/Experimental attributes, as the entry does.
        foreach (var attribute in _method.Attributes.Where(IsMarker))
        {
            _writer.Line(ConstantWriter.Attribute(attribute));
        }

        _writer.Line($"private async {coreReturn} {_method.CoreName}{SignatureWriter.TypeParameterDeclarations(_method.TypeParameters)}({SignatureWriter.CoreParameters(_method.Parameters)})");
        _writer.IndentedLines(SignatureWriter.Constraints(_method.TypeParameters, isExplicit: false));
        _writer.OpenBrace();
        WriteBody();
        _writer.CloseBrace();
    }

    /// <summary>
    /// The pipeline inside one telemetry scope. A failure is a value: every layer runs its inner part, which leaves
    /// either a result or the failure in <c>__error</c>, then inspects it (retry loops, the breaker records, the
    /// timeout converts, the stale cache and the fallback consume it). Nothing is rethrown on the way out; a failure
    /// that nothing handled is thrown once, at the end, with its original stack trace.
    /// </summary>
    /// <summary>The locals a body or a hedged attempt carries its outcome in: the failure, the task, the result, the mark.</summary>
    private void DeclareOutcomeLocals()
    {
        _writer.Line($"global::System.Exception? {_locals.Error} = null;");
        if (_returnsTask)
        {
            _writer.Line($"{_taskType} {_locals.Task} = null!;");
        }

        if (NeedsResult)
        {
            _writer.Line($"{_method.ResultType} {_locals.Result} = default!;");
        }

        if (TracksMarked)
        {
            _writer.Line($"bool {_locals.Marked} = false;");
        }
    }

    private void WriteBody()
    {
        foreach (var parameter in _method.Parameters.Where(p => p.RefKind == ParameterRefKind.Out))
        {
            // Assigned up front: the inner call overwrites it, and a path that skips the call throws.
            _writer.Line($"{parameter.Name} = default!;");
        }

        _writer.Line($"var {_locals.Call} = {_self}{_telemetryField}.Start();");
        DeclareOutcomeLocals();

        _writer.Block("try");
        Fallback();
        _writer.Line();
        _writer.Block($"if ({_locals.Error} is not null)");
        _writer.Line($"{_locals.Call}.Failed({_locals.Error});");
        _writer.CloseBrace();
        _writer.CloseBrace();
        _writer.Block($"catch (global::System.Exception {_locals.Exception}) when ({_locals.Call}.Failed({_locals.Exception}))");
        _writer.Line("// Only what no strategy expects gets here (e.g. the fallback method failing); it passes untouched.");
        _writer.Line("throw;");
        _writer.CloseBrace();
        _writer.Block("finally");
        _writer.Line($"{_locals.Call}.Dispose();");
        _writer.CloseBrace();
        _writer.Line();

        if (BuildsCallerTask)
        {
            // The builder takes the task (or a task failed with the error) as the method's outcome, without a throw.
            _writer.Line($"{(IsVoidLike ? "" : "return ")}await {Helpers}.PassThrough({_locals.Task}, {_locals.Error});");
            return;
        }

        if (_returnsTask)
        {
            // A failed task: the caller's await throws, nothing inside the proxy does (except to cancel, see the helper).
            var fromException = IsVoidLike ? "FromException" : $"FromException<{_method.ResultType}>";
            _writer.Line($"return {_locals.Error} is null ? {_locals.Task} : {Helpers}.{fromException}({_locals.Error});");
            return;
        }

        _writer.Block($"if ({_locals.Error} is not null)");
        _writer.Line($"global::System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw({_locals.Error});");
        _writer.CloseBrace();
        if (!IsVoidLike)
        {
            _writer.Line();
            _writer.Line(_method.ReturnsDecoratedType
                ? $"return {Helpers}.DecoratorIfInner({_locals.Result}, {InnerField}, this);" // a fluent method: the chain stays decorated
                : $"return {_locals.Result};");
        }
    }

    private static bool IsMarker(AttributeModel attribute)
        => attribute.Type is "global::System.ObsoleteAttribute" or "global::System.Diagnostics.CodeAnalysis.ExperimentalAttribute";

    private string Await(string expression) => _isAsync ? $"await {expression}.ConfigureAwait(false)" : expression;

    /// <summary>A strategy or handler field, by the model's name for it.</summary>
    private string Field(string field) => _self + _names.Field(field);

    private string InnerField => _self + _names.Inner;

    /// <summary>Runs the statements <paramref name="body"/> writes; an exception they throw becomes <c>__error</c>.</summary>
    private void Capture(System.Action body)
    {
        _writer.Block("try");
        body();
        _writer.CloseBrace();
        _writer.Block($"catch (global::System.Exception {_locals.Exception})");
        _writer.Line($"{_locals.Error} = {_locals.Exception};");
        _writer.CloseBrace();
        _writer.Line();
    }

    /// <summary>Sets the value the method returns: the result, or for <c>Task&lt;T&gt;</c> a task of it.</summary>
    private string SetValue(string value)
        => _returnsTask ? $"{_locals.Task} = {TaskType}.FromResult<{_method.ResultType}>({value});" : $"{_locals.Result} = {value};";

    // ---- Fallback ----------------------------------------------------------------------------------------------

    private void Fallback()
    {
        if (_pipeline.Fallback is not { } fallback)
        {
            CacheFallback();
            return;
        }

        if (_pipeline.CacheFallbackField is not null || !BelowCacheIsCaptured)
        {
            // The catch sees only what a strategy below did not expect to fail (a cache key, a store, a predicate).
            Capture(CacheFallback);
        }
        else
        {
            CacheFallback();
        }

        if (FallbackTakesMarked && !CacheTakesMarked)
        {
            MarkedToFailure();
        }

        var filter = _pipeline.CancellationTokenParameter >= 0
            ? $" && !global::Resilience.ResilienceOutcome.IsCallerCancellation({_locals.Failure}, {_callerToken})"
            : string.Empty;
        _writer.Block($"if ({_locals.Error} is {fallback.ExceptionType} {_locals.Failure}{filter})");
        _writer.Line($"{_locals.Error} = null;");
        _writer.Line($"{_locals.Call}.Fallback({_locals.Failure});");
        WriteFallbackCall(fallback);
        _writer.CloseBrace();
        if (FallbackTakesMarked)
        {
            MarkedBack();
        }
    }

    /// <summary>A surviving marked result becomes a failure for the stale cache and the fallback.</summary>
    private void MarkedToFailure()
    {
        _writer.Block($"if ({_locals.Marked})");
        _writer.Line($"{_locals.Error} = new global::Resilience.HandledResultException<{_method.ResultType}>({_locals.Result});");
        _writer.CloseBrace();
        _writer.Line();
    }

    /// <summary>A marked result that nothing answered goes back to being the result.</summary>
    private void MarkedBack()
    {
        _writer.Line();
        _writer.Block($"if ({_locals.Marked} && {_locals.Error} is global::Resilience.HandledResultException)");
        _writer.Line($"{_locals.Error} = null;");
        _writer.CloseBrace();
    }

    private void WriteFallbackCall(FallbackModel fallback)
    {
        var receiver = fallback.Target switch
        {
            FallbackTarget.Static => fallback.Receiver,
            FallbackTarget.HandlerInstance => Field(fallback.Receiver),
            _ => fallback.Receiver == _interfaceType ? InnerField : $"(({fallback.Receiver}){InnerField})",
        };
        var arguments = string.Join(", ", fallback.Arguments.Select(a => a < 0 ? _locals.Failure : StaticArgument(a)));
        var call = $"{receiver}.{fallback.MethodName}{(fallback.TypeArguments.IsEmpty ? string.Empty : "<" + string.Join(", ", fallback.TypeArguments) + ">")}({arguments})";

        // Differs from the method's result only in nullability: passed on as it is (RES0020 warns where it may be null).
        var forgive = fallback.NullForgiving ? "!" : string.Empty;

        if (_returnsTask)
        {
            // The fallback's own task is handed back as it is (not awaited here), as for the inner call's.
            if (fallback.ReturnKind == FallbackReturnKind.Void)
            {
                _writer.Line(call + ";");
            }

            _writer.Line(fallback.ReturnKind switch
            {
                FallbackReturnKind.Void => $"{_locals.Task} = {TaskType}.CompletedTask;",
                FallbackReturnKind.Task or FallbackReturnKind.TaskOfT => $"{_locals.Task} = {call}{forgive};",
                FallbackReturnKind.ValueTask or FallbackReturnKind.ValueTaskOfT => $"{_locals.Task} = {call}.AsTask(){forgive};",
                _ => SetValue(call + forgive),
            });
            return;
        }

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

        _writer.Line(fallback.ReturnKind is FallbackReturnKind.TaskOfT or FallbackReturnKind.ValueTaskOfT
            ? (fallback.NullForgiving ? $"{_locals.Result} = ({Await(call)})!;" : $"{_locals.Result} = {Await(call)};")
            : $"{_locals.Result} = {call}{forgive};");
    }

    // ---- CacheFallback -----------------------------------------------------------------------------------------

    /// <summary>The most key arguments a <c>CacheKey</c> holds (<c>CacheKey.MaxArguments</c> in the runtime).</summary>
    private const int MaxKeyArguments = 4;

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
        if (BelowCacheIsCaptured)
        {
            RateLimit();
        }
        else
        {
            Capture(RateLimit);
        }

        if (CacheTakesMarked)
        {
            MarkedToFailure();
        }

        _writer.Block($"if ({_locals.Error} is not null && {Field(field)}.TryGetStale<{resultType}>({_locals.Key}, {_locals.Error}, {_callerToken}, out var {_locals.Stale}))");
        _writer.Line($"{_locals.Error} = null;");
        _writer.Line(SetValue(_locals.Stale));
        _writer.CloseBrace();
        if (CacheTakesMarked && !FallbackTakesMarked)
        {
            MarkedBack();
        }
    }

    /// <summary>
    /// The key expression: the method's full name, the closed type arguments of the decorator and the method in square
    /// brackets (when generic), and the key arguments, each quoted and escaped: <c>Data.IRepository&lt;TEntity&gt;.GetAsync[Shop.Customer]("42")</c>.
    /// Up to <c>CacheKey.MaxArguments</c> arguments are held as they are by a <c>CacheKey</c>, which writes that text only
    /// when a store needs it; a call without arguments or type arguments uses the text itself, and one with more arguments
    /// writes it with <c>CacheKeyBuilder</c>. With a key method, its result is the one argument.
    /// </summary>
    private string CacheKey()
    {
        var typeArguments = _classTypeParameters.Concat(_method.TypeParameters).Select(t => "{typeof(" + t.Name + ")}").ToList();
        var values = _pipeline.CacheKeyMethod is { } keyMethod
            ? new List<string> { keyMethod + "(" + string.Join(", ", _pipeline.CacheKeyParameters.Select(StaticArgument)) + ")" }
            : _pipeline.CacheKeyParameters.Select(StaticArgument).ToList();
        if (typeArguments.Count == 0 && values.Count == 0)
        {
            return CSharpText.Literal(_pipeline.CacheKeyPrefix + "()");
        }

        var prefix = new StringBuilder();
        AppendInterpolationText(prefix, _pipeline.CacheKeyPrefix);
        if (typeArguments.Count > 0)
        {
            prefix.Append('[').Append(string.Join(", ", typeArguments)).Append(']');
        }

        if (values.Count > MaxKeyArguments)
        {
            return $"global::Resilience.CacheKeyBuilder.Build($\"{prefix}({string.Join(", ", values.Select(v => "{" + v + "}"))})\")";
        }

        var name = typeArguments.Count > 0 ? $"$\"{prefix}\"" : CSharpText.Literal(_pipeline.CacheKeyPrefix);
        return $"global::Resilience.CacheKey.Of({string.Join(", ", values.Prepend(name))})";
    }

    /// <summary>
    /// A dynamic argument as object, so that the call binds statically: an interpolated-string handler cannot take a
    /// dynamic argument, and a dynamically dispatched call cannot take a span or a <c>default</c> literal (found by the fuzz).
    /// </summary>
    private string StaticArgument(int index)
    {
        var parameter = _method.Parameters[index];
        return parameter.Type == "dynamic" ? "(object)" + parameter.Name : parameter.Name;
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

    /// <summary>
    /// Whether every failure below the cache layer, expected or not, already ends in <c>__error</c>: the admission
    /// layer and the breaker each wrap all they contain in one capture.
    /// </summary>
    private bool BelowCacheIsCaptured
        => _pipeline.RateLimitField is not null || _pipeline.BulkheadField is not null || _pipeline.CircuitBreakerField is not null;

    /// <summary>
    /// Whether the rate limit (one for all calls, not per key) hands the clock reading it admitted the call at on to the
    /// timeout, through a bulkhead that drops it when the call had to wait: one clock read per call instead of two.
    /// </summary>
    private bool SharesClock
        => _pipeline.RateLimitField is not null && _pipeline.RateLimitKeyParameter < 0 && _pipeline.TimeoutField is not null;

    /// <summary>
    /// Admission: the rate limiter and the bulkhead hand a rejection back (<c>Admit</c>/<c>AdmitAsync</c>), which becomes
    /// <c>__error</c> without a throw; one capture around them and everything they admit turns any failure below (or a
    /// cancelled wait) into <c>__error</c>.
    /// </summary>
    private void RateLimit()
    {
        var rateLimit = _pipeline.RateLimitField;
        var bulkhead = _pipeline.BulkheadField;
        if (rateLimit is null && bulkhead is null)
        {
            Timeout();
            return;
        }

        Capture(() =>
        {
            var admit = _isAsync ? "AdmitAsync" : "Admit";
            var conditions = new List<string>(2);

            var reading = SharesClock ? ", out long " + _locals.AdmittedAt : string.Empty;
            if (rateLimit is not null)
            {
                var key = _pipeline.RateLimitKeyParameter >= 0 ? StaticArgument(_pipeline.RateLimitKeyParameter) + ", " : string.Empty;
                conditions.Add($"({_locals.Error} = {Await($"{Field(rateLimit)}.{admit}({key}{_callerToken}{reading})")}) is null");
            }

            if (bulkhead is not null)
            {
                reading = SharesClock ? ", ref " + _locals.AdmittedAt : string.Empty;
                conditions.Add($"({_locals.Error} = {Await($"{Field(bulkhead)}.{admit}({_callerToken}{reading})")}) is null");
            }

            if (bulkhead is null)
            {
                _writer.Block($"if ({string.Join(" && ", conditions)})");
                Timeout();
                _writer.CloseBrace();
                return;
            }

            // The try/finally that releases the slot is the if's whole body: no extra level of nesting for the call.
            _writer.Line($"if ({conditions[0]}{(conditions.Count == 1 ? ")" : string.Empty)}");
            if (conditions.Count == 2)
            {
                _writer.IndentedLines(new[] { $"&& {conditions[1]})" });
            }

            _writer.Block("try");
            Timeout();
            _writer.CloseBrace();
            _writer.Block("finally");
            _writer.Line($"{Field(bulkhead)}.Release();");
            _writer.CloseBrace();
        });
    }

    // ---- Timeout -----------------------------------------------------------------------------------------------

    private void Timeout()
    {
        if (_pipeline.TimeoutField is not { } field)
        {
            Hedge(_callerToken);
            return;
        }

        var startedAt = SharesClock ? ", " + _locals.AdmittedAt : string.Empty;
        _writer.Line($"var {_locals.Timeout} = {Field(field)}.Start({_callerToken}{startedAt});");
        _writer.Block("try");
        Hedge(_locals.Timeout + ".Token");
        _writer.Line();
        _writer.Block($"if ({_locals.Error} is global::System.OperationCanceledException && {_locals.Timeout}.IsExpired)");
        _writer.Line($"{_locals.Error} = {Field(field)}.CreateException({_locals.Error});");
        _writer.CloseBrace();
        _writer.CloseBrace();
        _writer.Block("finally");
        _writer.Line($"{_locals.Timeout}.Dispose();");
        _writer.CloseBrace();
    }

    // ---- Hedge -------------------------------------------------------------------------------------------------

    /// <summary>
    /// The race: the first attempt through the attempt method; only when it has not answered at once, the race that
    /// starts the others (<c>HedgeRace</c>) and keeps the first answer. Afterwards <c>__error</c> or the result is set.
    /// </summary>
    private void Hedge(string sequenceToken)
    {
        if (_pipeline.HedgeField is not { } field)
        {
            CircuitBreaker(sequenceToken);
            return;
        }

        var arguments = new List<string>();
        for (var i = 0; i < _method.Parameters.Count; i++)
        {
            arguments.Add(i == _pipeline.CancellationTokenParameter ? _locals.Hedge + ".Token" : StaticArgument(i));
        }

        if (_pipeline.CancellationTokenParameter < 0)
        {
            arguments.Add(_locals.Hedge + ".Token");
        }

        var call = $"{_self}{_pipeline.HedgedName}{SignatureWriter.TypeParameterList(_method.TypeParameters)}({string.Join(", ", arguments)}";
        _writer.Line($"var {_locals.Hedge} = {Field(field)}.Start({sequenceToken});");
        _writer.Block("try");
        _writer.Line($"var {_locals.First} = {call}, 1);");
        _writer.Block($"if ({_locals.First}.IsCompletedSuccessfully)");
        _writer.Line(IsVoidLike ? $"{_locals.First}.GetAwaiter().GetResult();" : $"{_locals.Result} = {_locals.First}.Result;");
        _writer.CloseBrace();
        _writer.Block("else");
        _writer.Line($"var {_locals.Race} = {_locals.Hedge}.Race({_locals.First});");
        _writer.Block($"while (await {_locals.Race}.NextAsync().ConfigureAwait(false))");
        _writer.Line($"{_locals.Race}.Add({call}, {_locals.Race}.Started + 1));");
        _writer.CloseBrace();
        _writer.Line();
        _writer.Line($"{_locals.Error} = {_locals.Race}.Error;");
        if (!IsVoidLike)
        {
            _writer.Block($"if ({_locals.Error} is null)");
            _writer.Line($"{_locals.Result} = {_locals.Race}.GetResult<{_method.ResultType}>();");
            _writer.CloseBrace();
        }

        _writer.CloseBrace();
        _writer.CloseBrace();
        _writer.Block("finally");
        _writer.Line($"{_locals.Hedge}.Dispose();");
        _writer.CloseBrace();
        if (!IsVoidLike && HasResultCheck)
        {
            // A marked result no hedge bettered: the call's answer again, marked, as without hedging.
            _writer.Line();
            _writer.Block($"if ({_locals.Error} is global::Resilience.HandledResultException<{_method.ResultType}> {_locals.Handled})");
            _writer.Line($"{_locals.Error} = null;");
            _writer.Line($"{_locals.Result} = {_locals.Handled}.Result;");
            if (TracksMarked)
            {
                _writer.Line($"{_locals.Marked} = true;");
            }

            _writer.CloseBrace();
        }

        var store = _pipeline.CacheFallbackField is { } cache ? $"{Field(cache)}.Store<{_method.ResultType}>({_locals.Key}, {_locals.Result});" : null;
        var setTask = !_returnsTask ? null : IsVoidLike ? $"{_locals.Task} = {TaskType}.CompletedTask;" : SetValue(_locals.Result);
        if (store is not null || setTask is not null)
        {
            var marked = store is not null && TracksMarked ? $" && !{_locals.Marked}" : string.Empty;
            _writer.Line();
            _writer.Block($"if ({_locals.Error} is null)");
            if (setTask is not null)
            {
                _writer.Line(setTask);
            }

            if (store is not null)
            {
                if (marked.Length > 0)
                {
                    _writer.Block($"if (!{_locals.Marked})");
                    _writer.Line(store);
                    _writer.CloseBrace();
                }
                else
                {
                    _writer.Line(store);
                }
            }

            _writer.CloseBrace();
        }
    }

    // ---- CircuitBreaker ----------------------------------------------------------------------------------------

    private void CircuitBreaker(string sequenceToken)
    {
        if (_pipeline.CircuitBreakerField is not { } field)
        {
            Retry(sequenceToken);
            return;
        }

        var key = _pipeline.CircuitBreakerKeyParameter >= 0 ? StaticArgument(_pipeline.CircuitBreakerKeyParameter) + ", " : string.Empty;
        _writer.Line($"global::Resilience.CircuitBreakerLease {_locals.Lease} = default;");
        Capture(() =>
        {
            // A rejection is handed back, not thrown: it becomes the failure without a throw.
            _writer.Block($"if ({Field(field)}.TryAcquire({key}out {_locals.Lease}, out var {_locals.Rejection}))");
            Retry(sequenceToken);
            _writer.CloseBrace();
            _writer.Block("else");
            _writer.Line($"{_locals.Error} = {_locals.Rejection};");
            _writer.CloseBrace();
        });

        // After a rejection the lease is the default one, which records nothing.
        _writer.Block($"if ({_locals.Error} is not null)");
        _writer.Line($"{_locals.Lease}.RecordException({_locals.Error}, {_callerToken});");
        _writer.CloseBrace();
    }

    // ---- Retry and the call ------------------------------------------------------------------------------------

    private void Retry(string sequenceToken)
    {
        if (_pipeline.RetryField is not { } field)
        {
            Observe(sequenceToken, isTimeoutToken: sequenceToken != _callerToken || _attemptTokenIsExtra);
            _writer.Block($"if ({_locals.Error} is null)");
            Outcome(sequenceToken, inLoop: false);
            _writer.CloseBrace();
            return;
        }

        var open = _pipeline.CircuitBreakerField is not null ? $"{_locals.Lease}.IsCircuitOpen || " : string.Empty;
        if (_pipeline.RetryHasBudget)
        {
            _writer.Line($"{Field(field)}.RecordCall();");
        }

        _writer.Block($"for (int {_locals.Attempt} = 1; ; {_locals.Attempt}++)");
        _writer.Line($"{_locals.Call}.StartAttempt({_locals.Attempt});");
        if (_pipeline.HasAttemptTimeout)
        {
            AttemptCall(field, sequenceToken);
        }
        else
        {
            Observe(sequenceToken, isTimeoutToken: sequenceToken != _callerToken || _attemptTokenIsExtra);
        }

        _writer.Block($"if ({_locals.Error} is null)");
        Outcome(sequenceToken, inLoop: true);
        _writer.CloseBrace();
        _writer.Line();
        _writer.Block($"if ({open}!{Field(field)}.ShouldRetry({_locals.Error}, {_locals.Attempt}, {sequenceToken}))");
        _writer.Line("break;");
        _writer.CloseBrace();
        _writer.Line();
        WriteDelay(field, sequenceToken, _locals.Error);
        if (_pipeline.CircuitBreakerField is not null)
        {
            // The breaker opened (for other calls) while this one waited: stop at once with the last failure.
            _writer.Block($"if ({_locals.Lease}.IsCircuitOpen)");
            _writer.Line("break;");
            _writer.CloseBrace();
            _writer.Line();
        }

        _writer.Line($"{_locals.Error} = null;");
        _writer.CloseBrace();
    }

    /// <summary>
    /// The wait before a retry, through the call scope so that the retry is reported. It ends early only when the
    /// sequence is cancelled; that cancellation replaces the failure and ends the loop.
    /// </summary>
    private void WriteDelay(string field, string sequenceToken, string exception)
    {
        _writer.Block("try");
        _writer.Line(_isAsync
            ? $"{Await($"{_locals.Call}.RetryDelayAsync({Field(field)}, {_locals.Attempt}, {exception}, {sequenceToken})")};"
            : $"{_locals.Call}.RetryDelay({Field(field)}, {_locals.Attempt}, {exception}, {sequenceToken});");
        _writer.CloseBrace();
        _writer.Block($"catch (global::System.Exception {_locals.Exception})");
        _writer.Line($"{_locals.Error} = {_locals.Exception};");
        _writer.Line("break;");
        _writer.CloseBrace();
        _writer.Line();
    }

    /// <summary>
    /// The wait before retrying a result marked as a failure; the retry policy sees the result (a <c>Retry-After</c>
    /// header, say). Ends like <see cref="WriteDelay"/>.
    /// </summary>
    private void WriteResultDelay(string field, string sequenceToken)
    {
        _writer.Block("try");
        _writer.Line(_isAsync
            ? $"{Await($"{_locals.Call}.RetryResultDelayAsync({Field(field)}, {_locals.Attempt}, {_locals.Result}, {sequenceToken})")};"
            : $"{_locals.Call}.RetryResultDelay({Field(field)}, {_locals.Attempt}, {_locals.Result}, {sequenceToken});");
        _writer.CloseBrace();
        _writer.Block($"catch (global::System.Exception {_locals.Exception})");
        _writer.Line($"{_locals.Error} = {_locals.Exception};");
        _writer.Line("break;");
        _writer.CloseBrace();
        _writer.Line();
    }

    /// <summary>The inner call under a per-attempt timeout; an expired attempt becomes a retryable timeout failure.</summary>
    private void AttemptCall(string field, string sequenceToken)
    {
        var timeout = $"{Field(field)}.AttemptTimeout!";
        _writer.Line($"var {_locals.AttemptScope} = {timeout}.Start({sequenceToken});");
        Observe(_locals.AttemptScope + ".Token", isTimeoutToken: true);
        _writer.Block($"if ({_locals.Error} is global::System.OperationCanceledException && {_locals.AttemptScope}.IsExpired)");
        _writer.Line($"{_locals.Error} = {timeout}.CreateException({_locals.Error});");
        _writer.CloseBrace();
        _writer.Line();
        _writer.Line($"{_locals.AttemptScope}.Dispose();");
    }

    /// <summary>
    /// The inner call with <paramref name="token"/> in place of the method's token, observed without rethrowing:
    /// afterwards either <c>__error</c> holds its failure or the result local (and, for <c>Task</c>/<c>Task&lt;T&gt;</c>, the task
    /// local) its value. Without a token parameter an async call under a timeout is abandoned when the token fires.
    /// </summary>
    private void Observe(string token, bool isTimeoutToken)
    {
        var arguments = new List<string>();
        for (var i = 0; i < _method.Parameters.Count; i++)
        {
            var parameter = _method.Parameters[i];
            arguments.Add(i == _pipeline.CancellationTokenParameter
                ? token
                : SignatureWriter.Argument(parameter));
        }

        var inner = SignatureWriter.Inner(InnerField, _method.DeclaringInterface, _method.IsExplicit, _method.IsBaseMember);
        var call = $"{inner}.{_method.Name}{SignatureWriter.TypeParameterList(_method.TypeParameters)}({string.Join(", ", arguments)})";
        // Under a timeout the wait ends at the deadline even when the inner call ignores its token (or has none): a
        // task is raced at its await below, anything else through a helper; the abandoned call is observed.
        var raceAtAwait = _isAsync && isTimeoutToken && _returnsTask && _features.SupportsConfigureAwaitOptions;
        if (_isAsync && isTimeoutToken && !raceAtAwait)
        {
            call = $"{Helpers}.WaitAsync({call}, {token})";
        }

        Capture(() =>
        {
            // Chaos (configuration only, docs/chaos.md): one check of the call scope when off.
            var inject = _isAsync
                ? $"await {_locals.Call}.InjectChaosAsync({token}).ConfigureAwait(false)"
                : $"{_locals.Call}.InjectChaos({token})";
            if (IsVoidLike && _method.Shape != ReturnShape.Task)
            {
                _writer.Block($"if (!{_locals.Call}.HasChaos || !{inject})");
                InnerCall(call, raceAtAwait ? token : null);
                _writer.CloseBrace();
                return;
            }

            _writer.Block($"if ({_locals.Call}.HasChaos && {inject})");
            ChaosResult();
            _writer.CloseBrace();
            _writer.Block("else");
            InnerCall(call, raceAtAwait ? token : null);
            _writer.CloseBrace();
        });
    }

    /// <summary>Sets what the method returns to the result chaos substitutes for the inner call's.</summary>
    private void ChaosResult()
    {
        var result = IsVoidLike ? string.Empty
            : _method.ResultIsNotTypeArgument ? "default!"
            : $"{_locals.Call}.ChaosResult<{_method.ResultType}>()";
        if (_method.Shape == ReturnShape.Task)
        {
            _writer.Line($"{_locals.Task} = {TaskType}.CompletedTask;");
        }
        else if (_method.Shape == ReturnShape.TaskOfT && NeedsResult)
        {
            _writer.Line($"{_locals.Result} = {result};");
            _writer.Line(SetValue(_locals.Result));
        }
        else
        {
            _writer.Line(SetValue(result));
        }
    }

    /// <summary>The inner call, observed by its shape (see <see cref="Observe"/>).</summary>
    private void InnerCall(string call, string? raceToken)
    {
        switch (_method.Shape)
        {
            case ReturnShape.Task or ReturnShape.TaskOfT:
                ObserveTask(call, raceToken);
                break;
            case ReturnShape.ValueTask or ReturnShape.ValueTaskOfT:
                ObserveValueTask(call);
                break;
            case ReturnShape.Void:
                _writer.Line(call + ";");
                break;
            default:
                // [return: MaybeNull] lets the inner call return null where the type says it cannot; it is returned as it came.
                var maybeNull = _method.ReturnAttributes.Any(a => a.Type == "global::System.Diagnostics.CodeAnalysis.MaybeNullAttribute") ? "!" : string.Empty;
                _writer.Line($"{_locals.Result} = {call}{maybeNull};");
                break;
        }
    }

    /// <summary>
    /// A task is awaited without throwing (.NET 8+); its failure is read from the completed task. With
    /// <paramref name="raceToken"/> (a timeout's token) the wait also ends when that token is cancelled; a task still
    /// pending then is abandoned and the call fails with an <c>OperationCanceledException</c>.
    /// </summary>
    private void ObserveTask(string call, string? raceToken)
    {
        var isGeneric = _method.Shape == ReturnShape.TaskOfT;
        _writer.Line($"{_locals.Task} = {call};");
        _writer.Block($"if (!{_locals.Task}.IsCompleted)");
        if (_features.SupportsConfigureAwaitOptions)
        {
            var task = raceToken is not null
                ? $"{Helpers}.WhenCompletedOrCanceled({_locals.Task}, {raceToken})"
                : isGeneric ? $"(({TaskType}){_locals.Task})" : _locals.Task;
            _writer.Line($"await {task}.ConfigureAwait(global::System.Threading.Tasks.ConfigureAwaitOptions.SuppressThrowing);");
        }
        else
        {
            // Without ConfigureAwaitOptions a pending task's failure arrives as a throw, caught below.
            _writer.Line($"await {_locals.Task}.ConfigureAwait(false);");
        }

        _writer.CloseBrace();
        _writer.Line();
        if (raceToken is not null)
        {
            _writer.Block($"if (!{_locals.Task}.IsCompleted)");
            _writer.Line($"{_locals.Error} = {Helpers}.Abandon({_locals.Task}, {raceToken});");
            _writer.CloseBrace();
            _writer.Block($"else if (!{_locals.Task}.IsCompletedSuccessfully)");
        }
        else
        {
            _writer.Block($"if (!{_locals.Task}.IsCompletedSuccessfully)");
        }

        _writer.Line($"{_locals.Error} = {Helpers}.GetException({_locals.Task});");
        _writer.CloseBrace();
        if (isGeneric && NeedsResult)
        {
            _writer.Block("else");
            _writer.Line($"{_locals.Result} = {_locals.Task}.Result;");
            _writer.CloseBrace();
        }
    }

    /// <summary>
    /// A value task is read without awaiting when it has completed. A pending one is awaited: if it is backed by an
    /// <c>IValueTaskSource</c>, its failure can only be obtained by throwing it (caught below).
    /// </summary>
    private void ObserveValueTask(string call)
    {
        _writer.Line($"var {_locals.Pending} = {call};");
        _writer.Block(NeedsResult
            ? $"if (!{Helpers}.TryComplete({_locals.Pending}, out {_locals.Result}, out {_locals.Error}))"
            : $"if (!{Helpers}.TryComplete({_locals.Pending}, out {_locals.Error}))");
        _writer.Line("// Pending: if an IValueTaskSource backs it, its failure can only be had by throwing it.");
        _writer.Line(NeedsResult ? $"{_locals.Result} = {Await(_locals.Pending)};" : $"{Await(_locals.Pending)};");
        _writer.CloseBrace();
    }

    /// <summary>
    /// What follows a call that returned: result checks (a result marked as a failure may be retried), breaker
    /// bookkeeping, cache store. Inside the retry loop it ends the loop unless it retries.
    /// </summary>
    private void Outcome(string sequenceToken, bool inLoop)
    {
        var retry = _pipeline.RetryField;
        var hasLease = _pipeline.CircuitBreakerField is not null;
        var retryPredicate = _pipeline.RetryResultPredicate;
        var breakerPredicate = _pipeline.BreakerResultPredicate;
        var opened = false;

        if (retry is not null && retryPredicate is not null)
        {
            var open = hasLease ? $"!{_locals.Lease}.IsCircuitOpen && " : string.Empty;
            _writer.Block($"if ({retryPredicate}({_locals.Result}))");
            _writer.Block($"if ({open}{Field(retry)}.ShouldRetryResult({_locals.Attempt}, {sequenceToken}))");
            WriteResultDelay(retry, sequenceToken);
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
            if (TracksMarked)
            {
                _writer.Line();
                _writer.Line($"{_locals.Marked} = true;");
            }

            if (hasLease)
            {
                _writer.Line();
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
                }
            }

            _writer.CloseBrace();
            opened = true;
        }

        if (hasLease && breakerPredicate is not null && (retry is null || breakerPredicate != retryPredicate))
        {
            _writer.Block($"{(opened ? "else " : string.Empty)}if ({breakerPredicate}({_locals.Result}))");
            _writer.Line($"{_locals.Lease}.RecordFailure();");
            if (TracksMarked)
            {
                _writer.Line($"{_locals.Marked} = true;");
            }

            _writer.CloseBrace();
            opened = true;
        }

        var cacheStore = _isAttempt ? null : _pipeline.CacheFallbackField;
        if (hasLease || cacheStore is not null)
        {
            if (opened)
            {
                _writer.Block("else");
            }

            if (hasLease)
            {
                _writer.Line($"{_locals.Lease}.RecordSuccess();");
            }

            if (cacheStore is not null)
            {
                _writer.Line($"{Field(cacheStore)}.Store<{_method.ResultType}>({_locals.Key}, {_locals.Result});");
            }

            if (opened)
            {
                _writer.CloseBrace();
            }
        }

        if (inLoop)
        {
            if (opened)
            {
                _writer.Line();
            }

            _writer.Line("break;");
        }
    }

    private string ReturnValue(string value)
        => ReturnsTaskValue ? $"return {TaskType}.FromResult<{_method.ResultType}>({value});" : $"return {value};";
}
