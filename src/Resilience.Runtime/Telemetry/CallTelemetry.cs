using System.Diagnostics;

namespace Resilience;

/// <summary>
/// The telemetry descriptor of one decorated method (created once, in the decorator's constructor, by
/// <see cref="ResilienceTelemetry.CreateCall(string, string)"/>) or of one <see cref="ResilientCall{T}"/>. <see cref="Start"/> begins a call.
/// </summary>
/// <remarks>
/// The span name is <c>"{Interface}.{Method}"</c> with the interface's simple name (a <see cref="ResilientCall{T}"/>'s
/// span is named after its operation); its attempts are <c>"{span name} attempt"</c>. When nobody listens,
/// <see cref="Start"/> reads no clock, starts no span and allocates nothing.
/// </remarks>
public sealed class CallTelemetry
{
    internal const string CallSpanMarker = "resilience.call";

    // The call running in the current async flow, set by Start only when a rejection or timeout counter is listened to
    // and no call span is started (a call span is found through Activity.Current instead), so strategies can tag their
    // rejections and timeouts with the call they ended.
    private static readonly AsyncLocal<CallTelemetry?> s_ambient = new();

    internal CallTelemetry(ResilienceTelemetry telemetry, string interfaceName, string methodName, string[] instanceNames)
    {
        Telemetry = telemetry;
        InterfaceName = interfaceName;
        MethodName = methodName;
        OperationName = interfaceName + "." + methodName;
        ChaosPoint = telemetry.Registry.GetChaosPoint(OperationName, [interfaceName, .. instanceNames]);
        int dot = interfaceName.LastIndexOf('.', interfaceName.IndexOf('<') is var generic and >= 0 ? generic : interfaceName.Length - 1);
        SpanName = interfaceName.Substring(dot + 1) + "." + methodName;
        AttemptSpanName = SpanName + " attempt";
    }

    /// <summary>A call that is not a generated method's (a <see cref="ResilientCall{T}"/>): no interface, no method.</summary>
    internal CallTelemetry(ResilienceTelemetry telemetry, string operationName, string[] instanceNames)
    {
        Telemetry = telemetry;
        InterfaceName = string.Empty;
        MethodName = string.Empty;
        OperationName = operationName;
        ChaosPoint = telemetry.Registry.GetChaosPoint(operationName, instanceNames);
        SpanName = operationName;
        AttemptSpanName = SpanName + " attempt";
    }

    /// <summary>The interface's full name, the <c>resilience.interface</c> tag; empty for a <see cref="ResilientCall{T}"/>.</summary>
    public string InterfaceName { get; }

    /// <summary>The method's name, the <c>resilience.method</c> tag; empty for a <see cref="ResilientCall{T}"/>.</summary>
    public string MethodName { get; }

    /// <summary>
    /// The <c>resilience.operation</c> tag, on every call: <c>"{Interface full name}.{Method}"</c> for a generated method,
    /// the name given to <see cref="ResilientCallBuilder{T}.WithName"/> for a <see cref="ResilientCall{T}"/>.
    /// </summary>
    public string OperationName { get; }

    /// <summary>The name of the call span, <c>"{Interface}.{Method}"</c> (or the operation's name).</summary>
    public string SpanName { get; }

    internal string AttemptSpanName { get; }

    internal string HedgedAttemptSpanName => SpanName + " hedged attempt";

    internal ResilienceTelemetry Telemetry { get; }

    /// <summary>Where chaos is injected into this operation's inner calls; its names are the operation's and its instances'.</summary>
    internal ChaosPoint ChaosPoint { get; }

    internal static CallTelemetry? Ambient
    {
        get => s_ambient.Value;
        set => s_ambient.Value = value;
    }

    /// <summary>
    /// Begins a call: reads the clock when a call metric is listened to, and starts the call span (current for the rest
    /// of the call) when the activity source has listeners. Dispose the scope exactly once when the call ends.
    /// </summary>
    public CallScope Start()
    {
        ResilienceTelemetry telemetry = Telemetry;
        ChaosInjector? chaos = ChaosPoint.Injector;
        if (chaos is null && !telemetry.IsListened)
        {
            return new CallScope(this, null);
        }

        return new CallScope(this, StartListened(chaos));
    }

    /// <summary>
    /// Begins hedged attempt <paramref name="attempt"/> (from 1) of a call: a span <c>"{span name} hedged attempt"</c>
    /// tagged <c>resilience.hedge.attempt</c> when traced, under which the attempt's retries are reported as usual. It
    /// records no call metrics (the call's own scope does). Allocates nothing when nobody traces.
    /// </summary>
    /// <param name="attempt">The hedged attempt, from 1 (the first attempt).</param>
    public CallScope StartHedgedAttempt(int attempt)
    {
        Activity? activity = null;
        ResilienceTelemetry telemetry = Telemetry;
        if (telemetry.ActivitySource.HasListeners())
        {
            activity = telemetry.ActivitySource.StartActivity(HedgedAttemptSpanName, ActivityKind.Internal);
            if (activity is not null && activity.IsAllDataRequested)
            {
                SetTags(activity);
                activity.SetTag(ResilienceTelemetry.HedgeAttemptTag, attempt);
            }
        }

        ChaosInjector? chaos = ChaosPoint.Injector;
        if (activity is null && chaos is null)
        {
            return new CallScope(this, null);
        }

        CallScopeState state = CallScopeState.Rent();
        state.Activity = activity;
        state.Chaos = chaos;
        return new CallScope(this, state);
    }

    private CallScopeState StartListened(ChaosInjector? chaos)
    {
        ResilienceTelemetry telemetry = Telemetry;
        CallScopeState state = CallScopeState.Rent();
        state.Chaos = chaos;
        state.Measured = telemetry.Calls.Enabled || telemetry.CallDuration.Enabled || telemetry.Observer is not null;
        state.Started = state.Measured ? telemetry.TimeProvider.GetTimestamp() : 0;
        Activity? activity = null;
        if (telemetry.ActivitySource.HasListeners())
        {
            activity = telemetry.ActivitySource.StartActivity(SpanName, ActivityKind.Internal);
            if (activity is not null)
            {
                activity.SetCustomProperty(CallSpanMarker, this);
                if (activity.IsAllDataRequested)
                {
                    SetTags(activity);
                }
            }
        }

        state.Activity = activity;
        if (activity is null && (telemetry.Rejections.Enabled || telemetry.Timeouts.Enabled))
        {
            state.PreviousAmbient = s_ambient.Value;
            s_ambient.Value = this;
            state.Ambient = true;
        }

        return state;
    }

    /// <summary>Adds <c>resilience.operation</c>, and <c>resilience.interface</c> and <c>resilience.method</c> of a generated method.</summary>
    internal void AddTags(ref TagList tags)
    {
        tags.Add(ResilienceTelemetry.OperationTag, OperationName);
        if (InterfaceName.Length != 0)
        {
            tags.Add(ResilienceTelemetry.InterfaceTag, InterfaceName);
            tags.Add(ResilienceTelemetry.MethodTag, MethodName);
        }
    }

    internal void SetTags(Activity activity)
    {
        activity.SetTag(ResilienceTelemetry.OperationTag, OperationName);
        if (InterfaceName.Length != 0)
        {
            activity.SetTag(ResilienceTelemetry.InterfaceTag, InterfaceName);
            activity.SetTag(ResilienceTelemetry.MethodTag, MethodName);
        }
    }
}
