// Compiled into the runtime (public, namespace Resilience) and into the generator (internal, namespace
// Resilience.Generator.Shared), so that both name the members alike: see docs/architecture.md.
#if RESILIENCE_GENERATOR
namespace Resilience.Generator.Shared;
#else
namespace Resilience;
#endif

/// <summary>How a bulkhead runs the calls it admits.</summary>
#if RESILIENCE_GENERATOR
internal
#else
public
#endif
enum BulkheadKind
{
    /// <summary>
    /// A counter of slots: an admitted call runs on the caller's own thread. Taking a free slot allocates nothing. The
    /// default.
    /// </summary>
    Semaphore = 0,

    /// <summary>
    /// A fixed number of dedicated worker threads (one per slot) that run the admitted calls: the caller's thread returns
    /// at once and the caller awaits the result, so a call that blocks takes a worker, never a caller's thread. Only for
    /// methods returning <c>Task</c>/<c>ValueTask</c> (RES0024).
    /// </summary>
    WorkerPool = 1,
}
