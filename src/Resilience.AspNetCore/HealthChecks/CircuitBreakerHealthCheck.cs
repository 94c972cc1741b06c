using System.Globalization;
using System.Text;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Resilience.AspNetCore;

/// <summary>
/// Reports the registry's circuit breakers that are not closed, from <see cref="ResilienceRegistry.GetSnapshot"/>
/// (which changes no state). The status is the worst of theirs (see <see cref="CircuitBreakerHealthCheckOptions"/>);
/// the data names each of them: see docs/aspnetcore.md for the keys.
/// </summary>
internal sealed class CircuitBreakerHealthCheck(ResilienceRegistry registry, CircuitBreakerHealthCheckOptions options) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        ResilienceRegistrySnapshot snapshot = registry.GetSnapshot();
        var data = new Dictionary<string, object>(StringComparer.Ordinal);
        var description = new StringBuilder();
        HealthStatus status = HealthStatus.Healthy;
        int checkedCount = 0;
        int notClosed = 0;

        foreach (CircuitBreakerSnapshot breaker in snapshot.CircuitBreakers)
        {
            if (options.Filter is { } filter && !filter(breaker.Name))
            {
                continue;
            }

            checkedCount++;
            if (breaker.State == CircuitState.Closed)
            {
                continue;
            }

            notClosed++;
            status = Worst(status, StatusOf(breaker.State));
            data[breaker.Name] = StateName(breaker.State);
            Append(description, $"'{breaker.Name}' {StateName(breaker.State)}");
            if (breaker.RetryAfter is { } retryAfter)
            {
                data[breaker.Name + ".retry_after_seconds"] = retryAfter.TotalSeconds;
                description.Append(CultureInfo.InvariantCulture, $" (retry in {retryAfter.TotalSeconds:0.###} s)");
            }
        }

        if (options.IncludeKeyed)
        {
            foreach (KeyedCircuitBreakerSnapshot keyed in snapshot.KeyedCircuitBreakers)
            {
                if (options.Filter is { } filter && !filter(keyed.Name))
                {
                    continue;
                }

                checkedCount++;
                if (keyed.KeysOpen == 0 && keyed.KeysHalfOpen == 0 && keyed.KeysIsolated == 0)
                {
                    continue;
                }

                notClosed++;
                if (keyed.KeysOpen > 0)
                {
                    status = Worst(status, options.OpenStatus);
                }

                if (keyed.KeysHalfOpen > 0)
                {
                    status = Worst(status, options.HalfOpenStatus);
                }

                if (keyed.KeysIsolated > 0)
                {
                    status = Worst(status, options.IsolatedStatus);
                }

                data[keyed.Name + ".keys_open"] = keyed.KeysOpen;
                data[keyed.Name + ".keys_half_open"] = keyed.KeysHalfOpen;
                data[keyed.Name + ".keys_isolated"] = keyed.KeysIsolated;
                Append(description, string.Create(
                    CultureInfo.InvariantCulture,
                    $"'{keyed.Name}' keys open {keyed.KeysOpen}, half_open {keyed.KeysHalfOpen}, isolated {keyed.KeysIsolated}"));
            }
        }

        string text = notClosed == 0
            ? string.Create(CultureInfo.InvariantCulture, $"All {checkedCount} circuit breakers are closed.")
            : string.Create(CultureInfo.InvariantCulture, $"{notClosed} of {checkedCount} circuit breakers are not closed: {description}.");
        return Task.FromResult(new HealthCheckResult(status, text, exception: null, data));
    }

    private HealthStatus StatusOf(CircuitState state) => state switch
    {
        CircuitState.Open => options.OpenStatus,
        CircuitState.HalfOpen => options.HalfOpenStatus,
        CircuitState.Isolated => options.IsolatedStatus,
        _ => HealthStatus.Healthy,
    };

    // HealthStatus orders Unhealthy (0) < Degraded (1) < Healthy (2).
    private static HealthStatus Worst(HealthStatus a, HealthStatus b) => a < b ? a : b;

    private static void Append(StringBuilder description, string text)
    {
        if (description.Length > 0)
        {
            description.Append("; ");
        }

        description.Append(text);
    }

    internal static string StateName(CircuitState state) => state switch
    {
        CircuitState.Closed => "closed",
        CircuitState.Open => "open",
        CircuitState.HalfOpen => "half_open",
        _ => "isolated",
    };
}
