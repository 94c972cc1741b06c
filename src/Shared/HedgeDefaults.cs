// One table of defaults, compiled into the runtime (whose attributes and options use it) and into the generator
// (whose binder and analyzers use it): see docs/architecture.md.
#if RESILIENCE_GENERATOR
namespace Resilience.Generator.Shared;
#else
namespace Resilience;
#endif

/// <summary>The defaults and limits of <c>[Hedge]</c> and <c>HedgeOptions</c>.</summary>
internal static class HedgeDefaults
{
    /// <summary><c>DelayMs</c> (<c>Delay</c>): another attempt starts when the latest one has not answered within 2 s.</summary>
    public const int DelayMs = 2_000;

    /// <summary><c>DelayMs</c> value that starts every attempt at once.</summary>
    public const int AllAtOnce = 0;

    /// <summary><c>DelayMs</c> value that hedges only when an attempt fails (needs <c>OnFailure</c>).</summary>
    public const int OnlyOnFailure = -1;

    /// <summary><c>MaxHedges</c>: attempts beyond the first.</summary>
    public const int MaxHedges = 1;

    /// <summary>The largest <c>MaxHedges</c> accepted.</summary>
    public const int MaxHedgesLimit = 10;

    /// <summary><c>OnFailure</c>: a failed attempt starts the next one at once.</summary>
    public const bool OnFailure = true;
}
