namespace Resilience.Benchmarks.Services;

/// <summary>
/// Scenario "failure storm at admission": every call is rejected (the rate limit's one permit an hour is spent, or the
/// bulkhead's one slot is held) and the fallback answers.
/// </summary>
public interface IRejectingService
{
    /// <summary>Rejected by the rate limit; answered by <see cref="GetFallbackAsync"/>.</summary>
    [Fallback(nameof(GetFallbackAsync))]
    [RateLimit(PermitLimit = 1, WindowMs = 3_600_000, Name = "storm-rate")]
    ValueTask<int> RateLimitedAsync(int id, CancellationToken cancellationToken);

    /// <summary>Rejected by the full bulkhead; answered by <see cref="GetFallbackAsync"/>.</summary>
    [Fallback(nameof(GetFallbackAsync))]
    [Bulkhead(MaxConcurrency = 1, MaxQueue = 0, Name = "storm-bulkhead")]
    ValueTask<int> BulkheadAsync(int id, CancellationToken cancellationToken);

    /// <summary>Returns <see cref="Settings.FallbackValue"/>.</summary>
    ValueTask<int> GetFallbackAsync(Exception error);
}

/// <summary>
/// The inner service of <see cref="IRejectingService"/>: <see cref="IRejectingService.BulkheadAsync"/> never completes
/// (the call that holds the slot), <see cref="IRejectingService.RateLimitedAsync"/> answers at once.
/// </summary>
public sealed class RejectingService : IRejectingService
{
    private readonly TaskCompletionSource<int> _never = new();

    /// <inheritdoc />
    public ValueTask<int> RateLimitedAsync(int id, CancellationToken cancellationToken) => new(id);

    /// <inheritdoc />
    public ValueTask<int> BulkheadAsync(int id, CancellationToken cancellationToken) => new(_never.Task);

    /// <inheritdoc />
    public ValueTask<int> GetFallbackAsync(Exception error) => new(Settings.FallbackValue);
}
