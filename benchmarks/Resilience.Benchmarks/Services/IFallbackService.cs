namespace Resilience.Benchmarks.Services;

/// <summary>Scenario "fallback on a failing call": <see cref="GetAsync"/> always fails, the fallback answers.</summary>
public interface IFallbackService
{
    /// <summary>Always fails (a faulted task); the proxy answers from <see cref="GetFallbackAsync"/>.</summary>
    [Fallback(nameof(GetFallbackAsync))]
    ValueTask<int> GetAsync(int id, CancellationToken cancellationToken);

    /// <summary>Returns <see cref="Settings.FallbackValue"/>.</summary>
    ValueTask<int> GetFallbackAsync(Exception error);
}
