using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Resilience.AspNetCore;

/// <summary>How <see cref="ResilienceHealthChecksBuilderExtensions.AddResilienceCircuitBreakers"/> rates the registry's breakers.</summary>
/// <remarks>
/// The defaults report every breaker that is not closed as <see cref="HealthStatus.Degraded"/>: a breaker guards a
/// dependency that every replica of the app shares, so an unhealthy readiness probe would take all replicas out of
/// rotation at once. Choose <see cref="HealthStatus.Unhealthy"/> where a dependency is essential.
/// </remarks>
public sealed class CircuitBreakerHealthCheckOptions
{
    /// <summary>The status while a breaker is open (a keyed breaker: while any key is open). Default <see cref="HealthStatus.Degraded"/>.</summary>
    public HealthStatus OpenStatus { get; set; } = HealthStatus.Degraded;

    /// <summary>
    /// The status while a breaker is half-open (its break has passed and probes are admitted, or the first probe is in
    /// flight). Default <see cref="HealthStatus.Degraded"/>: the dependency has not answered well since it failed.
    /// </summary>
    public HealthStatus HalfOpenStatus { get; set; } = HealthStatus.Degraded;

    /// <summary>The status while a breaker is isolated by hand (a keyed breaker: any key). Default <see cref="HealthStatus.Degraded"/>.</summary>
    public HealthStatus IsolatedStatus { get; set; } = HealthStatus.Degraded;

    /// <summary>Which breakers (by name) the check looks at; <see langword="null"/> (the default): all of them.</summary>
    public Func<string, bool>? Filter { get; set; }

    /// <summary>Whether keyed breakers (one circuit per key) count, by their keys in each state. Default <see langword="true"/>.</summary>
    public bool IncludeKeyed { get; set; } = true;
}
