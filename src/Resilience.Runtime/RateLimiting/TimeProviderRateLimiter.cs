using System.Threading.RateLimiting;

namespace Resilience;

/// <summary>
/// A token-bucket, fixed-window or sliding-window <see cref="RateLimiter"/> whose only clock is a <see cref="TimeProvider"/>.
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
/// Time is cut into replenishment periods counted from construction. Every acquire first catches up lazily: it reads the
/// provider's timestamp, works out how many periods have ended since the last catch-up and applies them (bounded: never
/// more steps than it takes to refill completely). While callers are queued, a one-shot <see cref="ITimer"/> from the
/// provider is armed for the next period boundary, so queued callers are served when time reaches it even if nobody else
/// calls. No timer exists while nobody waits.
/// </para>
/// <para>Thread-safe: state is guarded by one private lock; a successful acquire allocates nothing.</para>
/// </remarks>
internal sealed class TimeProviderRateLimiter : ReplenishingRateLimiter
{
    /// <summary>The lease of every successful acquire; it holds nothing, so disposing it is a no-op.</summary>
    internal static readonly RateLimitLease SuccessLease = new Lease(acquired: true, retryAfter: null);

    /// <summary>
    /// Returned by <see cref="TryAcquireInternal"/>/<see cref="AcquireInternalAsync"/> (and given to queued callers) when
    /// the limiter has been disposed, so that a keyed owner can retry on a fresh limiter instead of failing.
    /// </summary>
    internal static readonly RateLimitLease DisposedLease = new Lease(acquired: false, retryAfter: null);

    private static readonly RateLimitLease FailedLeaseWithoutRetryAfter = new Lease(acquired: false, retryAfter: null);
    private static readonly TimerCallback TimerTick = static state => ((TimeProviderRateLimiter)state!).OnTimer();
    private static readonly Action<object?> CancelWaiter = static state => ((Waiter)state!).Owner.Cancel((Waiter)state);
    private static readonly long MaxTimerDueTicks = TimeSpan.FromDays(1).Ticks;

    private readonly object _lock = new();
    private readonly TimeProvider _timeProvider;

    // The settings: one immutable snapshot, replaced under _lock by Reconfigure (read without the lock only by
    // ReplenishmentPeriod, PermitsPerPeriod and CanQueue).
    private Shape _shape;
    private int[]? _segmentUse;
    private long _originTimestamp;

    private int _available;
    private int _segmentIndex;
    private long _periodsDone;
    private long _fullSinceTicks;
    private int _queuedPermits;
    private LinkedList<Waiter>? _queue;
    private ITimer? _timer;
    private bool _timerArmed;
    private bool _disposed;
    private long _successfulLeases;
    private long _failedLeases;

    /// <summary>Creates the limiter from validated options.</summary>
    public TimeProviderRateLimiter(RateLimitOptions options, TimeProvider timeProvider)
    {
        _timeProvider = timeProvider;
        _shape = new Shape(options);
        _available = _shape.PermitLimit;
        _segmentUse = _shape.Algorithm == RateLimitAlgorithm.SlidingWindow ? new int[_shape.Segments] : null;
        _originTimestamp = timeProvider.GetTimestamp();
    }

    /// <summary>Whether callers may queue (<see cref="RateLimitOptions.QueueLimit"/> above 0) under the current settings.</summary>
    internal bool CanQueue => Volatile.Read(ref _shape).QueueLimit > 0;

    /// <summary>
    /// Applies new (validated) settings from now on. Permits taken and not yet back count against the new limit (a
    /// reload never hands out a fresh budget): they come back by the new algorithm, counted from now (a fixed window
    /// restores them one new <see cref="RateLimitOptions.Window"/> after the reload, a sliding window one window after,
    /// a token bucket at its new rate). Windows are counted from the reload. Callers already queued keep their place
    /// and are served by the new limit, even when the new <see cref="RateLimitOptions.QueueLimit"/> is smaller (it
    /// applies to callers that queue afterwards); a queued request for more permits than the new limit fails.
    /// </summary>
    internal void Reconfigure(RateLimitOptions options)
    {
        var shape = new Shape(options);
        long dueTicks;
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            long elapsed = CatchUpLocked();
            bool wasFull = _available == _shape.PermitLimit;
            // Permits out may exceed the new limit: then _available goes below zero until they come back, so that
            // shrinking and growing the limit again never hands out a fresh budget.
            int inUse = Math.Max(0, _shape.PermitLimit - _available);
            Volatile.Write(ref _shape, shape);
            _available = shape.PermitLimit - inUse;
            _segmentUse = shape.Algorithm == RateLimitAlgorithm.SlidingWindow ? new int[shape.Segments] : null;
            if (_segmentUse is not null)
            {
                _segmentUse[0] = inUse;
            }

            _segmentIndex = 0;
            _periodsDone = 0;
            _originTimestamp = _timeProvider.GetTimestamp();

            // An idle limit stays idle for as long as it was (the keyed table evicts by it).
            _fullSinceTicks = wasFull && inUse == 0 ? _fullSinceTicks - elapsed : 0;

            if (_queue is not null)
            {
                LinkedListNode<Waiter>? node = _queue.First;
                while (node is not null)
                {
                    LinkedListNode<Waiter>? next = node.Next;
                    Waiter waiter = node.Value;
                    if (waiter.PermitCount > shape.PermitLimit)
                    {
                        _queue.Remove(node);
                        waiter.Node = null;
                        _queuedPermits -= waiter.PermitCount;
                        _failedLeases++;
                        waiter.Registration.Unregister();
                        waiter.TrySetResult(FailedLeaseWithoutRetryAfter);
                    }

                    node = next;
                }

                if (_queuedPermits > 0)
                {
                    ServeQueueLocked();
                }
            }

            // The armed timer points at a boundary of the old periods: re-arm it for the new ones.
            _timerArmed = false;
            dueTicks = ArmTimerLocked(0);
        }

        StartTimer(dueTicks);
    }

    /// <inheritdoc />
    /// <remarks>Always <see langword="true"/>: the limiter replenishes itself from its <see cref="TimeProvider"/>.</remarks>
    public override bool IsAutoReplenishing => true;

    /// <inheritdoc />
    public override TimeSpan ReplenishmentPeriod => TimeSpan.FromTicks(Volatile.Read(ref _shape).PeriodTicks);

    /// <summary>Permits added per <see cref="ReplenishmentPeriod"/> by a token bucket (the whole limit for a fixed window; 0 for a sliding window).</summary>
    internal int PermitsPerPeriod => Volatile.Read(ref _shape).PermitsPerPeriod;

    /// <inheritdoc />
    public override TimeSpan? IdleDuration
    {
        get
        {
            lock (_lock)
            {
                if (_disposed)
                {
                    return null;
                }

                long now = CatchUpLocked();
                return _available == _shape.PermitLimit && _queuedPermits == 0 ? TimeSpan.FromTicks(now - _fullSinceTicks) : null;
            }
        }
    }

    /// <summary>
    /// The token bucket's period and tokens per period: one token every <c>Window / PermitLimit</c> when that is at least
    /// 1 ms; otherwise the smallest number of tokens whose period is at least 1 ms (capped at the whole limit per window).
    /// </summary>
    internal static (long PeriodTicks, int TokensPerPeriod) TokenBucketPeriod(int permitLimit, TimeSpan window)
    {
        long windowTicks = window.Ticks;
        long tokens = 1;
        if (windowTicks / permitLimit < TimeSpan.TicksPerMillisecond)
        {
            Int128 wanted = ((Int128)permitLimit * TimeSpan.TicksPerMillisecond + windowTicks - 1) / windowTicks;
            tokens = wanted >= permitLimit ? permitLimit : (long)wanted;
        }

        long period = (long)((Int128)windowTicks * tokens / permitLimit);
        return (Math.Max(1, period), (int)tokens);
    }

    /// <summary>Always <see langword="false"/>: replenishment follows the <see cref="TimeProvider"/> on its own.</summary>
    public override bool TryReplenish() => false;

    /// <inheritdoc />
    public override RateLimiterStatistics? GetStatistics()
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            CatchUpLocked();
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
    internal RateLimitLease TryAcquireInternal(int permitCount)
    {
        lock (_lock)
        {
            if (_disposed)
            {
                return DisposedLease;
            }

            long now = CatchUpLocked();
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
    /// room. Results as for <see cref="TryAcquireInternal"/>; a cancelled wait ends in <see cref="OperationCanceledException"/>.
    /// </summary>
    internal ValueTask<RateLimitLease> AcquireInternalAsync(int permitCount, CancellationToken cancellationToken)
    {
        Waiter waiter;
        long dueTicks;
        lock (_lock)
        {
            if (_disposed)
            {
                return new ValueTask<RateLimitLease>(DisposedLease);
            }

            long now = CatchUpLocked();
            if (TryTakeLocked(permitCount))
            {
                return new ValueTask<RateLimitLease>(SuccessLease);
            }

            if (_queuedPermits + permitCount > _shape.QueueLimit)
            {
                _failedLeases++;
                return new ValueTask<RateLimitLease>(CreateFailedLeaseLocked(permitCount, now));
            }

            if (cancellationToken.IsCancellationRequested)
            {
                return ValueTask.FromCanceled<RateLimitLease>(cancellationToken);
            }

            waiter = new Waiter(this, permitCount, cancellationToken);
            _queue ??= new LinkedList<Waiter>();
            waiter.Node = _queue.AddLast(waiter);
            _queuedPermits += permitCount;

            // If the token is cancelled meanwhile, the callback runs right here and re-enters the (reentrant) lock to leave the queue.
            waiter.Registration = cancellationToken.UnsafeRegister(CancelWaiter, waiter);
            dueTicks = ArmTimerLocked(now);
        }

        StartTimer(dueTicks);
        return new ValueTask<RateLimitLease>(waiter.Task);
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
        LinkedList<Waiter>? queue;
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            timer = _timer;
            _timer = null;
            queue = _queue;
            _queue = null;
            _queuedPermits = 0;
        }

        timer?.Dispose();
        if (queue is not null)
        {
            foreach (Waiter waiter in queue)
            {
                waiter.Registration.Unregister();
                waiter.TrySetResult(DisposedLease);
            }
        }
    }

    /// <inheritdoc />
    protected override ValueTask DisposeAsyncCore()
    {
        Dispose(true);
        return default;
    }

    private void ThrowIfTooMany(int permitCount)
    {
        int permitLimit = Volatile.Read(ref _shape).PermitLimit;
        if (permitCount > permitLimit)
        {
            throw new ArgumentOutOfRangeException(nameof(permitCount), permitCount, $"permitCount must not exceed PermitLimit ({permitLimit}); got {permitCount}.");
        }
    }

    /// <summary>Applies the periods that ended since the last catch-up, serves queued callers, returns the elapsed ticks.</summary>
    private long CatchUpLocked()
    {
        long now = _timeProvider.GetElapsedTime(_originTimestamp).Ticks;
        long due = now / _shape.PeriodTicks;
        long steps = due - _periodsDone;
        if (steps > 0)
        {
            ApplyStepsLocked(steps);
            _periodsDone = due;
            if (_queuedPermits > 0)
            {
                ServeQueueLocked();
            }
        }

        return now;
    }

    private void ApplyStepsLocked(long steps)
    {
        Shape shape = _shape;
        int permitLimit = shape.PermitLimit;
        int permitsPerPeriod = shape.PermitsPerPeriod;
        long periodTicks = shape.PeriodTicks;
        switch (shape.Algorithm)
        {
            case RateLimitAlgorithm.TokenBucket:
                int deficit = permitLimit - _available;
                if (deficit > 0)
                {
                    long added = Math.Min(steps, permitLimit) * (long)permitsPerPeriod;
                    if (added >= deficit)
                    {
                        _available = permitLimit;
                        _fullSinceTicks = (_periodsDone + ((deficit + permitsPerPeriod - 1) / permitsPerPeriod)) * periodTicks;
                    }
                    else
                    {
                        _available += (int)added;
                    }
                }

                break;

            case RateLimitAlgorithm.SlidingWindow:
                int[] segments = _segmentUse!;
                int count = segments.Length;
                long bounded = Math.Min(steps, count);
                for (long step = 1; step <= bounded; step++)
                {
                    _segmentIndex = _segmentIndex + 1 == count ? 0 : _segmentIndex + 1;
                    int freed = segments[_segmentIndex];
                    if (freed != 0)
                    {
                        segments[_segmentIndex] = 0;
                        _available += freed;
                        if (_available == permitLimit)
                        {
                            _fullSinceTicks = (_periodsDone + step) * periodTicks;
                        }
                    }
                }

                if (steps > bounded)
                {
                    // Every segment is empty by now; keep the index where the clock says it is.
                    _segmentIndex = (int)((_segmentIndex + (steps - bounded)) % count);
                }

                break;

            default:
                if (_available < permitLimit)
                {
                    _available = permitLimit;
                    _fullSinceTicks = (_periodsDone + 1) * periodTicks;
                }

                break;
        }
    }

    private bool TryTakeLocked(int permitCount)
    {
        if (_queuedPermits != 0 || !HasPermitsLocked(permitCount))
        {
            return false;
        }

        TakeLocked(permitCount);
        return true;
    }

    private bool HasPermitsLocked(int permitCount) => permitCount == 0 ? _available > 0 : _available >= permitCount;

    private void TakeLocked(int permitCount)
    {
        _available -= permitCount;
        if (_segmentUse is not null)
        {
            _segmentUse[_segmentIndex] += permitCount;
        }

        _successfulLeases++;
    }

    private void ServeQueueLocked()
    {
        LinkedList<Waiter> queue = _queue!;
        while (queue.First is { } node && HasPermitsLocked(node.Value.PermitCount))
        {
            Waiter waiter = node.Value;
            queue.RemoveFirst();
            waiter.Node = null;
            _queuedPermits -= waiter.PermitCount;
            TakeLocked(waiter.PermitCount);
            waiter.Registration.Unregister();
            waiter.TrySetResult(SuccessLease);
        }
    }

    /// <summary>How long until enough permits are back for this request and those queued before it.</summary>
    private RateLimitLease CreateFailedLeaseLocked(int permitCount, long now)
    {
        Shape shape = _shape;
        int permitLimit = shape.PermitLimit;
        long periodTicks = shape.PeriodTicks;
        long needed = Math.Max(1, (long)permitCount + _queuedPermits - _available);
        long untilNextBoundary = ((_periodsDone + 1) * periodTicks) - now;
        long periods;
        switch (shape.Algorithm)
        {
            case RateLimitAlgorithm.TokenBucket:
                periods = (needed + shape.PermitsPerPeriod - 1) / shape.PermitsPerPeriod;
                break;

            case RateLimitAlgorithm.SlidingWindow:
                int[] segments = _segmentUse!;
                long freed = 0;
                periods = 0;
                for (int step = 1; step <= segments.Length; step++)
                {
                    freed += segments[(_segmentIndex + step) % segments.Length];
                    if (freed >= needed)
                    {
                        periods = step;
                        break;
                    }
                }

                if (periods == 0)
                {
                    return FailedLeaseWithoutRetryAfter;
                }

                break;

            default:
                periods = (needed + permitLimit - 1) / permitLimit;
                break;
        }

        return new Lease(acquired: false, TimeSpan.FromTicks(untilNextBoundary + ((periods - 1) * periodTicks)));
    }

    /// <summary>Marks the timer armed for the next boundary; returns the due time to pass to <see cref="StartTimer"/>, or -1.</summary>
    private long ArmTimerLocked(long now)
    {
        if (_timerArmed || _queuedPermits == 0 || _disposed)
        {
            return -1;
        }

        _timerArmed = true;
        long due = ((_periodsDone + 1) * _shape.PeriodTicks) - now;
        return Math.Clamp(due, 1, MaxTimerDueTicks);
    }

    /// <summary>Arms the one-shot timer outside the lock (a provider may run due callbacks inside <see cref="ITimer.Change"/>).</summary>
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
            lock (_lock)
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
        lock (_lock)
        {
            _timerArmed = false;
            if (_disposed)
            {
                return;
            }

            long now = CatchUpLocked();
            dueTicks = ArmTimerLocked(now);
        }

        StartTimer(dueTicks);
    }

    private void Cancel(Waiter waiter)
    {
        lock (_lock)
        {
            if (waiter.Node is null || _queue is null)
            {
                return; // already served, cancelled or released by Dispose
            }

            _queue.Remove(waiter.Node);
            waiter.Node = null;
            _queuedPermits -= waiter.PermitCount;
            waiter.TrySetCanceled(waiter.CancellationToken);

            // A larger request at the head may have been blocking smaller ones behind it.
            if (_queuedPermits > 0)
            {
                ServeQueueLocked();
            }
        }
    }

    private sealed class Waiter : TaskCompletionSource<RateLimitLease>
    {
        public Waiter(TimeProviderRateLimiter owner, int permitCount, CancellationToken cancellationToken)
            : base(TaskCreationOptions.RunContinuationsAsynchronously)
        {
            Owner = owner;
            PermitCount = permitCount;
            CancellationToken = cancellationToken;
        }

        public TimeProviderRateLimiter Owner { get; }

        public int PermitCount { get; }

        public CancellationToken CancellationToken { get; }

        public LinkedListNode<Waiter>? Node { get; set; }

        public CancellationTokenRegistration Registration { get; set; }
    }

    /// <summary>The settings the limiter counts with, derived once from validated options.</summary>
    private sealed class Shape
    {
        public Shape(RateLimitOptions options)
        {
            Algorithm = options.Algorithm;
            PermitLimit = options.PermitLimit;
            QueueLimit = options.QueueLimit;
            switch (Algorithm)
            {
                case RateLimitAlgorithm.TokenBucket:
                    (PeriodTicks, PermitsPerPeriod) = TokenBucketPeriod(options.PermitLimit, options.Window);
                    break;
                case RateLimitAlgorithm.SlidingWindow:
                    PeriodTicks = options.Window.Ticks / options.SegmentsPerWindow;
                    Segments = options.SegmentsPerWindow;
                    break;
                default:
                    PeriodTicks = options.Window.Ticks;
                    PermitsPerPeriod = PermitLimit;
                    break;
            }
        }

        public RateLimitAlgorithm Algorithm { get; }

        public int PermitLimit { get; }

        /// <summary>Permits a token bucket adds per period (the whole limit for a fixed window; 0 for a sliding window).</summary>
        public int PermitsPerPeriod { get; }

        public long PeriodTicks { get; }

        public int QueueLimit { get; }

        /// <summary>Segments of a sliding window; 0 otherwise.</summary>
        public int Segments { get; }
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
