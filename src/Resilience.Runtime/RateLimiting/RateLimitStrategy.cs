using System.ComponentModel;
using System.Threading.RateLimiting;

namespace Resilience;

/// <summary>
/// One rate limit on <c>System.Threading.RateLimiting</c>, replenished on a <see cref="TimeProvider"/>. Acquiring a
/// permit that is available completes synchronously and allocates nothing.
/// </summary>
/// <remarks>
/// The algorithms are those of <see cref="RateLimitOptions"/>. Permits come back exactly when the
/// <see cref="TimeProvider"/>'s time reaches a replenishment boundary (checked lazily on every acquire, and by a provider
/// timer while callers are queued), so a <c>FakeTimeProvider</c> drives it completely. A permit needs no release.
/// Thread-safe.
/// </remarks>
public sealed class RateLimitStrategy : IDisposable
{
    private readonly TimeProviderRateLimiter _limiter;
    private readonly ResilienceTelemetry? _telemetry;
    private IRateLimitBackend? _backend;

    /// <summary>Creates the limit.</summary>
    /// <param name="name">The limit's name, used in <see cref="RateLimitRejectedException"/>.</param>
    /// <param name="options">Settings; validated here.</param>
    /// <param name="timeProvider">The clock; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    public RateLimitStrategy(string name, RateLimitOptions options, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Name = name;
        _limiter = new TimeProviderRateLimiter(options, timeProvider ?? TimeProvider.System);
    }

    /// <summary>The clock the permits are counted on (that of <see cref="AdmitAsync(CancellationToken, out long)"/>'s readings).</summary>
    internal TimeProvider TimeProvider => _limiter.TimeProvider;

    /// <summary>Creates the limit reporting its rejections and reservations to <paramref name="telemetry"/> (a registry's).</summary>
    internal RateLimitStrategy(string name, RateLimitOptions options, TimeProvider? timeProvider, ResilienceTelemetry? telemetry)
        : this(name, options, timeProvider)
    {
        _telemetry = telemetry;
    }

    /// <summary>The limit's name.</summary>
    public string Name { get; }

    /// <summary>
    /// The underlying limiter: a <see cref="ReplenishingRateLimiter"/> that replenishes itself from the
    /// <see cref="TimeProvider"/> (<see cref="ReplenishingRateLimiter.IsAutoReplenishing"/> is <see langword="true"/>).
    /// Permits taken through it count against this limit; failed leases carry <see cref="MetadataName.RetryAfter"/>.
    /// </summary>
    public RateLimiter Limiter => _limiter;

    /// <summary>
    /// Where rejections and reservations are reported: the telemetry the constructor got (from the registry that made the
    /// limit), else that of the registry that adopted a hand-made one (<see cref="AdoptedTelemetry"/>).
    /// </summary>
    internal ResilienceTelemetry? Telemetry => _telemetry ?? AdoptedTelemetry.Of(this);

    /// <summary>The telemetry the constructor got; <see langword="null"/> for a limit made with the public constructor.</summary>
    internal ResilienceTelemetry? OwnTelemetry => _telemetry;

    /// <summary>
    /// Where permits are counted instead of <see cref="Limiter"/> (set by the registry from an
    /// <see cref="IRateLimitBackendProvider"/>); <see cref="Limiter"/> answers what the backend leaves to it.
    /// </summary>
    /// <remarks><see langword="null"/> (the limit is counted in this process) unless a provider took it.</remarks>
    public IRateLimitBackend? Backend
    {
        get => _backend;
        internal set => _backend = value;
    }

    /// <summary>Takes a permit if one is available now; never waits (on a backend, waits for its answer, at most its timeout).</summary>
    /// <exception cref="ObjectDisposedException">The strategy was disposed.</exception>
    public bool TryAcquire()
    {
        if (_backend is { } backend)
        {
            RateLimitDecision decision = backend.Acquire(null);
            if (!decision.IsUseLocal)
            {
                return decision.IsAcquired;
            }
        }

        RateLimitLease lease = _limiter.TryAcquireInternal(1);
        if (ReferenceEquals(lease, TimeProviderRateLimiter.SuccessLease))
        {
            return true;
        }

        if (ReferenceEquals(lease, TimeProviderRateLimiter.DisposedLease))
        {
            throw CompleteFailed(lease);
        }

        lease.Dispose();
        return false;
    }

    /// <summary>Takes a permit, waiting in the queue if there is room; throws <see cref="RateLimitRejectedException"/> otherwise.</summary>
    /// <param name="cancellationToken">Ends the wait.</param>
    /// <returns>A task that completes when the permit is taken; it is already complete, and nothing was allocated, when one was available.</returns>
    /// <exception cref="RateLimitRejectedException">No permit, and the queue was full (or <see cref="RateLimitOptions.QueueLimit"/> is 0); <see cref="ResilienceRejectedException.RetryAfter"/> says when one is expected.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled before the call (no permit is taken) or while waiting.</exception>
    public ValueTask AcquireAsync(CancellationToken cancellationToken) => ThrowRejection(AdmitAsync(cancellationToken));

    /// <summary>
    /// Takes a permit as <see cref="AcquireAsync"/> does, but hands a rejection back instead of throwing it: the result is
    /// <see langword="null"/> when a permit was taken, or the <see cref="RateLimitRejectedException"/> (with the same
    /// <see cref="ResilienceRejectedException.RetryAfter"/> and telemetry) or <see cref="ObjectDisposedException"/> that
    /// <see cref="AcquireAsync"/> would throw. Completes synchronously, without allocating, when a permit is available or
    /// the limit rejects at once.
    /// </summary>
    /// <param name="cancellationToken">Ends the wait; cancelled before the call or while waiting, the task is cancelled (no permit is taken).</param>
    /// <returns><see langword="null"/> with a permit; otherwise the rejection.</returns>
    public ValueTask<Exception?> AdmitAsync(CancellationToken cancellationToken) => AdmitAsync(cancellationToken, out _);

    /// <summary>
    /// <see cref="AdmitAsync(CancellationToken)"/>, also handing back the clock reading the permit was taken at, so that a
    /// timeout started right after it counts from that reading instead of reading the clock again
    /// (<see cref="TimeoutStrategy.Start(CancellationToken, long)"/>). For generated code.
    /// </summary>
    /// <param name="cancellationToken">As for <see cref="AdmitAsync(CancellationToken)"/>.</param>
    /// <param name="admittedAt">
    /// The <see cref="TimeProvider.GetTimestamp"/> of the strategy's clock at which the permit was taken, when it was taken
    /// at once by the limit counted in this process; otherwise <see cref="TimeoutStrategy.NoTimestamp"/> (the call waited
    /// in the queue, was rejected, or the limit is counted on a <see cref="Backend"/>).
    /// </param>
    /// <returns>As for <see cref="AdmitAsync(CancellationToken)"/>.</returns>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public ValueTask<Exception?> AdmitAsync(CancellationToken cancellationToken, out long admittedAt)
    {
        admittedAt = TimeoutStrategy.NoTimestamp;
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<Exception?>(cancellationToken);
        }

        if (_backend is not null)
        {
            return AdmitOnBackendAsync(cancellationToken);
        }

        return AdmitLocalAsync(cancellationToken, out admittedAt);
    }

    /// <summary>Takes a permit, blocking in the queue if there is room; for synchronous methods.</summary>
    /// <param name="cancellationToken">Ends the wait.</param>
    /// <exception cref="RateLimitRejectedException">No permit, and the queue was full (or <see cref="RateLimitOptions.QueueLimit"/> is 0).</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled before the call (no permit is taken) or while waiting.</exception>
    public void Acquire(CancellationToken cancellationToken)
    {
        if (Admit(cancellationToken) is { } rejection)
        {
            throw rejection;
        }
    }

    /// <summary>
    /// Takes a permit as <see cref="Acquire"/> does, blocking in the queue if there is room, but hands a rejection back
    /// instead of throwing it; for synchronous methods.
    /// </summary>
    /// <param name="cancellationToken">Ends the wait.</param>
    /// <returns><see langword="null"/> with a permit; otherwise the exception <see cref="Acquire"/> would throw.</returns>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled before the call (no permit is taken) or while waiting.</exception>
    public Exception? Admit(CancellationToken cancellationToken) => Admit(cancellationToken, out _);

    /// <summary>
    /// <see cref="Admit(CancellationToken)"/>, also handing back the clock reading the permit was taken at (see
    /// <see cref="AdmitAsync(CancellationToken, out long)"/>). For generated code.
    /// </summary>
    /// <param name="cancellationToken">As for <see cref="Admit(CancellationToken)"/>.</param>
    /// <param name="admittedAt">As for <see cref="AdmitAsync(CancellationToken, out long)"/>.</param>
    /// <returns>As for <see cref="Admit(CancellationToken)"/>.</returns>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled before the call (no permit is taken) or while waiting.</exception>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public Exception? Admit(CancellationToken cancellationToken, out long admittedAt)
    {
        admittedAt = TimeoutStrategy.NoTimestamp;
        cancellationToken.ThrowIfCancellationRequested();
        if (_backend is { } backend)
        {
            RateLimitDecision decision = backend.Acquire(null);
            if (decision.IsAcquired)
            {
                return null;
            }

            if (decision.IsRejected)
            {
                return CreateRejection(Name, decision.RetryAfter, Telemetry);
            }
        }

        RateLimitLease lease = _limiter.TryAcquireInternal(1, out long takenAt);
        if (ReferenceEquals(lease, TimeProviderRateLimiter.SuccessLease))
        {
            admittedAt = takenAt;
            return null;
        }

        if (_limiter.CanQueue && !ReferenceEquals(lease, TimeProviderRateLimiter.DisposedLease))
        {
            lease.Dispose();
            ValueTask<RateLimitLease> pending = _limiter.AcquireInternalAsync(1, cancellationToken);
            lease = pending.IsCompleted ? pending.Result : pending.AsTask().GetAwaiter().GetResult();
            if (ReferenceEquals(lease, TimeProviderRateLimiter.SuccessLease))
            {
                return null;
            }
        }

        return CompleteFailed(lease);
    }

    /// <summary>Reserves one permit, waiting as long as it takes (x/time/rate's <c>Reserve</c>); see <see cref="Reserve(int, TimeSpan)"/>.</summary>
    /// <exception cref="ObjectDisposedException">The strategy was disposed.</exception>
    public RateLimitReservation Reserve() => Reserve(1, TimeSpan.MaxValue);

    /// <summary>
    /// Reserves <paramref name="permits"/> permits and says how long to wait before using them, like
    /// golang.org/x/time/rate's <c>ReserveN</c>; nothing waits here. Permits available now (with nobody queued) are taken at
    /// once (<see cref="RateLimitReservation.Delay"/> zero). Otherwise only a <see cref="RateLimitAlgorithm.TokenBucket"/>
    /// reserves for later: with nobody queued, it takes the permits from tokens still to come (the bucket goes into debt,
    /// so later callers wait for those tokens too) when the last of them is due within <paramref name="maxDelay"/>; the
    /// reservation's delay is when that token arrives. The window algorithms grant only immediate reservations: their
    /// permits come back at window or segment boundaries, or one window after they were taken, and a permit held for later
    /// would count in a window before it is used. Anything else is refused, with
    /// <see cref="RateLimitReservation.RetryAfter"/> when known; a refusal is not a rejection (nothing is thrown or reported
    /// to <c>resilience.rejections</c>).
    /// </summary>
    /// <param name="permits">Permits to reserve; from 1 to <see cref="RateLimitOptions.PermitLimit"/>.</param>
    /// <param name="maxDelay">The longest delay the caller accepts; zero or more (<see cref="TimeSpan.MaxValue"/>: any).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="permits"/> is out of range, or <paramref name="maxDelay"/> is negative.</exception>
    /// <exception cref="ObjectDisposedException">The strategy was disposed.</exception>
    public RateLimitReservation Reserve(int permits, TimeSpan maxDelay)
    {
        int limit = _limiter.PermitLimit;
        if (permits < 1 || permits > limit)
        {
            throw new ArgumentOutOfRangeException(nameof(permits), permits, $"permits must be from 1 to PermitLimit ({limit}); got {permits}.");
        }

        if (maxDelay < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(maxDelay), maxDelay, $"maxDelay must be zero or more; got {maxDelay}.");
        }

        ResilienceTelemetry? telemetry = Telemetry;
        if (!_limiter.TryReserve(permits, maxDelay, Name, telemetry, out RateLimitReservation reservation, out ReservationOutcome outcome))
        {
            throw new ObjectDisposedException(Name, $"Rate limit '{Name}' was disposed.");
        }

        telemetry?.OnReservation(Name, outcome);
        return reservation;
    }

    /// <summary>
    /// Applies new settings from now on (configuration reload), in place: the same <see cref="Limiter"/> counts on.
    /// Settings that count alike (only <see cref="RateLimitOptions.QueueLimit"/> or the keyed bounds differ) change
    /// nothing else: the refill clock and its progress go on. Otherwise permits taken and not yet back count against the
    /// new limit, so a reload never hands out a fresh budget, and keep their progress (a token bucket keeps the fraction of
    /// its next token; permits of a window come back when they would have, rounded up to a boundary of the new settings).
    /// Callers already queued keep their place and are served by the new limit (a smaller
    /// <see cref="RateLimitOptions.QueueLimit"/> applies to later arrivals).
    /// </summary>
    /// <param name="options">The new settings; validated here.</param>
    internal void Reconfigure(RateLimitOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _limiter.Reconfigure(options);
        _backend?.Reconfigure(options);
    }

    /// <summary>Releases the limiter and its timer (and its backend, if any); callers still queued fail with <see cref="ObjectDisposedException"/>.</summary>
    public void Dispose()
    {
        _limiter.Dispose();
        _backend?.Dispose();
    }

    /// <summary>The rejection for a backend's decision (reported to <paramref name="telemetry"/>).</summary>
    internal static RateLimitRejectedException CreateRejection(string name, TimeSpan? retryAfter, ResilienceTelemetry? telemetry)
    {
        var rejected = new RateLimitRejectedException(name, retryAfter);
        telemetry?.OnRejected(name, "rate_limit", rejected);
        return rejected;
    }

    /// <summary>The rejection for a failed lease (disposing the lease), or <see cref="ObjectDisposedException"/> when the limiter is gone.</summary>
    internal static Exception CreateRejection(string name, RateLimitLease lease, ResilienceTelemetry? telemetry)
    {
        if (ReferenceEquals(lease, TimeProviderRateLimiter.DisposedLease))
        {
            return new ObjectDisposedException(name, $"Rate limit '{name}' was disposed.");
        }

        TimeSpan? retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out TimeSpan after) ? after : null;
        lease.Dispose();
        var rejected = new RateLimitRejectedException(name, retryAfter);
        telemetry?.OnRejected(name, "rate_limit", rejected);
        return rejected;
    }

    /// <summary>The throwing form of an admission: completes, faults with the rejection, or is cancelled as <paramref name="admitted"/> is.</summary>
    internal static ValueTask ThrowRejection(ValueTask<Exception?> admitted)
    {
        if (!admitted.IsCompletedSuccessfully)
        {
            return Awaited(admitted);
        }

        return admitted.Result is { } rejection ? ValueTask.FromException(rejection) : default;

        static async ValueTask Awaited(ValueTask<Exception?> admitted)
        {
            if (await admitted.ConfigureAwait(false) is { } rejection)
            {
                throw rejection;
            }
        }
    }

    private Exception CompleteFailed(RateLimitLease lease) => CreateRejection(Name, lease, Telemetry);

    private ValueTask<Exception?> AdmitLocalAsync(CancellationToken cancellationToken, out long admittedAt)
    {
        ValueTask<RateLimitLease> pending = _limiter.CanQueue
            ? _limiter.AcquireInternalAsync(1, cancellationToken, out long takenAt)
            : new ValueTask<RateLimitLease>(_limiter.TryAcquireInternal(1, out takenAt));

        admittedAt = TimeoutStrategy.NoTimestamp;
        if (!pending.IsCompletedSuccessfully)
        {
            return AwaitLeaseAsync(pending);
        }

        RateLimitLease lease = pending.Result;
        if (!ReferenceEquals(lease, TimeProviderRateLimiter.SuccessLease))
        {
            return new ValueTask<Exception?>(CompleteFailed(lease));
        }

        admittedAt = takenAt;
        return default;
    }

    private async ValueTask<Exception?> AdmitOnBackendAsync(CancellationToken cancellationToken)
    {
        RateLimitDecision decision = await _backend!.AcquireAsync(null, cancellationToken).ConfigureAwait(false);
        if (decision.IsRejected)
        {
            return CreateRejection(Name, decision.RetryAfter, Telemetry);
        }

        return decision.IsUseLocal ? await AdmitLocalAsync(cancellationToken, out _).ConfigureAwait(false) : null;
    }

    private async ValueTask<Exception?> AwaitLeaseAsync(ValueTask<RateLimitLease> pending)
    {
        RateLimitLease lease = await pending.ConfigureAwait(false);
        return ReferenceEquals(lease, TimeProviderRateLimiter.SuccessLease) ? null : CompleteFailed(lease);
    }
}
