// One table of defaults, compiled into the runtime (whose attributes and options use it) and into the generator
// (whose binder and analyzers use it): see docs/architecture.md.
#if RESILIENCE_GENERATOR
namespace Resilience.Generator.Shared;
#else
namespace Resilience;
#endif

/// <summary>The defaults of <c>[Retry]</c> and <c>RetryOptions</c>.</summary>
internal static class RetryDefaults
{
    /// <summary><c>MaxRetries</c>.</summary>
    public const int MaxRetries = 3;

    /// <summary><c>DelayMs</c> (<c>Delay</c>).</summary>
    public const int DelayMs = 200;

    /// <summary><c>Backoff</c>.</summary>
    public const BackoffType Backoff = BackoffType.Exponential;

    /// <summary><c>Multiplier</c>.</summary>
    public const double Multiplier = 2.0;

    /// <summary><c>MaxDelayMs</c> (<c>MaxDelay</c>).</summary>
    public const int MaxDelayMs = 30_000;

    /// <summary><c>Jitter</c>.</summary>
    public const double Jitter = 0.2;

    /// <summary><c>AttemptTimeoutMs</c> (<c>AttemptTimeout</c>): none.</summary>
    public const int AttemptTimeoutMs = 0;
}
