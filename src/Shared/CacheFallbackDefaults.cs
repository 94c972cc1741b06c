// One table of defaults, compiled into the runtime (whose attributes and options use it) and into the generator
// (whose binder and analyzers use it): see docs/architecture.md.
#if RESILIENCE_GENERATOR
namespace Resilience.Generator.Shared;
#else
namespace Resilience;
#endif

/// <summary>The defaults of <c>[CacheFallback]</c> and <c>CacheFallbackOptions</c>.</summary>
internal static class CacheFallbackDefaults
{
    /// <summary><c>TtlMs</c> (<c>Ttl</c>): a result is never served fresh.</summary>
    public const int TtlMs = 0;

    /// <summary><c>StaleTtlMs</c> (<c>StaleTtl</c>).</summary>
    public const int StaleTtlMs = 300_000;

    /// <summary><c>AnswerMarkedResults</c>.</summary>
    public const bool AnswerMarkedResults = true;
}
