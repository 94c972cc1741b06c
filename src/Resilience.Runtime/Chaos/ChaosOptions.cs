namespace Resilience;

/// <summary>
/// The process-wide chaos switch (<c>"Resilience:Chaos"</c> in configuration). Chaos injection is off unless this is
/// <see langword="true"/> and an instance's own <see cref="ChaosOverrides.Enabled"/> is too. See docs/chaos.md.
/// </summary>
public sealed class ResilienceChaosOptions
{
    /// <summary>Whether any injection may happen; <see langword="false"/> by default. Followed on reload.</summary>
    public bool Enabled { get; set; }
}

/// <summary>
/// Chaos injected into the inner calls of the methods that use an instance of one name
/// (<c>"Resilience:Instances:&lt;name&gt;:Chaos"</c> in configuration). Configuration only: no attribute sets it.
/// See docs/chaos.md for where injection happens and what each setting does.
/// </summary>
public sealed class ChaosOverrides
{
    /// <summary>Whether this name injects; <see langword="false"/> by default. Needs <see cref="ResilienceChaosOptions.Enabled"/> too.</summary>
    public bool? Enabled { get; set; }

    /// <summary>The share of inner calls (attempts) that get an injection, in [0, 1]; required when <see cref="Enabled"/>.</summary>
    public double? InjectionRate { get; set; }

    /// <summary>
    /// The exception an injected call fails with: <c>ChaosException</c>, <c>TimeoutException</c>,
    /// <c>HttpRequestException</c>, <c>IOException</c>, <c>SocketException</c>, <c>InvalidOperationException</c>
    /// (with or without the namespace), or a name given to <see cref="ResilienceChaos.AddFault"/>. <see langword="null"/>: no fault.
    /// </summary>
    public string? Fault { get; set; }

    /// <summary>The message of a built-in fault; by default <c>"Chaos: fault injected into '&lt;name&gt;'."</c>.</summary>
    public string? FaultMessage { get; set; }

    /// <summary>A delay before the inner call (and before an injected fault or result), waited on the registry's clock and cancellable.</summary>
    public TimeSpan? Latency { get; set; }

    /// <summary>
    /// A result returned instead of calling the inner method: <c>default</c> (the type's default value: <see langword="null"/>,
    /// 0, <see langword="false"/>; a method without a result just completes), or a name given to
    /// <see cref="ResilienceChaos.AddResult{T}"/>. Not together with <see cref="Fault"/>.
    /// </summary>
    public string? Result { get; set; }

    /// <summary>The value of <see cref="Result"/> that returns the type's default value.</summary>
    public const string DefaultResult = "default";
}
