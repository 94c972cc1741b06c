using System.Numerics;
using System.Threading.RateLimiting;

namespace Resilience;

/// <summary>
/// A token-bucket, fixed-window, sliding-window or exact sliding-window <see cref="RateLimiter"/> whose only clock is a <see cref="TimeProvider"/>,
/// counted in exact rational arithmetic.
/// </summary>
/// <remarks>
/// <para>
/// Why not the BCL limiters: in System.Threading.RateLimiting 8.0 <c>TokenBucketRateLimiter.TryReplenish</c> adds tokens in
/// proportion to real <c>Stopwatch</c> time even with <c>AutoReplenishment = false</c>, and the window limiters ignore
/// <c>TryReplenish</c> until a real period has passed. Neither can follow a <see cref="TimeProvider"/>, so this class keeps
/// their model (permits, <see cref="QueueProcessingOrder.OldestFirst"/> queue counted in permits, a cached success lease,
/// <see cref="MetadataName.RetryAfter"/> on failed leases) and takes time from the provider instead.
/// </para>
/// <para>
/// The window limiters (<c>FixedWindowRateLimiter</c>, <c>SlidingWindowRateLimiter</c>) are not used for the windows
/// either: with <c>AutoReplenishment</c> they move on by one window or segment per tick of a real
/// <c>System.Threading.Timer</c> (so a late tick shifts every later boundary), and the sliding window's segment is
/// <c>Window / SegmentsPerWindow</c> rounded down to whole ticks, so permits come back early. The exactness described
/// below (no window of the configured length holds more than the limit) cannot be had from them.
/// </para>
/// <para>
/// Exactness: time is the provider's raw timestamp (<see cref="TimeProvider.GetTimestamp"/>, any
/// <see cref="TimeProvider.TimestampFrequency"/>), counted from construction and scaled by an integer so that one token
/// period (<c>Window / PermitLimit</c>), one segment (<c>Window / SegmentsPerWindow</c>) or one window is a whole number
/// of scaled units (<see cref="Shape"/>). Nothing is rounded: a token arrives, and a window or segment boundary falls,
/// at its exact rational instant, and the limiter sees it at the first timestamp at or after that instant. The token
/// bucket is the continuous one (a token every <c>Window / PermitLimit</c> while not full, capped at
/// <see cref="RateLimitOptions.PermitLimit"/>, the refill clock starting when a full bucket is first drawn on), so any
/// span of length <c>T</c> admits at most <c>PermitLimit + T * PermitLimit / Window</c>. The sliding window returns a
/// permit taken at <c>t</c> at the first segment boundary at or after <c>t + Window</c>, so no half-open span of length
/// <c>Window</c> ever holds more than <see cref="RateLimitOptions.PermitLimit"/> grants. The exact sliding window returns it
/// at the first timestamp at or after <c>t + Window</c>, keeping the permits in use in a ring of at most
/// <see cref="RateLimitOptions.PermitLimit"/> groups (one per timestamp at which permits were taken).
/// </para>
/// <para>
/// Every acquire first catches up lazily: it compares the timestamp with the precomputed one of the next token or
/// boundary (two <see cref="long"/>s), and only when that has passed does it divide (a token bucket that is full again
/// by then only compares). While callers are queued, a one-shot <see cref="ITimer"/> from the provider is armed for that
/// next instant, so queued callers are served when time reaches it even if nobody else calls. No timer exists while
/// nobody waits.
/// </para>
/// <para>Thread-safe: state is guarded by one private spin gate (<see cref="SpinGate"/>); a successful acquire allocates nothing.</para>
/// </remarks>
internal sealed class TimeProviderRateLimiter : ReplenishingRateLimiter
{
    /// <summary>The lease of every successful acquire; it holds nothing, so disposing it is a no-op.</summary>
    internal static readonly RateLimitLease SuccessLease = new Lease(acquired: true, retryAfter: null);

    /// <summary>
    /// Returned by <see cref="TryAcquireInternal(int)"/>/<see cref="AcquireInternalAsync(int, CancellationToken)"/> (and given to queued callers) when
    /// the limiter has been disposed, so that a keyed owner can retry on a fresh limiter instead of failing.
    /// </summary>
    internal static readonly RateLimitLease DisposedLease = new Lease(acquired: false, retryAfter: null);

    private static readonly RateLimitLease FailedLeaseWithoutRetryAfter = new Lease(acquired: false, retryAfter: null);
    private static readonly TimerCallback TimerTick = static state => ((TimeProviderRateLimiter)state!).OnTimer();
    private static readonly Action<object?> CancelWaiter = static state => ((Waiter)state!).Owner.Cancel((Waiter)state);
    private static readonly long MaxTimerDueTicks = TimeSpan.FromDays(1).Ticks;

    /// <summary>"Never", as an elapsed timestamp; far enough from <see cref="long.MaxValue"/> that adding to it cannot overflow.</summary>
    private const long Never = long.MaxValue / 4;

    // Every critical section is short and calls nothing that may come back (the clock is read before entering it, the
    // waiter's cancellation is registered and the timer changed after leaving it, completed waiters continue
    // asynchronously), so a spin gate: one locked instruction per acquire instead of two.
    private readonly SpinGate _gate = new();
    private readonly TimeProvider _timeProvider;
    private readonly bool _systemClock;
    private readonly long _frequency;
    private readonly long _originTimestamp;

    // The settings: one immutable snapshot, replaced under _gate by Reconfigure (read without the gate only by
    // ReplenishmentPeriod and CanQueue).
    private Shape _shape;

    // The clock, in the provider's timestamp units since construction; never goes back.
    private long _elapsed;

    // Permits that may be taken now: PermitLimit minus those in use (below zero after a reload that shrank the limit).
    private int _available;

    // The elapsed timestamp at or after which the state changes next: the next token (token bucket; Never while full) or
    // the next window/segment boundary. The hot path compares against it and does nothing else.
    private long _dueAt;

    // Token bucket: the exact scaled instant of the next token; meaningful while _available < PermitLimit.
    private Int128 _nextTokenAt;

    // Windows: the index of the last boundary reached (boundary i is at i * Period scaled units), its elapsed timestamp
    // (rounded up) and whether it falls exactly on a timestamp; permits coming back at boundary i sit in
    // _returns[i % _returns.Length] (a fixed window returns at _boundary + 1, a sliding window at most
    // SegmentsPerWindow + 1 boundaries ahead).
    private long _boundary;
    private long _boundaryAt;
    private bool _boundaryExact;
    private int[]? _returns;

    // Exact sliding window: the permits in use, oldest first, each group with the elapsed timestamp at which it comes back
    // (taken at e, back at e + one window rounded up to a timestamp). A ring of at most PermitLimit groups.
    private Grant[]? _grants;
    private int _grantsHead;
    private int _grantsCount;

    private long _fullSince;

    // Token bucket: the exact scaled instant it last became full, while not yet converted to _fullSince (FullSinceLocked).
    private Int128 _fullSinceScaled;
    private bool _fullSincePending;
    private int _queuedPermits;
    private WaiterQueue<Waiter>? _queue;
    private ITimer? _timer;
    private bool _timerArmed;
    private bool _disposed;

    // Token-bucket reservations in debt are valid for the counting settings they were made under; a reload that changes
    // them starts a new epoch, and cancelling an older reservation gives nothing back.
    private long _reservationEpoch;
    private long _successfulLeases;
    private long _failedLeases;

    /// <summary>Creates the limiter from validated options.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The provider's <see cref="TimeProvider.TimestampFrequency"/> is not positive.</exception>
    public TimeProviderRateLimiter(RateLimitOptions options, TimeProvider timeProvider)
    {
        _timeProvider = timeProvider;
        _systemClock = SystemClock.IsSystem(timeProvider);
        _frequency = timeProvider.TimestampFrequency;
        if (_frequency <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(timeProvider), _frequency, $"The TimeProvider's TimestampFrequency must be positive; got {_frequency}.");
        }

        _shape = new Shape(options, _frequency);
        _available = _shape.PermitLimit;
        _originTimestamp = timeProvider.GetTimestamp();
        _dueAt = Never;
        if (_shape.Algorithm == RateLimitAlgorithm.SlidingWindowExact)
        {
            _grants = new Grant[_shape.PermitLimit];
        }
        else if (_shape.Algorithm != RateLimitAlgorithm.TokenBucket)
        {
            _returns = new int[_shape.ReturnSlots];
            SetBoundaryLocked(0);
        }
    }

    /// <summary>The permit limit under the current settings.</summary>
    internal int PermitLimit => Volatile.Read(ref _shape).PermitLimit;

    /// <summary>The clock.</summary>
    internal TimeProvider TimeProvider => _timeProvider;

    /// <summary>Whether callers may queue (<see cref="RateLimitOptions.QueueLimit"/> above 0) under the current settings.</summary>
    internal bool CanQueue => Volatile.Read(ref _shape).QueueLimit > 0;

    /// <inheritdoc />
    /// <remarks>Always <see langword="true"/>: the limiter replenishes itself from its <see cref="TimeProvider"/>.</remarks>
    public override bool IsAutoReplenishing => true;

    /// <inheritdoc />
    /// <remarks>The token period, segment or window, rounded down to whole ticks (the limiter itself counts exactly).</remarks>
    public override TimeSpan ReplenishmentPeriod => Volatile.Read(ref _shape).NominalPeriod;

    /// <inheritdoc />
    public override TimeSpan? IdleDuration
    {
        get
        {
            using (EnterAfterReading(out long reading))
            {
                if (_disposed)
                {
                    return null;
                }

                long now = CatchUpLocked(reading);
                return IsAtRestLocked() ? ToTimeSpan(now - FullSinceLocked(), roundUp: false) : null;
            }
        }
    }

    /// <summary>
    /// Applies new (validated) settings from now on. When the counting settings (algorithm, limit, window, segments of a
    /// sliding window) are unchanged, nothing but the queue limit changes: the clock and every permit in use go on as
    /// they were. Otherwise permits in use count against the new limit (a reload never hands out a fresh budget) and
    /// keep their progress: a token bucket keeps the fraction of the next token already earned; permits of a window come
    /// back when they would have under the old settings, rounded up to a boundary of the new ones (at the latest at the
    /// next boundary of a new fixed window, one new window and segment after the reload for a sliding one); permits of a window moving to a token bucket refill at the new rate from the
    /// reload. Callers already queued keep their place and are served by the new limit, even when the new
    /// <see cref="RateLimitOptions.QueueLimit"/> is smaller (it applies to callers that queue afterwards); a queued
    /// request for more permits than the new limit fails.
    /// </summary>
    internal void Reconfigure(RateLimitOptions options)
    {
        var shape = new Shape(options, _frequency);
        long dueTicks;
        using (EnterAfterReading(out long reading))
        {
            if (_disposed)
            {
                return;
            }

            long now = CatchUpLocked(reading);
            FullSinceLocked(); // converted on the settings it was reached under
            Shape old = _shape;
            if (shape.CountsLike(old))
            {
                Volatile.Write(ref _shape, shape);
                return;
            }

            ConvertLocked(old, shape, now);

            if (_queue is not null)
            {
                Waiter? waiter = _queue.First;
                while (waiter is not null)
                {
                    Waiter? next = waiter.Next;
                    if (waiter.PermitCount > shape.PermitLimit)
                    {
                        _queue.Remove(waiter);
                        _queuedPermits -= waiter.PermitCount;
                        _failedLeases++;
                        waiter.Registration.Unregister();
                        waiter.Completion.TrySetResult(FailedLeaseWithoutRetryAfter);
                    }

                    waiter = next;
                }

                if (HasWaitersLocked())
                {
                    ServeQueueLocked();
                }
            }

            // The armed timer points at an instant of the old settings: re-arm it for the new ones.
            _timerArmed = false;
            dueTicks = ArmTimerLocked(now);
        }

        StartTimer(dueTicks);
    }

    /// <summary>
    /// Takes every permit available now, as if a caller had (the permits come back as usual; no lease is counted). A
    /// keyed table does this to a key created while an evicted key's state may still matter (see
    /// <see cref="KeyedRateLimitStrategy{TKey}"/>).
    /// </summary>
    internal void Drain()
    {
        using (EnterAfterReading(out long reading))
        {
            if (_disposed)
            {
                return;
            }

            CatchUpLocked(reading);
            if (_available > 0)
            {
                TakeLocked(_available);
                _successfulLeases--;
            }
        }
    }

    /// <summary>
    /// Disposes the limiter, returning how long (in the provider's timestamp units) its state would still have mattered:
    /// 0 when it was at rest (fully replenished, nobody queued), otherwise the time until it would have been fully
    /// replenished (at least 1). Both under the gate, so that no permit is taken between the answer and the disposal.
    /// </summary>
    internal long Retire()
    {
        long pending;
        using (EnterAfterReading(out long reading))
        {
            if (_disposed)
            {
                return 0;
            }

            long now = CatchUpLocked(reading);
            pending = IsAtRestLocked() ? 0 : Math.Max(1, FullAtLocked() - now);
        }

        Dispose();
        return pending;
    }

    /// <summary>Always <see langword="false"/>: replenishment follows the <see cref="TimeProvider"/> on its own.</summary>
    public override bool TryReplenish() => false;

    /// <inheritdoc />
    public override RateLimiterStatistics? GetStatistics()
    {
        using (EnterAfterReading(out long reading))
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            CatchUpLocked(reading);
            return new RateLimiterStatistics
            {
                CurrentAvailablePermits = Math.Max(0, _available),
                CurrentQueuedCount = _queuedPermits,
                TotalSuccessfulLeases = _successfulLeases,
                TotalFailedLeases = _failedLeases,
            };
        }
    }

    /// <summary>
    /// Takes <paramref name="permitCount"/> permits if they are available now and nobody is queued. Returns
    /// <see cref="SuccessLease"/> on success, <see cref="DisposedLease"/> after disposal, otherwise a failed lease carrying
    /// <see cref="MetadataName.RetryAfter"/>. Allocates only when it fails.
    /// </summary>
    internal RateLimitLease TryAcquireInternal(int permitCount) => TryAcquireInternal(permitCount, out _);

    /// <summary>
    /// <see cref="TryAcquireInternal(int)"/>, also handing back the provider's timestamp the answer was decided at
    /// (<see cref="TimeoutStrategy.NoTimestamp"/> when the limiter was disposed).
    /// </summary>
    internal RateLimitLease TryAcquireInternal(int permitCount, out long timestamp)
    {
        using (EnterAfterReading(out long reading))
        {
            if (_disposed)
            {
                timestamp = TimeoutStrategy.NoTimestamp;
                return DisposedLease;
            }

            timestamp = reading;
            long now = CatchUpLocked(reading);
            if (TryTakeLocked(permitCount))
            {
                return SuccessLease;
            }

            _failedLeases++;
            return CreateFailedLeaseLocked(permitCount, now);
        }
    }

    /// <summary>
    /// Takes the permits now if possible (synchronously, allocation-free), otherwise queues the caller when the queue has
    /// room. Results as for <see cref="TryAcquireInternal(int)"/>; a cancelled wait ends in <see cref="OperationCanceledException"/>,
    /// and a token cancelled before the call takes no permit.
    /// </summary>
    internal ValueTask<RateLimitLease> AcquireInternalAsync(int permitCount, CancellationToken cancellationToken)
        => AcquireInternalAsync(permitCount, cancellationToken, out _);

    /// <summary>
    /// <see cref="AcquireInternalAsync(int, CancellationToken)"/>, also handing back the provider's timestamp at which the
    /// permits were taken when that happened at once (<see cref="TimeoutStrategy.NoTimestamp"/> otherwise).
    /// </summary>
    internal ValueTask<RateLimitLease> AcquireInternalAsync(int permitCount, CancellationToken cancellationToken, out long timestamp)
    {
        timestamp = TimeoutStrategy.NoTimestamp;
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<RateLimitLease>(cancellationToken);
        }

        Waiter waiter;
        long dueTicks;
        using (EnterAfterReading(out long reading))
        {
            if (_disposed)
            {
                return new ValueTask<RateLimitLease>(DisposedLease);
            }

            long now = CatchUpLocked(reading);
            if (TryTakeLocked(permitCount))
            {
                timestamp = reading;
                return new ValueTask<RateLimitLease>(SuccessLease);
            }

            if (_queuedPermits + permitCount > _shape.QueueLimit)
            {
                _failedLeases++;
                return new ValueTask<RateLimitLease>(CreateFailedLeaseLocked(permitCount, now));
            }

            waiter = new Waiter(this, permitCount, cancellationToken);
            _queue ??= new WaiterQueue<Waiter>();
            _queue.Enqueue(waiter);
            _queuedPermits += permitCount;
            dueTicks = ArmTimerLocked(now);
        }

        StartTimer(dueTicks);
        LinkCancellation(waiter);
        return new ValueTask<RateLimitLease>(waiter.Completion.Task);
    }

    /// <summary>
    /// Registers a queued waiter's cancellation, outside the gate: when the token is cancelled meanwhile the callback runs
    /// right here and takes the gate to leave the queue. The registration is kept only while the waiter is still queued
    /// (every wait ends under the gate, and whoever ends it unregisters it); otherwise it is removed at once.
    /// </summary>
    private void LinkCancellation(Waiter waiter)
    {
        CancellationTokenRegistration registration = waiter.CancellationToken.UnsafeRegister(CancelWaiter, waiter);
        using (_gate.EnterScope())
        {
            if (!waiter.Completion.Task.IsCompleted)
            {
                waiter.Registration = registration;
                return;
            }
        }

        registration.Dispose();
    }

    /// <summary>
    /// Reserves <paramref name="permitCount"/> permits (see <see cref="RateLimitStrategy.Reserve(int, TimeSpan)"/>): taken
    /// now when available and nobody is queued; otherwise, for a token bucket with nobody queued, taken from tokens still to
    /// come (the bucket goes into debt) when they are all due within <paramref name="maxDelay"/>; otherwise refused.
    /// </summary>
    /// <returns><see langword="false"/> when the limiter was disposed (nothing reserved); otherwise the reservation, and whether it was refused, granted at once or granted for later.</returns>
    internal bool TryReserve(
        int permitCount,
        TimeSpan maxDelay,
        string name,
        ResilienceTelemetry? telemetry,
        out RateLimitReservation reservation,
        out ReservationOutcome outcome)
    {
        using (EnterAfterReading(out long reading))
        {
            outcome = ReservationOutcome.Refused;
            reservation = default;
            if (_disposed)
            {
                return false;
            }

            long now = CatchUpLocked(reading);
            if (TryTakeLocked(permitCount))
            {
                outcome = ReservationOutcome.Immediate;
                reservation = new RateLimitReservation(acquired: true, TimeSpan.Zero, retryAfter: null, ticket: null);
                return true;
            }

            Shape shape = _shape;
            if (shape.Algorithm == RateLimitAlgorithm.TokenBucket && !HasWaitersLocked())
            {
                // Not full (a full bucket has every permit a request may ask for), so _nextTokenAt is the next token.
                long debt = (long)permitCount - _available;
                Int128 actAt = _nextTokenAt + ((debt - 1) * shape.Period);
                TimeSpan delay = ToTimeSpan(Math.Max(0, shape.ToElapsed(actAt) - now), roundUp: true);
                if (delay <= maxDelay)
                {
                    TakeLocked(permitCount);
                    outcome = ReservationOutcome.Delayed;
                    var ticket = new ReservationTicket(this, permitCount, actAt, _reservationEpoch, name, telemetry);
                    reservation = new RateLimitReservation(acquired: true, delay, retryAfter: null, ticket);
                    return true;
                }
            }

            _failedLeases++;
            RateLimitLease failed = CreateFailedLeaseLocked(permitCount, now);
            TimeSpan? retryAfter = failed.TryGetMetadata(MetadataName.RetryAfter, out TimeSpan after) ? after : null;
            reservation = new RateLimitReservation(acquired: false, TimeSpan.MaxValue, retryAfter, ticket: null);
            return true;
        }
    }

    /// <summary>
    /// Gives back the permits of a reservation in debt whose time has not come (as x/time/rate's <c>Reservation.Cancel</c>):
    /// all of them less those reserved after it (whose delays were computed counting on them). Returns how many came back.
    /// </summary>
    internal int CancelReservation(ReservationTicket ticket)
    {
        using (EnterAfterReading(out long reading))
        {
            if (_disposed || ticket.Epoch != _reservationEpoch)
            {
                return 0;
            }

            long now = CatchUpLocked(reading);
            Shape shape = _shape;
            if (_available >= 0 || ticket.ActAt <= (Int128)now * shape.Scale)
            {
                return 0; // its time has come: the permits are in use
            }

            Int128 debtEnd = _nextTokenAt + (((long)-_available - 1) * shape.Period);
            Int128 reservedAfter = (debtEnd - ticket.ActAt) / shape.Period;
            long restore = ticket.Permits - (long)Int128.Max(0, reservedAfter);
            if (restore <= 0)
            {
                return 0;
            }

            _available += (int)restore;
            if (HasWaitersLocked())
            {
                ServeQueueLocked();
            }

            return (int)restore;
        }
    }

    /// <inheritdoc />
    protected override RateLimitLease AttemptAcquireCore(int permitCount)
    {
        ThrowIfTooMany(permitCount);
        RateLimitLease lease = TryAcquireInternal(permitCount);
        ObjectDisposedException.ThrowIf(ReferenceEquals(lease, DisposedLease), this);
        return lease;
    }

    /// <inheritdoc />
    protected override ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken)
    {
        ThrowIfTooMany(permitCount);
        ValueTask<RateLimitLease> pending = AcquireInternalAsync(permitCount, cancellationToken);
        if (pending.IsCompletedSuccessfully && ReferenceEquals(pending.Result, DisposedLease))
        {
            throw new ObjectDisposedException(nameof(TimeProviderRateLimiter));
        }

        return pending;
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (!disposing)
        {
            return;
        }

        ITimer? timer;
        using (_gate.EnterScope())
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            timer = _timer;
            _timer = null;
            _queuedPermits = 0;

            // Completed under the gate (their continuations run asynchronously), so a racing cancellation finds them gone.
            while (_queue?.Dequeue() is { } waiter)
            {
                waiter.Registration.Unregister();
                waiter.Completion.TrySetResult(DisposedLease);
            }
        }

        timer?.Dispose();
    }

    /// <inheritdoc />
    protected override ValueTask DisposeAsyncCore()
    {
        Dispose(true);
        return default;
    }

    private static Int128 CeilDiv(Int128 value, Int128 divisor)
    {
        Int128 quotient = Int128.DivRem(value, divisor).Quotient;
        return quotient * divisor < value ? quotient + 1 : quotient;
    }

    private static Int128 Gcd(Int128 a, Int128 b)
    {
        while (b != 0)
        {
            (a, b) = (b, a % b);
        }

        return a;
    }

    private void ThrowIfTooMany(int permitCount)
    {
        int permitLimit = Volatile.Read(ref _shape).PermitLimit;
        if (permitCount > permitLimit)
        {
            throw new ArgumentOutOfRangeException(nameof(permitCount), permitCount, $"permitCount must not exceed PermitLimit ({permitLimit}); got {permitCount}.");
        }
    }

    /// <summary>A span of the provider's timestamp units as a <see cref="TimeSpan"/>, rounded down or up to whole ticks.</summary>
    private TimeSpan ToTimeSpan(long timestamps, bool roundUp)
    {
        if (_frequency == TimeSpan.TicksPerSecond)
        {
            return TimeSpan.FromTicks(timestamps);
        }

        Int128 scaled = (Int128)timestamps * TimeSpan.TicksPerSecond;
        Int128 ticks = roundUp ? CeilDiv(scaled, _frequency) : scaled / _frequency;
        return ticks >= TimeSpan.MaxValue.Ticks ? TimeSpan.MaxValue : TimeSpan.FromTicks((long)ticks);
    }

    /// <summary>The elapsed timestamp at which the limiter last became full (meaningful while it is).</summary>
    private long FullSinceLocked()
    {
        if (_fullSincePending)
        {
            _fullSince = _shape.ToElapsed(_fullSinceScaled);
            _fullSincePending = false;
        }

        return _fullSince;
    }

    private bool IsAtRestLocked() => _available == _shape.PermitLimit && !HasWaitersLocked();

    /// <summary>
    /// Whether anyone is queued. Not <c>_queuedPermits &gt; 0</c>: a request for zero permits (which asks whether any
    /// permit is left) waits in the queue without counting against <see cref="RateLimitOptions.QueueLimit"/>, and must
    /// still keep the timer armed and be served when a permit is back.
    /// </summary>
    private bool HasWaitersLocked() => _queue is { Count: > 0 };

    /// <summary>
    /// Reads the clock, then enters the gate: in that order, because a provider may run its due timers inside
    /// <see cref="TimeProvider.GetTimestamp"/> (<c>FakeTimeProvider</c> does) and the limiter's own timer takes the gate,
    /// which is not reentrant. Every section that catches up with the clock enters through here.
    /// </summary>
    private SpinGate.Scope EnterAfterReading(out long reading)
    {
        reading = SystemClock.GetTimestamp(_timeProvider, _systemClock);
        return _gate.EnterScope();
    }

    /// <summary>
    /// Applies the tokens or boundaries that came up to <paramref name="timestamp"/> since the last catch-up and serves
    /// queued callers; returns the elapsed time the state is now at (never earlier than before: a reading older than
    /// the state counts as the state's time).
    /// </summary>
    /// <param name="timestamp">
    /// The reading <see cref="EnterAfterReading"/> took before entering the gate. It may be older than one a racing
    /// caller applied first; it then counts as that caller's time, as if this caller had entered just after it.
    /// </param>
    private long CatchUpLocked(long timestamp)
    {
        long now = timestamp - _originTimestamp;
        if (now <= _elapsed)
        {
            now = _elapsed; // a clock that goes back (or stands still) changes nothing
        }
        else
        {
            _elapsed = now;
        }

        if (now >= _dueAt)
        {
            AdvanceLocked(now);
            if (HasWaitersLocked())
            {
                ServeQueueLocked();
            }
        }

        return now;
    }

    private void AdvanceLocked(long now)
    {
        Shape shape = _shape;
        Int128 scaledNow = (Int128)now * shape.Scale;
        if (shape.Algorithm == RateLimitAlgorithm.TokenBucket)
        {
            // _available < PermitLimit here (a full bucket has _dueAt == Never), and _nextTokenAt <= scaledNow. Full when
            // the last missing token is due by now: a comparison, no division (the refill to full of a bucket drawn on
            // less often than it refills, the common case), and the instant it filled is converted only when read.
            long deficit = (long)shape.PermitLimit - _available;
            Int128 fullAt = _nextTokenAt + ((deficit - 1) * shape.Period);
            if (scaledNow >= fullAt)
            {
                _fullSinceScaled = fullAt;
                _fullSincePending = true;
                _available = shape.PermitLimit;
                _dueAt = Never;
            }
            else
            {
                Int128 arrived = 1 + ((scaledNow - _nextTokenAt) / shape.Period);
                _available += (int)arrived;
                _nextTokenAt += arrived * shape.Period;
                _dueAt = shape.ToElapsed(_nextTokenAt);
            }

            return;
        }

        if (shape.Algorithm == RateLimitAlgorithm.SlidingWindowExact)
        {
            Grant[] grants = _grants!;
            while (_grantsCount > 0 && grants[_grantsHead].BackAt <= now)
            {
                _available += grants[_grantsHead].Count;
                if (_available == shape.PermitLimit)
                {
                    _fullSince = grants[_grantsHead].BackAt;
                }

                _grantsHead = (_grantsHead + 1) % grants.Length;
                _grantsCount--;
            }

            _dueAt = _grantsCount == 0 ? Never : grants[_grantsHead].BackAt;
            return;
        }

        Int128 reached = scaledNow / shape.Period;
        long boundary = reached > Never ? Never : (long)reached;
        int[] returns = _returns!;
        long last = Math.Min(boundary, _boundary + returns.Length);
        for (long index = _boundary + 1; index <= last; index++)
        {
            int slot = (int)(index % returns.Length);
            int back = returns[slot];
            if (back != 0)
            {
                returns[slot] = 0;
                _available += back;
                if (_available == shape.PermitLimit)
                {
                    _fullSince = shape.ToElapsed(index * shape.Period);
                }
            }
        }

        SetBoundaryLocked(boundary);
    }

    private void SetBoundaryLocked(long boundary)
    {
        Shape shape = _shape;
        Int128 at = boundary * shape.Period;
        _boundary = boundary;
        _boundaryAt = shape.ToElapsed(at);
        _boundaryExact = at % shape.Scale == 0;
        _dueAt = shape.ToElapsed(at + shape.Period);
    }

    /// <summary>The elapsed timestamp at which every permit in use is back (now, if none is in use).</summary>
    private long FullAtLocked()
    {
        Shape shape = _shape;
        int inUse = shape.PermitLimit - _available;
        if (inUse <= 0)
        {
            return _elapsed;
        }

        if (shape.Algorithm == RateLimitAlgorithm.TokenBucket)
        {
            return shape.ToElapsed(_nextTokenAt + ((inUse - 1) * shape.Period));
        }

        if (shape.Algorithm == RateLimitAlgorithm.SlidingWindowExact)
        {
            return _grantsCount == 0 ? _elapsed : _grants![(_grantsHead + _grantsCount - 1) % _grants.Length].BackAt;
        }

        int[] returns = _returns!;
        for (long index = _boundary + returns.Length; index > _boundary; index--)
        {
            if (returns[(int)(index % returns.Length)] != 0)
            {
                return shape.ToElapsed(index * shape.Period);
            }
        }

        return _elapsed;
    }

    private bool TryTakeLocked(int permitCount)
    {
        if (HasWaitersLocked() || !HasPermitsLocked(permitCount))
        {
            return false;
        }

        TakeLocked(permitCount);
        return true;
    }

    private bool HasPermitsLocked(int permitCount) => permitCount == 0 ? _available > 0 : _available >= permitCount;

    /// <summary>Takes the permits at the current clock (<see cref="_elapsed"/>) and counts a successful lease.</summary>
    private void TakeLocked(int permitCount)
    {
        _successfulLeases++;
        if (permitCount == 0)
        {
            return;
        }

        Shape shape = _shape;
        switch (shape.Algorithm)
        {
            case RateLimitAlgorithm.TokenBucket:
                if (_available >= shape.PermitLimit)
                {
                    // A full bucket earns nothing; drawing on it starts the clock of the next token now.
                    _nextTokenAt = ((Int128)_elapsed * shape.Scale) + shape.Period;
                    _dueAt = Math.Min(Never, _elapsed + shape.PeriodTimestamps);
                }

                break;

            case RateLimitAlgorithm.SlidingWindowExact:
                AppendGrantLocked(SaturatingAdd(_elapsed, shape.PeriodTimestamps), permitCount);
                break;

            case RateLimitAlgorithm.SlidingWindow:
                // Back at the first boundary at or after now + Window: Segments boundaries ahead when now is exactly on
                // the last boundary, one more otherwise.
                long back = _boundary + shape.Segments + (_elapsed == _boundaryAt && _boundaryExact ? 0 : 1);
                _returns![(int)(back % _returns.Length)] += permitCount;
                break;

            default:
                _returns![(int)((_boundary + 1) % _returns.Length)] += permitCount;
                break;
        }

        _available -= permitCount;
    }

    private void ServeQueueLocked()
    {
        WaiterQueue<Waiter> queue = _queue!;
        while (queue.First is { } waiter && HasPermitsLocked(waiter.PermitCount))
        {
            queue.Dequeue();
            _queuedPermits -= waiter.PermitCount;
            TakeLocked(waiter.PermitCount);
            waiter.Registration.Unregister();
            waiter.Completion.TrySetResult(SuccessLease);
        }
    }

    /// <summary>How long until enough permits are back for this request and those queued before it, rounded up to whole ticks.</summary>
    private RateLimitLease CreateFailedLeaseLocked(int permitCount, long now)
    {
        Shape shape = _shape;
        long needed = Math.Max(1, (long)permitCount + _queuedPermits - _available);
        long readyAt;
        if (shape.Algorithm == RateLimitAlgorithm.TokenBucket)
        {
            Int128 firstToken = _available >= shape.PermitLimit ? ((Int128)now * shape.Scale) + shape.Period : _nextTokenAt;
            readyAt = shape.ToElapsed(firstToken + ((needed - 1) * shape.Period));
        }
        else if (shape.Algorithm == RateLimitAlgorithm.SlidingWindowExact)
        {
            Grant[] grants = _grants!;
            long freed = 0;
            readyAt = Never;
            for (int i = 0; i < _grantsCount && freed < needed; i++)
            {
                Grant grant = grants[(_grantsHead + i) % grants.Length];
                freed += grant.Count;
                readyAt = grant.BackAt;
            }

            if (freed < needed)
            {
                return FailedLeaseWithoutRetryAfter;
            }
        }
        else
        {
            int[] returns = _returns!;
            long freed = 0;
            long index = _boundary;
            while (freed < needed && index < _boundary + returns.Length)
            {
                index++;
                freed += returns[(int)(index % returns.Length)];
            }

            if (freed < needed)
            {
                if (shape.Algorithm == RateLimitAlgorithm.SlidingWindow)
                {
                    return FailedLeaseWithoutRetryAfter;
                }

                // A fixed window restores the whole limit at every boundary.
                long lastBack = index;
                while (lastBack > _boundary + 1 && returns[(int)(lastBack % returns.Length)] == 0)
                {
                    lastBack--;
                }

                index = lastBack + ((needed - freed + shape.PermitLimit - 1) / shape.PermitLimit);
            }

            readyAt = shape.ToElapsed(index * shape.Period);
        }

        return new Lease(acquired: false, ToTimeSpan(Math.Max(1, readyAt - now), roundUp: true));
    }

    /// <summary>Moves the permits in use from the old settings to the new ones, keeping their progress (see <see cref="Reconfigure"/>).</summary>
    private void ConvertLocked(Shape old, Shape shape, long now)
    {
        int inUse = Math.Max(0, old.PermitLimit - _available);
        Int128 oldNow = (Int128)now * old.Scale;
        Int128 newNow = (Int128)now * shape.Scale;

        // The instants (in old scaled units) at which groups of permits in use come back under the old settings.
        int[]? oldReturns = _returns;
        long oldBoundary = _boundary;
        Grant[]? oldGrants = _grants;
        int oldHead = _grantsHead;
        int oldCount = _grantsCount;
        Int128 bucketFullAt = old.Algorithm == RateLimitAlgorithm.TokenBucket && inUse > 0 ? _nextTokenAt + ((inUse - 1) * old.Period) : 0;
        Int128 bucketRemaining = old.Algorithm == RateLimitAlgorithm.TokenBucket && inUse > 0 ? _nextTokenAt - oldNow : 0;

        Volatile.Write(ref _shape, shape);
        _available = shape.PermitLimit - inUse;
        _reservationEpoch++;
        _returns = shape.Algorithm is RateLimitAlgorithm.TokenBucket or RateLimitAlgorithm.SlidingWindowExact ? null : new int[shape.ReturnSlots];
        _grants = shape.Algorithm == RateLimitAlgorithm.SlidingWindowExact ? new Grant[shape.PermitLimit] : null;
        _grantsHead = 0;
        _grantsCount = 0;
        _dueAt = Never;

        if (shape.Algorithm == RateLimitAlgorithm.TokenBucket)
        {
            if (inUse > 0)
            {
                // A bucket keeps the fraction of the next token it has earned; permits of a window refill from now.
                Int128 remaining = old.Algorithm == RateLimitAlgorithm.TokenBucket
                    ? (Int128)DivideRoundingUp((BigInteger)bucketRemaining * (BigInteger)shape.Period, (BigInteger)old.Period)
                    : shape.Period;
                _nextTokenAt = newNow + remaining;
                _dueAt = shape.ToElapsed(_nextTokenAt);
            }

            return;
        }

        if (shape.Algorithm == RateLimitAlgorithm.SlidingWindowExact)
        {
            // Each group comes back when it would have under the old settings, at the latest one new window from now.
            long latest = SaturatingAdd(now, shape.PeriodTimestamps);
            if (oldGrants is not null)
            {
                for (int i = 0; i < oldCount; i++)
                {
                    Grant grant = oldGrants[(oldHead + i) % oldGrants.Length];
                    AppendGrantLocked(Math.Min(grant.BackAt, latest), grant.Count);
                }
            }
            else if (oldReturns is not null)
            {
                for (long index = oldBoundary + 1; index <= oldBoundary + oldReturns.Length; index++)
                {
                    int count = oldReturns[(int)(index % oldReturns.Length)];
                    if (count != 0)
                    {
                        AppendGrantLocked(Math.Min(old.ToElapsed(index * old.Period), latest), count);
                    }
                }
            }
            else
            {
                for (int k = 0; k < inUse; k++)
                {
                    AppendGrantLocked(Math.Min(old.ToElapsed(_nextTokenAt + (k * old.Period)), latest), 1);
                }
            }

            _dueAt = _grantsCount == 0 ? Never : _grants![_grantsHead].BackAt;
            return;
        }

        Int128 reached = newNow / shape.Period;
        long boundary = reached > Never ? Never : (long)reached;
        SetBoundaryLocked(boundary);
        if (inUse == 0)
        {
            return;
        }

        if (oldGrants is not null)
        {
            for (int i = 0; i < oldCount; i++)
            {
                Grant grant = oldGrants[(oldHead + i) % oldGrants.Length];
                PlaceLocked(grant.Count, (Int128)grant.BackAt * old.Scale, old, shape);
            }
        }
        else if (oldReturns is null)
        {
            PlaceLocked(inUse, bucketFullAt, old, shape);
        }
        else
        {
            for (long index = oldBoundary + 1; index <= oldBoundary + oldReturns.Length; index++)
            {
                int count = oldReturns[(int)(index % oldReturns.Length)];
                if (count != 0)
                {
                    PlaceLocked(count, index * old.Period, old, shape);
                }
            }
        }
    }

    /// <summary>Puts permits that came back at <paramref name="oldAt"/> (old scaled units) at the first new boundary at or after it, within the new ring.</summary>
    private void PlaceLocked(int count, Int128 oldAt, Shape old, Shape shape)
    {
        // new boundary index = ceil(oldAt / old.Scale * shape.Scale / shape.Period)
        BigInteger index = DivideRoundingUp((BigInteger)oldAt * (BigInteger)shape.Scale, (BigInteger)old.Scale * (BigInteger)shape.Period);
        // At the latest the next boundary of a fixed window (it restores everything there), one window and segment of a sliding one.
        long latest = shape.Algorithm == RateLimitAlgorithm.FixedWindow ? _boundary + 1 : _boundary + _returns!.Length;
        long at = (long)BigInteger.Clamp(index, _boundary + 1, latest);
        _returns![(int)(at % _returns.Length)] += count;
    }

    /// <summary>
    /// Exact window: records <paramref name="count"/> permits coming back at <paramref name="backAt"/> (never before the
    /// newest group). When the ring is full (only after a reload that shrank the limit) they join the newest group, which
    /// then comes back at the later of the two instants: later than exact, never earlier.
    /// </summary>
    private void AppendGrantLocked(long backAt, int count)
    {
        Grant[] grants = _grants!;
        if (_grantsCount > 0)
        {
            ref Grant newest = ref grants[(_grantsHead + _grantsCount - 1) % grants.Length];
            if (backAt <= newest.BackAt || _grantsCount == grants.Length)
            {
                newest.BackAt = Math.Max(newest.BackAt, backAt);
                newest.Count += count;
                return;
            }
        }
        else
        {
            _dueAt = backAt;
        }

        grants[(_grantsHead + _grantsCount) % grants.Length] = new Grant { BackAt = backAt, Count = count };
        _grantsCount++;
    }

    private static long SaturatingAdd(long value, long add) => value > Never - add ? Never : value + add;

    private static BigInteger DivideRoundingUp(BigInteger value, BigInteger divisor)
    {
        BigInteger quotient = BigInteger.DivRem(value, divisor, out BigInteger remainder);
        return remainder > 0 ? quotient + 1 : quotient;
    }

    /// <summary>Marks the timer armed for the next token or boundary; returns the due time to pass to <see cref="StartTimer"/>, or -1.</summary>
    private long ArmTimerLocked(long now)
    {
        if (_timerArmed || !HasWaitersLocked() || _disposed)
        {
            return -1;
        }

        _timerArmed = true;
        long due = ToTimeSpan(Math.Max(1, Math.Min(_dueAt, Never) - now), roundUp: true).Ticks;
        return Math.Clamp(due, 1, MaxTimerDueTicks);
    }

    /// <summary>Arms the one-shot timer outside the gate (a provider may run due callbacks inside <see cref="ITimer.Change"/>).</summary>
    private void StartTimer(long dueTicks)
    {
        if (dueTicks < 0)
        {
            return;
        }

        ITimer? timer = Volatile.Read(ref _timer);
        if (timer is null)
        {
            ITimer created = CreateIdleTimer(_timeProvider);
            using (_gate.EnterScope())
            {
                if (!_disposed && _timer is null)
                {
                    _timer = created;
                    timer = created;
                }
                else
                {
                    timer = _disposed ? null : _timer;
                }
            }

            if (!ReferenceEquals(timer, created))
            {
                created.Dispose();
            }

            if (timer is null)
            {
                return;
            }
        }

        try
        {
            timer.Change(TimeSpan.FromTicks(dueTicks), Timeout.InfiniteTimeSpan);
        }
        catch (ObjectDisposedException)
        {
            // Disposed concurrently; queued callers were released by Dispose.
        }
    }

    private ITimer CreateIdleTimer(TimeProvider timeProvider)
    {
        // Don't capture the caller's ExecutionContext (AsyncLocals) in a long-lived timer.
        bool restoreFlow = false;
        if (!ExecutionContext.IsFlowSuppressed())
        {
            ExecutionContext.SuppressFlow();
            restoreFlow = true;
        }

        try
        {
            return timeProvider.CreateTimer(TimerTick, this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        }
        finally
        {
            if (restoreFlow)
            {
                ExecutionContext.RestoreFlow();
            }
        }
    }

    private void OnTimer()
    {
        long dueTicks;
        using (EnterAfterReading(out long reading))
        {
            _timerArmed = false;
            if (_disposed)
            {
                return;
            }

            long now = CatchUpLocked(reading);
            dueTicks = ArmTimerLocked(now);
        }

        StartTimer(dueTicks);
    }

    private void Cancel(Waiter waiter)
    {
        using (EnterAfterReading(out long reading))
        {
            if (_queue is null || !_queue.Remove(waiter))
            {
                return; // already served, cancelled or released by Dispose
            }

            _queuedPermits -= waiter.PermitCount;
            waiter.Completion.TrySetCanceled(waiter.CancellationToken);

            // A larger request at the head may have been blocking smaller ones behind it (served at the current clock:
            // a permit is always recorded at the instant it is taken).
            if (HasWaitersLocked())
            {
                CatchUpLocked(reading);
                ServeQueueLocked();
            }
        }
    }

    /// <summary>Exact window: permits taken at one instant and the elapsed timestamp at which they come back.</summary>
    private struct Grant
    {
        public long BackAt;
        public int Count;
    }

    /// <summary>A caller queued for permits (a request for zero permits waits too, for any permit to be left).</summary>
    private sealed class Waiter : QueuedWaiter<Waiter>
    {
        public Waiter(TimeProviderRateLimiter owner, int permitCount, CancellationToken cancellationToken)
        {
            Owner = owner;
            PermitCount = permitCount;
            CancellationToken = cancellationToken;
        }

        public TimeProviderRateLimiter Owner { get; }

        public int PermitCount { get; }

        public CancellationToken CancellationToken { get; }

        public CancellationTokenRegistration Registration { get; set; }

        /// <summary>Ends the caller's wait: the lease, or cancelled.</summary>
        public TaskCompletionSource<RateLimitLease> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    /// <summary>
    /// The settings the limiter counts with, derived once from validated options. Time is scaled: an elapsed timestamp
    /// <c>e</c> is the instant <c>e * Scale</c>, and one token period (token bucket), segment (sliding window) or window
    /// (fixed window) is exactly <see cref="Period"/> scaled units: <c>Scale = 10^7 * n / g</c> and
    /// <c>Period = Window.Ticks * TimestampFrequency / g</c>, with <c>n</c> the permit limit, the segments or 1 and
    /// <c>g</c> their greatest common divisor. Both fit in <see cref="Int128"/> for every valid setting.
    /// </summary>
    private sealed class Shape
    {
        public Shape(RateLimitOptions options, long frequency)
        {
            Algorithm = options.Algorithm;
            PermitLimit = options.PermitLimit;
            QueueLimit = options.QueueLimit;
            Window = options.Window;
            long parts = Algorithm switch
            {
                RateLimitAlgorithm.TokenBucket => options.PermitLimit,
                RateLimitAlgorithm.SlidingWindow => options.SegmentsPerWindow,
                _ => 1,
            };

            Segments = Algorithm == RateLimitAlgorithm.SlidingWindow ? options.SegmentsPerWindow : 1;
            ReturnSlots = Segments + 1;
            Int128 scale = (Int128)TimeSpan.TicksPerSecond * parts;
            Int128 period = (Int128)options.Window.Ticks * frequency;
            Int128 divisor = Gcd(scale, period);
            Scale = scale / divisor;
            Period = period / divisor;
            PeriodTimestamps = ToElapsed(Period);
            NominalPeriod = TimeSpan.FromTicks(Math.Max(1, options.Window.Ticks / parts));
        }

        public RateLimitAlgorithm Algorithm { get; }

        public int PermitLimit { get; }

        public int QueueLimit { get; }

        public TimeSpan Window { get; }

        /// <summary>Segments of a sliding window; 1 otherwise.</summary>
        public int Segments { get; }

        /// <summary>Slots of the ring of permits coming back (windows only).</summary>
        public int ReturnSlots { get; }

        public Int128 Scale { get; }

        public Int128 Period { get; }

        /// <summary><see cref="Period"/> in timestamp units, rounded up.</summary>
        public long PeriodTimestamps { get; }

        public TimeSpan NominalPeriod { get; }

        /// <summary>Whether the two count permits alike (only the queue limit may differ).</summary>
        public bool CountsLike(Shape other)
            => Algorithm == other.Algorithm && PermitLimit == other.PermitLimit && Window == other.Window && Segments == other.Segments;

        /// <summary>The first elapsed timestamp at or after a scaled instant (saturating at <see cref="Never"/>).</summary>
        public long ToElapsed(Int128 scaled)
        {
            Int128 elapsed = CeilDiv(scaled, Scale);
            return elapsed > Never ? Never : (long)elapsed;
        }
    }

    private sealed class Lease : RateLimitLease
    {
        private static readonly string[] RetryAfterName = [MetadataName.RetryAfter.Name];
        private readonly object? _retryAfter;

        public Lease(bool acquired, TimeSpan? retryAfter)
        {
            IsAcquired = acquired;
            _retryAfter = retryAfter is { } value ? value : null;
        }

        public override bool IsAcquired { get; }

        public override IEnumerable<string> MetadataNames => _retryAfter is null ? [] : RetryAfterName;

        public override bool TryGetMetadata(string metadataName, out object? metadata)
        {
            if (_retryAfter is not null && metadataName == MetadataName.RetryAfter.Name)
            {
                metadata = _retryAfter;
                return true;
            }

            metadata = null;
            return false;
        }
    }
}
