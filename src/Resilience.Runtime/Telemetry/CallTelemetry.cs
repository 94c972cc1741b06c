using System.Diagnostics;

namespace Resilience;

/// <summary>
/// The telemetry descriptor of one decorated method, created once (in the decorator's constructor) by
/// <see cref="ResilienceTelemetry.CreateCall"/>. <see cref="Start"/> begins a call.
/// </summary>
/// <remarks>
/// The span name is <c>"{Interface}.{Method}"</c> with the interface's simple name; its attempts are
/// <c>"{Interface}.{Method} attempt"</c>. When nobody listens, <see cref="Start"/> reads no clock, starts no span and
/// allocates nothing.
/// </remarks>
public sealed class CallTelemetry
{
    internal const string CallSpanMarker = "resilience.call";

    internal CallTelemetry(ResilienceTelemetry telemetry, string interfaceName, string methodName)
    {
        Telemetry = telemetry;
        InterfaceName = interfaceName;
        MethodName = methodName;
        int dot = interfaceName.LastIndexOf('.', interfaceName.IndexOf('<') is var generic and >= 0 ? generic : interfaceName.Length - 1);
        SpanName = interfaceName.Substring(dot + 1) + "." + methodName;
        AttemptSpanName = SpanName + " attempt";
    }

    /// <summary>The interface's full name, the <c>resilience.interface</c> tag.</summary>
    public string InterfaceName { get; }

    /// <summary>The method's name, the <c>resilience.method</c> tag.</summary>
    public string MethodName { get; }

    /// <summary>The name of the call span, <c>"{Interface}.{Method}"</c>.</summary>
    public string SpanName { get; }

    internal string AttemptSpanName { get; }

    internal ResilienceTelemetry Telemetry { get; }

    /// <summary>
    /// Begins a call: reads the clock when a call metric is listened to, and starts the call span (current for the rest
    /// of the call) when the activity source has listeners. Dispose the scope exactly once when the call ends.
    /// </summary>
    public CallScope Start()
    {
        ResilienceTelemetry telemetry = Telemetry;
        bool measured = telemetry.Calls.Enabled || telemetry.CallDuration.Enabled;
        long started = measured ? telemetry.TimeProvider.GetTimestamp() : 0;
        Activity? activity = null;
        if (telemetry.ActivitySource.HasListeners())
        {
            activity = telemetry.ActivitySource.StartActivity(SpanName, ActivityKind.Internal);
            if (activity is not null)
            {
                activity.SetCustomProperty(CallSpanMarker, this);
                if (activity.IsAllDataRequested)
                {
                    activity.SetTag(ResilienceTelemetry.InterfaceTag, InterfaceName);
                    activity.SetTag(ResilienceTelemetry.MethodTag, MethodName);
                }
            }
        }

        return new CallScope(this, measured, started, activity);
    }
}
