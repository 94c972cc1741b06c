// One table of defaults, compiled into the runtime (whose options use it) and into the generator (whose binder and
// analyzers use it): see docs/architecture.md.
#if RESILIENCE_GENERATOR
namespace Resilience.Generator.Shared;
#else
namespace Resilience;
#endif

/// <summary>The defaults of <c>RetryBudgetOptions</c>.</summary>
internal static class RetryBudgetDefaults
{
    /// <summary><c>Ratio</c>: retries may add 20 % to the calls of the window.</summary>
    public const double Ratio = 0.2;

    /// <summary><c>MinRetriesPerSecond</c>: the floor, so that a quiet dependency can still be retried.</summary>
    public const int MinRetriesPerSecond = 10;

    /// <summary><c>WindowMs</c> (<c>Window</c>): how far back calls and retries are counted.</summary>
    public const int WindowMs = 10_000;
}
