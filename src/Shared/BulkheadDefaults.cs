// One table of defaults, compiled into the runtime (whose attributes and options use it) and into the generator
// (whose binder and analyzers use it): see docs/architecture.md.
#if RESILIENCE_GENERATOR
namespace Resilience.Generator.Shared;
#else
namespace Resilience;
#endif

/// <summary>The defaults of <c>[Bulkhead]</c> and <c>BulkheadOptions</c>.</summary>
internal static class BulkheadDefaults
{
    /// <summary><c>MaxConcurrency</c>.</summary>
    public const int MaxConcurrency = 10;

    /// <summary><c>MaxQueue</c>: no queue.</summary>
    public const int MaxQueue = 0;

    /// <summary><c>MaxWaitMs</c>: 0, a queued call waits until it gets a slot or its token is cancelled.</summary>
    public const int MaxWaitMs = 0;

    /// <summary><c>Kind</c>.</summary>
    public const BulkheadKind Kind = BulkheadKind.Semaphore;
}
