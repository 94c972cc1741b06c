// Compiled into the runtime (public, namespace Resilience) and into the generator (internal, namespace
// Resilience.Generator.Shared), so that both name the members alike: see docs/architecture.md.
#if RESILIENCE_GENERATOR
#pragma warning disable CS1574 // the crefs name runtime types the generator does not reference
namespace Resilience.Generator.Shared;
#else
namespace Resilience;
#endif

/// <summary>How the delay between retries grows with the retry number.</summary>
#if RESILIENCE_GENERATOR
internal
#else
public
#endif
enum BackoffType
{
    /// <summary>Every retry waits <see cref="RetryAttribute.DelayMs"/>.</summary>
    Constant = 0,

    /// <summary>Retry <c>n</c> waits <c>DelayMs × n</c>.</summary>
    Linear = 1,

    /// <summary>Retry <c>n</c> waits <c>DelayMs × Multiplier^(n-1)</c>. The default.</summary>
    Exponential = 2,
}
