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
}
