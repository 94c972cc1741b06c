using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Resilience.AspNetCore;

/// <summary>Health checks over the <see cref="ResilienceRegistry"/>.</summary>
public static class ResilienceHealthChecksBuilderExtensions
{
    /// <summary>The default name of the circuit-breaker health check.</summary>
    public const string DefaultName = "resilience_circuit_breakers";

    /// <summary>
    /// Adds a health check that reports the registry's circuit breakers that are open, half-open or isolated
    /// (<see cref="HealthStatus.Degraded"/> by default, configurable per state), with each one's state and, for an open
    /// breaker, the seconds until it admits a probe in the result's data. Reading the state changes nothing: the check
    /// never moves a breaker to half-open. Also registers the <see cref="ResilienceRegistry"/> unless one is registered.
    /// </summary>
    /// <param name="builder">The health checks builder.</param>
    /// <param name="name">The check's name. Default <see cref="DefaultName"/>.</param>
    /// <param name="configure">Sets the statuses, a name filter, and whether keyed breakers count.</param>
    /// <param name="tags">Tags of the check (for example <c>"ready"</c>), to select it in <c>MapHealthChecks</c>.</param>
    public static IHealthChecksBuilder AddResilienceCircuitBreakers(
        this IHealthChecksBuilder builder,
        string name = DefaultName,
        Action<CircuitBreakerHealthCheckOptions>? configure = null,
        IEnumerable<string>? tags = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(name);
        var options = new CircuitBreakerHealthCheckOptions();
        configure?.Invoke(options);
        builder.Services.AddResilienceRegistry();
        return builder.Add(new HealthCheckRegistration(
            name,
            sp => new CircuitBreakerHealthCheck(sp.GetRequiredService<ResilienceRegistry>(), options),
            failureStatus: null,
            tags));
    }
}
