using System.Threading.RateLimiting;

namespace Resilience;

/// <summary>
/// One rate limit per key (per tenant, per user), each as <see cref="RateLimitStrategy"/> describes. Keys unused for
/// <see cref="RateLimitOptions.KeyIdleTimeout"/> are evicted and at most <see cref="RateLimitOptions.MaxKeys"/> are
/// kept, so memory stays bounded however many distinct keys pass. A <see langword="null"/> key is a key of its own.
/// </summary>
/// <remarks>
/// <para>
/// A key's limit is created on its first use. Taking a permit for a key that exists is lock-free on the key table and
/// allocates nothing when a permit is available.
/// </para>
/// <para>
/// Eviction: when a new key would exceed <see cref="RateLimitOptions.MaxKeys"/>, idle keys are evicted first, then keys
/// whose limit is fully replenished with nobody queued (evicting them loses nothing: the key would come back exactly as
/// it was), then the least recently used ones (recency is ordered by use, exact even when many uses share one clock
/// tick), until about 90 % of <see cref="RateLimitOptions.MaxKeys"/> remain, so the cost is amortised over the next 10 %
/// of new keys. A timer on the <see cref="TimeProvider"/> also sweeps idle keys every <c>KeyIdleTimeout / 2</c> (at least
/// 1 second, at most 1 day). A key counts as idle when it has not been used for
/// <see cref="RateLimitOptions.KeyIdleTimeout"/> and its limit is fully replenished with nobody queued.
/// </para>
/// <para>
/// Churn cannot reset a key's budget: when a key is evicted while permits are in use, the time at which they would all
/// have come back is remembered in a fixed table of about <see cref="RateLimitOptions.MaxKeys"/> slots indexed by the
/// key's hash; a key created before its slot's time starts with its whole limit taken (refilling as usual from then).
/// So a client sending many distinct keys gets each new key's own budget, but can never give an existing key a fresh
/// one. The price, only while keys are evicted with permits in use: a new key sharing a slot with such a key also starts
/// drained. Callers still queued on an evicted key move to its new limit.
/// </para>
/// <para>
/// <see cref="Admit"/> and <see cref="AdmitAsync"/> hand a rejection back as a value instead of throwing it (the
/// generated decorators use them, so a rejected call costs no throw).
/// </para>
/// <para>
/// Not built on <c>System.Threading.RateLimiting.PartitionedRateLimiter</c>, deliberately: its
/// <c>PartitionedRateLimiter.Create</c> calls the partitioner delegate on every acquire (a <c>RateLimitPartition</c> per
/// call, plus any closure over the key); it drops a partition only after about 10 seconds idle, found by its own timer
/// running every 100 ms of real time (no <see cref="TimeProvider"/>), so it has no key bound
/// (<see cref="RateLimitOptions.MaxKeys"/>) and nothing that stops churn from giving a dropped key a fresh budget; and
/// the limiters it holds cannot change settings in place on a configuration reload.
/// </para>
/// </remarks>
/// <typeparam name="TKey">The key type.</typeparam>
public sealed class KeyedRateLimitStrategy<TKey> : IDisposable, IKeyedRateLimit
    where TKey : notnull
{
    private readonly Table _table;
    private IRateLimitBackend? _backend;

    /// <summary>Creates the limit.</summary>
    /// <param name="name">The limit's name, used in <see cref="RateLimitRejectedException"/>.</param>
    /// <param name="options">Settings; validated here.</param>
    /// <param name="timeProvider">The clock; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    public KeyedRateLimitStrategy(string name, RateLimitOptions options, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Name = name;
        RateLimitOptions copy = options.Clone();
        _table = new Table(this, timeProvider ?? TimeProvider.System, copy);
    }

    /// <summary>Creates the limit reporting its rejections and reservations to <paramref name="telemetry"/> (a registry's).</summary>
    internal KeyedRateLimitStrategy(string name, RateLimitOptions options, TimeProvider? timeProvider, ResilienceTelemetry? telemetry)
        : this(name, options, timeProvider)
    {
        Telemetry = telemetry;
    }

    /// <summary>The limit's name.</summary>
    public string Name { get; }

    /// <summary>Keys currently held.</summary>
    public int KeyCount => _table.Count;

    /// <summary>Where rejections and reservations are reported: the registry's that created the instance (given to the constructor).</summary>
    internal ResilienceTelemetry? Telemetry { get; }

    /// <summary>
    /// Where permits are counted, per key (<see cref="RateLimitPartition.Of{TKey}"/>), instead of in the key table (set
    /// by the registry from an <see cref="IRateLimitBackendProvider"/>); the key table answers what the backend leaves to it.
    /// </summary>
    /// <remarks><see langword="null"/> (the limit is counted in this process) unless a provider took it.</remarks>
    public IRateLimitBackend? Backend
    {
        get => _backend;
        internal set => _backend = value;
    }

    /// <summary>Takes a permit for <paramref name="key"/> if one is available now; never waits (on a backend, waits for its answer, at most its timeout).</summary>
    /// <param name="key">The partition key.</param>
    /// <exception cref="ObjectDisposedException">The strategy was disposed.</exception>
    public bool TryAcquire(TKey? key)
    {
        if (_backend is { } backend)
        {
            RateLimitDecision decision = backend.Acquire(RateLimitPartition.Of(key));
            if (!decision.IsUseLocal)
            {
                return decision.IsAcquired;
            }
        }

        while (true)
        {
            RateLimitLease lease = _table.GetOrAdd(key).TryAcquireInternal(1);
            if (ReferenceEquals(lease, TimeProviderRateLimiter.SuccessLease))
            {
                return true;
            }

            if (!ReferenceEquals(lease, TimeProviderRateLimiter.DisposedLease))
            {
                lease.Dispose();
                return false;
            }

            // The key was evicted between lookup and acquire: use its new limit.
        }
    }

    /// <summary>
    /// Reserves <paramref name="permits"/> permits of <paramref name="key"/>'s limit, exactly as
    /// <see cref="RateLimitStrategy.Reserve(int, TimeSpan)"/> does for one limit. A key evicted while its bucket is in debt
    /// leaves its debt behind as any key with permits in use does (a key created in its place starts drained); cancelling
    /// a reservation of an evicted key gives nothing back.
    /// </summary>
    /// <param name="key">The partition key.</param>
    /// <param name="permits">Permits to reserve; from 1 to <see cref="RateLimitOptions.PermitLimit"/>.</param>
    /// <param name="maxDelay">The longest delay the caller accepts; zero or more (<see cref="TimeSpan.MaxValue"/>: any).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="permits"/> is out of range, or <paramref name="maxDelay"/> is negative.</exception>
    /// <exception cref="ObjectDisposedException">The strategy was disposed.</exception>
    public RateLimitReservation Reserve(TKey? key, int permits, TimeSpan maxDelay)
    {
        if (maxDelay < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(maxDelay), maxDelay, $"maxDelay must be zero or more; got {maxDelay}.");
        }

        ResilienceTelemetry? telemetry = Telemetry;
        while (true)
        {
            TimeProviderRateLimiter limiter = _table.GetOrAdd(key);
            int limit = limiter.PermitLimit;
            if (permits < 1 || permits > limit)
            {
                throw new ArgumentOutOfRangeException(nameof(permits), permits, $"permits must be from 1 to PermitLimit ({limit}); got {permits}.");
            }

            if (limiter.TryReserve(permits, maxDelay, Name, telemetry, out RateLimitReservation reservation, out ReservationOutcome outcome))
            {
                telemetry?.OnReservation(Name, outcome);
                return reservation;
            }

            // The key was evicted between lookup and reservation: use its new limit.
        }
    }

    /// <summary>Takes a permit for <paramref name="key"/>, waiting in its queue if there is room; throws <see cref="RateLimitRejectedException"/> otherwise.</summary>
    /// <param name="key">The partition key.</param>
    /// <param name="cancellationToken">Ends the wait.</param>
    /// <returns>A task that completes when the permit is taken; it is already complete, and nothing was allocated, when one was available for an existing key.</returns>
    /// <exception cref="RateLimitRejectedException">No permit for the key, and its queue was full (or <see cref="RateLimitOptions.QueueLimit"/> is 0).</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled before the call (no permit is taken) or while waiting.</exception>
    public ValueTask AcquireAsync(TKey? key, CancellationToken cancellationToken)
        => RateLimitStrategy.ThrowRejection(AdmitAsync(key, cancellationToken));

    /// <summary>
    /// Takes a permit for <paramref name="key"/> as <see cref="AcquireAsync"/> does, but hands a rejection back instead of
    /// throwing it: <see langword="null"/> with a permit, otherwise the exception <see cref="AcquireAsync"/> would throw
    /// (same <see cref="ResilienceRejectedException.RetryAfter"/>, same telemetry). Completes synchronously, without
    /// allocating, when a permit is available for an existing key or the key's limit rejects at once.
    /// </summary>
    /// <param name="key">The partition key.</param>
    /// <param name="cancellationToken">Ends the wait; cancelled before the call or while waiting, the task is cancelled (no permit is taken).</param>
    /// <returns><see langword="null"/> with a permit; otherwise the rejection.</returns>
    public ValueTask<Exception?> AdmitAsync(TKey? key, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<Exception?>(cancellationToken);
        }

        if (_backend is not null)
        {
            return AdmitOnBackendAsync(key, cancellationToken);
        }

        return AdmitLocalAsync(key, cancellationToken);
    }

    private ValueTask<Exception?> AdmitLocalAsync(TKey? key, CancellationToken cancellationToken)
    {
        while (true)
        {
            TimeProviderRateLimiter limiter = _table.GetOrAdd(key);
            ValueTask<RateLimitLease> pending = limiter.CanQueue
                ? limiter.AcquireInternalAsync(1, cancellationToken)
                : new ValueTask<RateLimitLease>(limiter.TryAcquireInternal(1));

            if (!pending.IsCompletedSuccessfully)
            {
                return AwaitLeaseAsync(key, pending, cancellationToken);
            }

            RateLimitLease lease = pending.Result;
            if (ReferenceEquals(lease, TimeProviderRateLimiter.SuccessLease))
            {
                return default;
            }

            if (!ReferenceEquals(lease, TimeProviderRateLimiter.DisposedLease))
            {
                return new ValueTask<Exception?>(RateLimitStrategy.CreateRejection(Name, lease, Telemetry));
            }
        }
    }

    /// <summary>Takes a permit for <paramref name="key"/>, blocking in its queue if there is room; for synchronous methods.</summary>
    /// <param name="key">The partition key.</param>
    /// <param name="cancellationToken">Ends the wait.</param>
    /// <exception cref="RateLimitRejectedException">No permit for the key, and its queue was full (or <see cref="RateLimitOptions.QueueLimit"/> is 0).</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled before the call (no permit is taken) or while waiting.</exception>
    public void Acquire(TKey? key, CancellationToken cancellationToken)
    {
        if (Admit(key, cancellationToken) is { } rejection)
        {
            throw rejection;
        }
    }

    /// <summary>
    /// Takes a permit for <paramref name="key"/> as <see cref="Acquire"/> does, blocking in its queue if there is room, but
    /// hands a rejection back instead of throwing it; for synchronous methods.
    /// </summary>
    /// <param name="key">The partition key.</param>
    /// <param name="cancellationToken">Ends the wait.</param>
    /// <returns><see langword="null"/> with a permit; otherwise the exception <see cref="Acquire"/> would throw.</returns>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled before the call (no permit is taken) or while waiting.</exception>
    public Exception? Admit(TKey? key, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (_backend is { } backend)
        {
            RateLimitDecision decision = backend.Acquire(RateLimitPartition.Of(key));
            if (decision.IsAcquired)
            {
                return null;
            }

            if (decision.IsRejected)
            {
                return RateLimitStrategy.CreateRejection(Name, decision.RetryAfter, Telemetry);
            }
        }

        while (true)
        {
            TimeProviderRateLimiter limiter = _table.GetOrAdd(key);
            RateLimitLease lease = limiter.TryAcquireInternal(1);
            if (limiter.CanQueue && !ReferenceEquals(lease, TimeProviderRateLimiter.SuccessLease) && !ReferenceEquals(lease, TimeProviderRateLimiter.DisposedLease))
            {
                lease.Dispose();
                ValueTask<RateLimitLease> pending = limiter.AcquireInternalAsync(1, cancellationToken);
                lease = pending.IsCompleted ? pending.Result : pending.AsTask().GetAwaiter().GetResult();
            }

            if (ReferenceEquals(lease, TimeProviderRateLimiter.SuccessLease))
            {
                return null;
            }

            if (!ReferenceEquals(lease, TimeProviderRateLimiter.DisposedLease))
            {
                return RateLimitStrategy.CreateRejection(Name, lease, Telemetry);
            }
        }
    }

    /// <inheritdoc />
    void IKeyedRateLimit.Reconfigure(RateLimitOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        RateLimitOptions copy = options.Clone();
        _table.Reconfigure(copy, copy.MaxKeys, copy.KeyIdleTimeout);
        _backend?.Reconfigure(copy);
    }

    /// <summary>Stops the idle sweep and releases every key's limit (and the backend, if any); callers still queued fail with <see cref="ObjectDisposedException"/>.</summary>
    public void Dispose()
    {
        _table.Dispose();
        _backend?.Dispose();
    }

    /// <summary>Whether <paramref name="key"/> is held now (does not count as a use).</summary>
    internal bool IsHeld(TKey? key) => _table.TryGetValue(key, out _);

    /// <summary>Runs the idle sweep now (the timer runs it every <c>KeyIdleTimeout / 2</c>).</summary>
    internal void SweepIdle() => _table.SweepIdle();


    private async ValueTask<Exception?> AdmitOnBackendAsync(TKey? key, CancellationToken cancellationToken)
    {
        RateLimitDecision decision = await _backend!.AcquireAsync(RateLimitPartition.Of(key), cancellationToken).ConfigureAwait(false);
        if (decision.IsRejected)
        {
            return RateLimitStrategy.CreateRejection(Name, decision.RetryAfter, Telemetry);
        }

        return decision.IsUseLocal ? await AdmitLocalAsync(key, cancellationToken).ConfigureAwait(false) : null;
    }

    private async ValueTask<Exception?> AwaitLeaseAsync(TKey? key, ValueTask<RateLimitLease> pending, CancellationToken cancellationToken)
    {
        RateLimitLease lease = await pending.ConfigureAwait(false);
        if (ReferenceEquals(lease, TimeProviderRateLimiter.DisposedLease))
        {
            // Evicted while queued: wait on the key's new limit.
            return await AdmitLocalAsync(key, cancellationToken).ConfigureAwait(false);
        }

        return ReferenceEquals(lease, TimeProviderRateLimiter.SuccessLease) ? null : RateLimitStrategy.CreateRejection(Name, lease, Telemetry);
    }

    /// <summary>The key table: a key's limit is evictable as idle only when fully replenished with nobody queued, and is disposed when evicted.</summary>
    private sealed class Table : BoundedKeyTable<TKey, TimeProviderRateLimiter, RateLimitOptions>
    {
        private readonly TimeProvider _timeProvider;

        public Table(KeyedRateLimitStrategy<TKey> owner, TimeProvider timeProvider, RateLimitOptions options)
            : base(owner, timeProvider, options, options.MaxKeys, options.KeyIdleTimeout)
            => _timeProvider = timeProvider;

        protected override TimeProviderRateLimiter CreateValueLocked(RateLimitOptions settings) => new(settings, _timeProvider);

        // Held keys keep their limiter (and queue) and count on under the new settings, as RateLimitStrategy.Reconfigure.
        protected override void ReconfigureValueLocked(TimeProviderRateLimiter value, RateLimitOptions settings) => value.Reconfigure(settings);

        protected override bool TryRetireIfIdleLocked(TimeProviderRateLimiter value) => value.IdleDuration is not null;

        // Fully replenished with nobody queued: a new limiter for the key would be the same (or stricter).
        protected override bool IsAtRestLocked(TimeProviderRateLimiter value) => value.IdleDuration is not null;

        // Callers still queued on an evicted limit get its disposed lease and move to the key's new one.
        protected override void OnRemovedLocked(TimeProviderRateLimiter value) => value.Dispose();

        // Disposes and says, atomically, until when the limit's permits in use would have come back.
        protected override long RetireLocked(TimeProviderRateLimiter value) => value.Retire();

        // The key (or one sharing its slot) was evicted while permits were in use: no fresh budget.
        protected override void StartDrainedLocked(TimeProviderRateLimiter value) => value.Drain();
    }
}
