namespace Resilience;

/// <summary>
/// Permits reserved by <see cref="RateLimitStrategy.Reserve(int, TimeSpan)"/>, like golang.org/x/time/rate's
/// <c>Reservation</c>: when <see cref="IsAcquired"/>, the caller may act after <see cref="Delay"/> (zero: at once), or
/// <see cref="Cancel"/> to give permits it will not use back. A reservation granted at once, or refused, allocates nothing.
/// </summary>
public readonly struct RateLimitReservation
{
    private readonly ReservationTicket? _ticket;

    internal RateLimitReservation(bool acquired, TimeSpan delay, TimeSpan? retryAfter, ReservationTicket? ticket)
    {
        IsAcquired = acquired;
        Delay = delay;
        RetryAfter = retryAfter;
        _ticket = ticket;
    }

    /// <summary>Whether the permits are reserved (x/time/rate's <c>OK</c>). The <see langword="default"/> reservation is not.</summary>
    public bool IsAcquired { get; }

    /// <summary>
    /// How long after the <c>Reserve</c> call the caller must wait before acting (rounded up to whole ticks of the
    /// limit's <see cref="TimeProvider"/>): <see cref="TimeSpan.Zero"/> when the permits were available at once;
    /// <see cref="TimeSpan.MaxValue"/> when <see cref="IsAcquired"/> is <see langword="false"/> (x/time/rate's <c>InfDuration</c>).
    /// </summary>
    public TimeSpan Delay { get; }

    /// <summary>
    /// Refused reservations only: how long until the permits asked for are expected to be available, counting callers
    /// queued before (as <see cref="ResilienceRejectedException.RetryAfter"/> of a rejection); <see langword="null"/> when
    /// unknown or when the reservation was granted.
    /// </summary>
    public TimeSpan? RetryAfter { get; }

    /// <summary>
    /// Says the reserved permits will not be used. A token-bucket reservation whose <see cref="Delay"/> has not passed
    /// gives its permits back, less those reserved after it (their delays were computed counting on these), as x/time/rate's
    /// <c>Cancel</c> does. A reservation granted at once, one whose delay has passed, one made before a reload that changed
    /// how the limit counts, or a refused one gives nothing back (its permits count as used). Cancelling again, on this
    /// value or a copy, does nothing.
    /// </summary>
    public void Cancel() => _ticket?.Cancel();
}

/// <summary>Which way a reservation went, for telemetry.</summary>
internal enum ReservationOutcome
{
    Immediate,
    Delayed,
    Refused,
    Cancelled,
}

/// <summary>The state a reservation in debt needs to be cancelled, once: allocated only for a delayed reservation.</summary>
internal sealed class ReservationTicket
{
    private readonly TimeProviderRateLimiter _limiter;
    private int _cancelled;

    private readonly string _name;
    private readonly ResilienceTelemetry? _telemetry;

    public ReservationTicket(TimeProviderRateLimiter limiter, int permits, Int128 actAt, long epoch, string name, ResilienceTelemetry? telemetry)
    {
        _limiter = limiter;
        Permits = permits;
        ActAt = actAt;
        Epoch = epoch;
        _name = name;
        _telemetry = telemetry;
    }

    public int Permits { get; }

    /// <summary>The scaled instant at which the reserved permits are due.</summary>
    public Int128 ActAt { get; }

    public long Epoch { get; }

    public void Cancel()
    {
        if (Interlocked.Exchange(ref _cancelled, 1) != 0)
        {
            return;
        }

        int restored = _limiter.CancelReservation(this);
        if (restored > 0)
        {
            _telemetry?.OnReservation(_name, ReservationOutcome.Cancelled);
        }
    }
}
