using System.Runtime.CompilerServices;

namespace Resilience;

/// <summary>
/// The telemetry of instances made with a public constructor (no registry's telemetry) that a
/// <see cref="ResilientCallBuilder{T}"/> was handed: the first builder's registry adopts them
/// (<see cref="ResilienceRegistry.AdoptHandMade"/>). Kept beside the instances, not in them, so that an instance's
/// telemetry is still only what its constructor got; held weakly, so an adopted instance is collected as usual.
/// </summary>
/// <remarks>
/// Looked up only by such an instance, only when it reports something (a rejection, a timeout, a transition), never on
/// a call that goes through; an instance made by a registry never looks here.
/// </remarks>
internal static class AdoptedTelemetry
{
    private static readonly ConditionalWeakTable<object, ResilienceTelemetry> s_adopted = new();

    /// <summary>The telemetry that adopted <paramref name="instance"/>, or <see langword="null"/>.</summary>
    public static ResilienceTelemetry? Of(object instance) => s_adopted.TryGetValue(instance, out ResilienceTelemetry? telemetry) ? telemetry : null;

    /// <summary>Records that <paramref name="instance"/> reports to <paramref name="telemetry"/>, unless something adopted it first; nothing for <see langword="null"/>.</summary>
    public static void Adopt(object? instance, ResilienceTelemetry telemetry)
    {
        if (instance is not null)
        {
            s_adopted.TryAdd(instance, telemetry);
        }
    }
}
