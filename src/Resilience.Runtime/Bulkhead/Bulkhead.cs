using System.ComponentModel;
using System.Runtime.InteropServices;
using System.Threading.Channels;
using System.Threading.Tasks.Sources;

namespace Resilience;

/// <summary>
/// A concurrency limit with a bounded queue. Every successful <see cref="TryEnter"/>, <see cref="Enter"/> or
/// <see cref="EnterAsync"/> must be matched by exactly one <see cref="Release"/>, also when the call throws.
/// </summary>
/// <remarks>
/// <para>
/// Thread-safe. Taking a free slot is a compare-and-swap (one when no other call holds a slot) and allocates nothing.
/// Waiting callers are served oldest first: <see cref="Release"/> hands the freed slot to the oldest waiter, and
/// <see cref="TryEnter"/> does not overtake callers already waiting. A waiter whose token is cancelled, or who has
/// waited <see cref="BulkheadOptions.MaxWait"/>, leaves the queue at once and frees its place.
/// </para>
/// <para>
/// A <see cref="BulkheadKind.WorkerPool"/> bulkhead has <see cref="MaxConcurrency"/> dedicated worker threads. Every
/// <see cref="EnterAsync"/> waits (the caller's thread returns at once, even when a slot is free) and, when it gets a
/// slot, the code after the <c>await</c> runs on a worker thread until its first <c>await</c> that does not complete at
/// once; the call then continues wherever the awaited operation completes, as any async call does. So a call that
/// blocks takes a worker thread, never a caller's. <see cref="EnterAsync"/> must be awaited at once; <see cref="TryEnter"/>
/// and <see cref="Enter"/> throw <see cref="NotSupportedException"/>.
/// </para>
/// <para>
/// <see cref="Admit(CancellationToken)"/> and <see cref="AdmitAsync(CancellationToken)"/> hand a rejection back as a value instead of throwing it (the generated
/// decorators use them, so a full bulkhead costs no throw); the exception, its message and its telemetry are the same.
/// </para>
/// <para>
/// Not built on <c>System.Threading.RateLimiting.ConcurrencyLimiter</c>, deliberately: every slot it grants is a new
/// <c>ConcurrencyLease</c> object (disposing it releases the slot), so each admitted call would allocate; it has no wait
/// limit (<see cref="BulkheadOptions.MaxWait"/>) and no <see cref="TimeProvider"/> to time one, its options are fixed at
/// construction (a configuration reload could not change a live limit in place), and it cannot resume a caller on a
/// worker thread. A free slot here is a compare-and-swap and no allocation.
/// </para>
/// </remarks>
public sealed class Bulkhead
{
    private static readonly Action<object?> CancelWaiter = static state => ((Waiter)state!).Owner.Remove((Waiter)state, null);
    private static readonly TimerCallback WaitExpired = static state => ((Waiter)state!).Owner.Remove((Waiter)state, BulkheadRejectionReason.WaitLimitExceeded);

    private readonly object _lock = new();
    private readonly WaiterQueue<Waiter> _queue = new();
    private readonly TimeProvider _timeProvider;
    private readonly Workers? _workers;
    private readonly ResilienceTelemetry? _telemetry;
    // The one field every enter and release writes, on a cache line of its own: the fields read on every call
    // (_queued, _maxConcurrency) stay cached on every core while callers on other cores take and free slots, and
    // TryTakeSlot and Release touch this line first with their compare-and-swap, which fetches it once, for writing
    // (a read first would fetch it shared, and the compare-and-swap fetch it again to write it).
    private PaddedCount _running;
    private int _queued;
    private int _maxConcurrency;
    private int _maxQueue;
    private long _maxWaitTicks;
    private bool _shutDown;

    /// <summary>Creates a bulkhead on <see cref="TimeProvider.System"/>.</summary>
    /// <param name="name">The bulkhead's name, used in <see cref="BulkheadRejectedException"/>.</param>
    /// <param name="options">Settings; validated here.</param>
    public Bulkhead(string name, BulkheadOptions options)
        : this(name, options, timeProvider: null)
    {
    }

    /// <summary>Creates a bulkhead.</summary>
    /// <param name="name">The bulkhead's name, used in <see cref="BulkheadRejectedException"/> and worker thread names.</param>
    /// <param name="options">Settings; validated here.</param>
    /// <param name="timeProvider">The clock that times <see cref="BulkheadOptions.MaxWait"/>; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    public Bulkhead(string name, BulkheadOptions options, TimeProvider? timeProvider)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Name = name;
        Kind = options.Kind;
        _timeProvider = timeProvider ?? TimeProvider.System;
        _maxConcurrency = options.MaxConcurrency;
        _maxQueue = options.MaxQueue;
        _maxWaitTicks = options.EffectiveMaxWait?.Ticks ?? 0;
        if (Kind == BulkheadKind.WorkerPool)
        {
            _workers = new Workers(name);
            _workers.Resize(options.MaxConcurrency);
        }
    }

    /// <summary>Creates a bulkhead reporting its rejections to <paramref name="telemetry"/> (a registry's).</summary>
    internal Bulkhead(string name, BulkheadOptions options, TimeProvider? timeProvider, ResilienceTelemetry? telemetry)
        : this(name, options, timeProvider)
    {
        _telemetry = telemetry;
    }

    /// <summary>The bulkhead's name.</summary>
    public string Name { get; }

    /// <summary>Whether admitted calls run on the caller's thread or on this bulkhead's worker threads.</summary>
    public BulkheadKind Kind { get; }

    /// <summary>Calls allowed to run at once. Changes only when configuration is reloaded (see <see cref="ResilienceOptions"/>).</summary>
    public int MaxConcurrency => Volatile.Read(ref _maxConcurrency);

    /// <summary>Calls allowed to wait. Changes only when configuration is reloaded (see <see cref="ResilienceOptions"/>).</summary>
    public int MaxQueue => Volatile.Read(ref _maxQueue);

    /// <summary>The longest wait in the queue; <see langword="null"/>: until a slot is free or the caller cancels. Changes only when configuration is reloaded.</summary>
    public TimeSpan? MaxWait => Volatile.Read(ref _maxWaitTicks) is var ticks and > 0 ? TimeSpan.FromTicks(ticks) : null;

    /// <summary>Calls running now.</summary>
    public int RunningCount => Volatile.Read(ref _running.Value);

    /// <summary>Calls waiting now.</summary>
    public int QueuedCount => Volatile.Read(ref _queued);

    /// <summary>
    /// Where rejections are reported: the telemetry the constructor got (from the registry that made the bulkhead), else
    /// that of the registry that adopted a hand-made one (<see cref="AdoptedTelemetry"/>).
    /// </summary>
    internal ResilienceTelemetry? Telemetry => _telemetry ?? AdoptedTelemetry.Of(this);

    /// <summary>The telemetry the constructor got; <see langword="null"/> for a bulkhead made with a public constructor.</summary>
    internal ResilienceTelemetry? OwnTelemetry => _telemetry;

    /// <summary>Takes a slot if one is free now and nobody is waiting; never waits.</summary>
    /// <exception cref="NotSupportedException">The bulkhead is a <see cref="BulkheadKind.WorkerPool"/>.</exception>
    public bool TryEnter()
    {
        if (_workers is not null)
        {
            throw NotOnCallerThread(nameof(TryEnter));
        }

        return Volatile.Read(ref _queued) == 0 && TryTakeSlot();
    }

    /// <summary>
    /// Takes a slot, waiting in the queue if there is room; throws <see cref="BulkheadRejectedException"/> when both
    /// are full, or when the wait exceeds <see cref="MaxWait"/>. A semaphore bulkhead completes synchronously, without
    /// allocating, when a slot is free; a worker pool always waits and resumes the caller on a worker thread.
    /// </summary>
    /// <param name="cancellationToken">Ends the wait in the queue with <see cref="OperationCanceledException"/>.</param>
    /// <exception cref="BulkheadRejectedException">Every slot is busy and the queue is full, the wait limit passed, or the bulkhead was shut down (returned in the task).</exception>
    public ValueTask EnterAsync(CancellationToken cancellationToken)
    {
        if (_workers is null && Volatile.Read(ref _queued) == 0 && TryTakeSlot())
        {
            return default;
        }

        Waiter? waiter = EnterSlow(cancellationToken, asValue: false, out Exception? rejection, out bool taken);
        return waiter is not null ? waiter.AsValueTask()
            : rejection is not null ? ValueTask.FromException(rejection)
            : taken ? default : ValueTask.FromCanceled(cancellationToken);
    }

    /// <summary>
    /// Takes a slot as <see cref="EnterAsync"/> does, but hands a rejection back instead of throwing it: the result is
    /// <see langword="null"/> when the caller has a slot (and must <see cref="Release"/> it), or the
    /// <see cref="BulkheadRejectedException"/> (reported to telemetry as by <see cref="EnterAsync"/>). Completes
    /// synchronously, without allocating, when a semaphore bulkhead has a free slot or is full.
    /// </summary>
    /// <param name="cancellationToken">Ends the wait in the queue; a cancelled wait still ends with <see cref="OperationCanceledException"/>.</param>
    /// <returns><see langword="null"/> with a slot taken; otherwise the rejection.</returns>
    public ValueTask<Exception?> AdmitAsync(CancellationToken cancellationToken)
    {
        long noReading = TimeoutStrategy.NoTimestamp;
        return AdmitAsync(cancellationToken, ref noReading);
    }

    /// <summary>
    /// <see cref="AdmitAsync(CancellationToken)"/> between a rate limit and a timeout: a clock reading the rate limit handed
    /// back still serves the timeout when the slot is taken at once, and is dropped otherwise. For generated code.
    /// </summary>
    /// <param name="cancellationToken">As for <see cref="AdmitAsync(CancellationToken)"/>.</param>
    /// <param name="admittedAt">
    /// The rate limit's reading (<see cref="RateLimitStrategy.AdmitAsync(CancellationToken, out long)"/>); set to
    /// <see cref="TimeoutStrategy.NoTimestamp"/> unless a slot of a semaphore bulkhead was free at once, so that the time
    /// a call waits here is never counted by the timeout after it.
    /// </param>
    /// <returns>As for <see cref="AdmitAsync(CancellationToken)"/>.</returns>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public ValueTask<Exception?> AdmitAsync(CancellationToken cancellationToken, ref long admittedAt)
    {
        if (_workers is null && Volatile.Read(ref _queued) == 0 && TryTakeSlot())
        {
            return default;
        }

        admittedAt = TimeoutStrategy.NoTimestamp;
        Waiter? waiter = EnterSlow(cancellationToken, asValue: true, out Exception? rejection, out bool taken);
        return waiter is not null ? waiter.AsRejectionTask()
            : rejection is not null ? new ValueTask<Exception?>(rejection)
            : taken ? default : ValueTask.FromCanceled<Exception?>(cancellationToken);
    }

    /// <summary>
    /// <see cref="Admit(CancellationToken)"/> between a rate limit and a timeout (see
    /// <see cref="AdmitAsync(CancellationToken, ref long)"/>). For generated code.
    /// </summary>
    /// <param name="cancellationToken">As for <see cref="Admit(CancellationToken)"/>.</param>
    /// <param name="admittedAt">As for <see cref="AdmitAsync(CancellationToken, ref long)"/>.</param>
    /// <returns>As for <see cref="Admit(CancellationToken)"/>.</returns>
    /// <exception cref="NotSupportedException">The bulkhead is a <see cref="BulkheadKind.WorkerPool"/>.</exception>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public Exception? Admit(CancellationToken cancellationToken, ref long admittedAt)
    {
        if (TryEnter())
        {
            return null;
        }

        admittedAt = TimeoutStrategy.NoTimestamp;
        Waiter? waiter = EnterSlow(cancellationToken, asValue: true, out Exception? rejection, out bool taken);
        if (waiter is not null)
        {
            ValueTask<Exception?> wait = waiter.AsRejectionTask();
            return wait.IsCompleted ? wait.Result : wait.AsTask().GetAwaiter().GetResult();
        }

        if (rejection is null && !taken)
        {
            ValueTask.FromCanceled(cancellationToken).GetAwaiter().GetResult();
        }

        return rejection;
    }

    /// <summary>
    /// Takes a slot as <see cref="Enter"/> does, blocking in the queue if there is room, but hands a rejection back
    /// instead of throwing it; for synchronous methods.
    /// </summary>
    /// <param name="cancellationToken">Ends the wait in the queue; a cancelled wait still throws <see cref="OperationCanceledException"/>.</param>
    /// <returns><see langword="null"/> with a slot taken (to <see cref="Release"/>); otherwise the <see cref="BulkheadRejectedException"/>.</returns>
    /// <exception cref="NotSupportedException">The bulkhead is a <see cref="BulkheadKind.WorkerPool"/>.</exception>
    public Exception? Admit(CancellationToken cancellationToken)
    {
        long noReading = TimeoutStrategy.NoTimestamp;
        return Admit(cancellationToken, ref noReading);
    }

    /// <summary>Takes a slot, blocking in the queue if there is room; for synchronous methods.</summary>
    /// <param name="cancellationToken">Ends the wait in the queue with <see cref="OperationCanceledException"/>.</param>
    /// <exception cref="BulkheadRejectedException">Every slot is busy and the queue is full, or the wait limit passed.</exception>
    /// <exception cref="NotSupportedException">The bulkhead is a <see cref="BulkheadKind.WorkerPool"/>.</exception>
    public void Enter(CancellationToken cancellationToken)
    {
        if (Admit(cancellationToken) is { } rejection)
        {
            throw rejection;
        }
    }

    /// <summary>Frees a slot taken by a successful enter, handing it to the oldest waiter if there is one.</summary>
    /// <exception cref="InvalidOperationException">More releases than successful enters.</exception>
    public void Release()
    {
        // First try as if this were the only call running: right when uncontended; when it is not, the failed
        // compare-and-swap has read the count for the next try (see _running).
        int running = 1;
        while (true)
        {
            int seen = Interlocked.CompareExchange(ref _running.Value, running - 1, running);
            if (seen == running)
            {
                break;
            }

            running = seen;
            if (running <= 0)
            {
                throw new InvalidOperationException(
                    $"Bulkhead '{Name}' was released more times than it was entered. Call Release exactly once per successful TryEnter, Enter or EnterAsync, and not after a rejected or cancelled one.");
            }
        }

        // Pairs with the enqueue in EnterSlow: the decrement above and the increment of _queued there are both full
        // fences, so either this thread sees the waiter or the waiter's own drain sees the free slot.
        if (Volatile.Read(ref _queued) != 0)
        {
            lock (_lock)
            {
                DrainLocked();
            }
        }
    }

    /// <summary>
    /// Applies new limits to calls from now on: more slots start waiters at once; fewer slots or a shorter queue let
    /// the calls already running or waiting finish, and only new arrivals see the new limits. A new wait limit applies
    /// to calls that start waiting from now on. A worker pool starts or retires worker threads to match the new
    /// <see cref="BulkheadOptions.MaxConcurrency"/>; <see cref="BulkheadOptions.Kind"/> does not change.
    /// </summary>
    /// <param name="options">The new settings; validated here.</param>
    internal void Reconfigure(BulkheadOptions options)
    {
        options.Validate();
        lock (_lock)
        {
            Volatile.Write(ref _maxConcurrency, options.MaxConcurrency);
            Volatile.Write(ref _maxQueue, options.MaxQueue);
            Volatile.Write(ref _maxWaitTicks, options.EffectiveMaxWait?.Ticks ?? 0);
            _workers?.Resize(options.MaxConcurrency);
            DrainLocked();
        }
    }

    /// <summary>
    /// Rejects every waiting call and every later one with <see cref="BulkheadRejectionReason.ShutDown"/>, and lets the
    /// worker threads of a worker pool end once the calls already given a slot have left them. Called when the registry
    /// that created the bulkhead is disposed.
    /// </summary>
    internal void ShutDown()
    {
        lock (_lock)
        {
            if (_shutDown)
            {
                return;
            }

            _shutDown = true;
            while (_queue.First is { } waiter)
            {
                Remove(waiter, BulkheadRejectionReason.ShutDown);
            }

            _workers?.Complete();
        }
    }

    private static NotSupportedException NotOnCallerThread(string method)
        => new($"{method} cannot be used on a WorkerPool bulkhead: its calls run on its worker threads, never on the caller's. Await EnterAsync instead (a synchronous method cannot use a worker pool: RES0024).");

    private BulkheadRejectedException Rejection(BulkheadRejectionReason reason, TimeSpan? maxWait)
    {
        var rejected = new BulkheadRejectedException(Name, MaxConcurrency, MaxQueue, reason, maxWait);
        Telemetry?.OnRejected(Name, "bulkhead", rejected);
        return rejected;
    }

    private bool TryTakeSlot()
    {
        // First try as if no call were running (MaxConcurrency is at least 1): see Release.
        int running = 0;
        do
        {
            int seen = Interlocked.CompareExchange(ref _running.Value, running + 1, running);
            if (seen == running)
            {
                return true;
            }

            running = seen;
        }
        while (running < MaxConcurrency);

        return false;
    }

    /// <summary>
    /// The slow path of every enter: returns the waiter queued (<paramref name="asValue"/>: it ends a rejected wait with
    /// the rejection as its result, not as a fault), or <see langword="null"/> with either a <paramref name="rejection"/>,
    /// a slot <paramref name="taken"/>, or neither (<paramref name="cancellationToken"/> was cancelled).
    /// </summary>
    private Waiter? EnterSlow(CancellationToken cancellationToken, bool asValue, out Exception? rejection, out bool taken)
    {
        Waiter waiter;
        rejection = null;
        taken = false;
        lock (_lock)
        {
            if (_shutDown)
            {
                rejection = Rejection(BulkheadRejectionReason.ShutDown, null);
                return null;
            }

            // A worker pool queues every call, so that it resumes on a worker; a free slot makes room for one more.
            bool slotFree = _workers is not null && _running.Value < MaxConcurrency;
            if (_workers is null && _queue.Count == 0 && TryTakeSlot())
            {
                taken = true;
                return null;
            }

            if (_queue.Count >= MaxQueue && !(slotFree && _queue.Count == 0))
            {
                rejection = Rejection(BulkheadRejectionReason.QueueFull, null);
                return null;
            }

            if (cancellationToken.IsCancellationRequested)
            {
                return null;
            }

            waiter = _workers is null ? new TaskWaiter(this, cancellationToken, asValue) : new WorkerWaiter(this, cancellationToken, asValue);
            _queue.Enqueue(waiter);
            Interlocked.Increment(ref _queued);

            // A Release that ran between TryTakeSlot above and the increment may not have seen this waiter.
            DrainLocked();

            if (waiter.IsQueued)
            {
                // If the token is cancelled meanwhile, the callback runs right here and re-enters the (reentrant) lock.
                waiter.Registration = cancellationToken.UnsafeRegister(CancelWaiter, waiter);
                if (waiter.IsQueued && MaxWait is { } maxWait)
                {
                    waiter.MaxWait = maxWait;
                    waiter.Timer = _timeProvider.CreateTimer(WaitExpired, waiter, maxWait, Timeout.InfiniteTimeSpan);
                }
            }
        }

        return waiter;
    }

    private void DrainLocked()
    {
        while (_queue.First is not null && TryTakeSlot())
        {
            Waiter waiter = _queue.Dequeue()!;
            Interlocked.Decrement(ref _queued);
            waiter.Registration.Unregister();
            waiter.Timer?.Dispose();
            if (_workers is null)
            {
                ((TaskWaiter)waiter).TrySetResult();
            }
            else
            {
                _workers.Run((WorkerWaiter)waiter);
            }
        }
    }

    /// <summary>Takes <paramref name="waiter"/> out of the queue, if it is still there: cancelled (<paramref name="reason"/> null) or rejected.</summary>
    private void Remove(Waiter waiter, BulkheadRejectionReason? reason)
    {
        lock (_lock)
        {
            if (!_queue.Remove(waiter))
            {
                return; // already given a slot, cancelled or rejected
            }

            Interlocked.Decrement(ref _queued);
            waiter.Registration.Unregister();
            waiter.Timer?.Dispose();
            waiter.Fail(reason is { } why ? Rejection(why, waiter.MaxWait) : new OperationCanceledException(waiter.CancellationToken));
            DrainLocked();
        }
    }

    /// <summary>A call waiting in the queue.</summary>
    private abstract class Waiter : QueuedWaiter<Waiter>
    {
        protected Waiter(Bulkhead owner, CancellationToken cancellationToken, bool asValue)
        {
            Owner = owner;
            CancellationToken = cancellationToken;
            AsValue = asValue;
        }

        /// <summary>Whether a rejection ends the wait as its result (<see cref="AsRejectionTask"/>) rather than as a fault.</summary>
        public bool AsValue { get; }

        public Bulkhead Owner { get; }

        public CancellationToken CancellationToken { get; }

        public CancellationTokenRegistration Registration { get; set; }

        public ITimer? Timer { get; set; }

        public TimeSpan? MaxWait { get; set; }

        public abstract ValueTask AsValueTask();

        /// <summary>The wait of an <see cref="AsValue"/> waiter: <see langword="null"/> with a slot, or the rejection.</summary>
        public abstract ValueTask<Exception?> AsRejectionTask();

        /// <summary>Ends the wait with <paramref name="exception"/> (an <see cref="OperationCanceledException"/> cancels it).</summary>
        public abstract void Fail(Exception exception);
    }

    /// <summary>A waiter of a semaphore bulkhead: resumed on the thread pool.</summary>
    private sealed class TaskWaiter : Waiter
    {
        private readonly TaskCompletionSource<Exception?> _source = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskWaiter(Bulkhead owner, CancellationToken cancellationToken, bool asValue)
            : base(owner, cancellationToken, asValue)
        {
        }

        public override ValueTask AsValueTask() => new(_source.Task);

        public override ValueTask<Exception?> AsRejectionTask() => new(_source.Task);

        public void TrySetResult() => _source.TrySetResult(null);

        public override void Fail(Exception exception)
        {
            if (exception is OperationCanceledException)
            {
                _source.TrySetCanceled(CancellationToken);
            }
            else if (AsValue)
            {
                _source.TrySetResult(exception);
            }
            else
            {
                _source.TrySetException(exception);
            }
        }
    }

    /// <summary>
    /// A waiter of a worker pool. It reports "pending" until a worker resumes it, so the awaiting caller has always
    /// registered its continuation before it gets a slot, and the worker invokes that continuation on its own thread.
    /// A failed wait (cancelled, wait limit, shut down) resumes the caller on the thread pool.
    /// </summary>
    private sealed class WorkerWaiter : Waiter, IValueTaskSource, IValueTaskSource<Exception?>
    {
        private static readonly Action<object?> Completed = static _ => { };
        private static readonly Action<object?> RunOnThreadPool = static state => ((WorkerWaiter)state!).Run();
        private static readonly ContextCallback RunInContext = static state => ((WorkerWaiter)state!).InvokeContinuation();

        // null, then the caller's continuation (OnCompleted), then Completed (resumed by a worker, or failed).
        private Action<object?>? _continuation;
        private Action<object?>? _registered;
        private object? _continuationState;
        private ExecutionContext? _executionContext;
        private Exception? _error;

        public WorkerWaiter(Bulkhead owner, CancellationToken cancellationToken, bool asValue)
            : base(owner, cancellationToken, asValue)
        {
        }

        public override ValueTask AsValueTask() => new(this, 0);

        public override ValueTask<Exception?> AsRejectionTask() => new(this, 0);

        public override void Fail(Exception exception)
        {
            _error = exception;
            Action<object?>? continuation = Interlocked.Exchange(ref _continuation, Completed);
            if (continuation is not null && !ReferenceEquals(continuation, Completed))
            {
                _registered = continuation;
                ThreadPool.UnsafeQueueUserWorkItem(RunOnThreadPool, this, preferLocal: false);
            }
        }

        /// <summary>On a worker thread, once the waiter has a slot: waits for the caller's continuation, then runs it here.</summary>
        public void Resume()
        {
            var spinner = default(SpinWait);
            while (true)
            {
                Action<object?>? continuation = Volatile.Read(ref _continuation);
                if (continuation is not null && Interlocked.CompareExchange(ref _continuation, Completed, continuation) == continuation)
                {
                    _registered = continuation;
                    Run();
                    return;
                }

                // The caller awaits right after EnterAsync returns, so this wait is short.
                spinner.SpinOnce();
            }
        }

        public ValueTaskSourceStatus GetStatus(short token)
        {
            if (!ReferenceEquals(Volatile.Read(ref _continuation), Completed))
            {
                return ValueTaskSourceStatus.Pending;
            }

            return _error switch
            {
                null => ValueTaskSourceStatus.Succeeded,
                OperationCanceledException => ValueTaskSourceStatus.Canceled,
                _ => AsValue ? ValueTaskSourceStatus.Succeeded : ValueTaskSourceStatus.Faulted,
            };
        }

        Exception? IValueTaskSource<Exception?>.GetResult(short token)
        {
            if (_error is not null && AsValue && _error is not OperationCanceledException && ReferenceEquals(Volatile.Read(ref _continuation), Completed))
            {
                return _error;
            }

            GetResult(token);
            return null;
        }

        public void GetResult(short token)
        {
            if (!ReferenceEquals(Volatile.Read(ref _continuation), Completed))
            {
                throw new InvalidOperationException("A worker pool's EnterAsync must be awaited; it cannot be waited on before it completes.");
            }

            if (_error is not null)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(_error);
            }
        }

        public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags)
        {
            _continuationState = state;
            if ((flags & ValueTaskSourceOnCompletedFlags.FlowExecutionContext) != 0)
            {
                _executionContext = ExecutionContext.Capture();
            }

            if (Interlocked.CompareExchange(ref _continuation, continuation, null) is not null)
            {
                // Failed before the caller awaited (a waiter given a slot stays pending until a worker takes the continuation).
                _registered = continuation;
                ThreadPool.UnsafeQueueUserWorkItem(RunOnThreadPool, this, preferLocal: false);
            }
        }

        private void Run()
        {
            if (_executionContext is { } context)
            {
                ExecutionContext.Run(context, RunInContext, this);
            }
            else
            {
                InvokeContinuation();
            }
        }

        private void InvokeContinuation() => _registered!(_continuationState);
    }

    /// <summary>
    /// The worker threads of a worker pool: they take the waiters given a slot from a channel, oldest first, and resume
    /// each on their own thread. The channel holds only calls that already have a slot (at most MaxConcurrency), so
    /// it needs no bound; waiting calls stay in the bulkhead's queue, where cancellation and MaxWait remove them at once.
    /// </summary>
    private sealed class Workers
    {
        // Synchronous continuations: the only readers are worker threads blocked in WaitToReadAsync, so a write wakes one
        // directly (it sets the event the worker waits on) instead of queuing that to the thread pool, which may be the
        // very thing that is starved.
        private readonly Channel<WorkerWaiter?> _ready = Channel.CreateUnbounded<WorkerWaiter?>(
            new UnboundedChannelOptions { SingleReader = false, SingleWriter = false, AllowSynchronousContinuations = true });

        private readonly object _sync = new();
        private readonly string _name;
        private int _target;
        private int _alive;
        private int _started;

        public Workers(string name) => _name = name;

        public void Run(WorkerWaiter waiter) => _ready.Writer.TryWrite(waiter);

        /// <summary>Starts threads up to <paramref name="count"/>, or queues one retire marker per thread too many, behind the calls already handed to the workers.</summary>
        public void Resize(int count)
        {
            lock (_sync)
            {
                ResizeLocked(count);
            }
        }

        private void ResizeLocked(int count)
        {
            int surplus = _alive - count;
            _target = count;
            for (; surplus < 0; surplus++)
            {
                _alive++;
                var thread = new Thread(Work)
                {
                    IsBackground = true,
                    Name = $"Resilience worker '{_name}' #{++_started}",
                };
                thread.Start();
            }

            for (; surplus > 0; surplus--)
            {
                _ready.Writer.TryWrite(null); // one "retire" marker per thread too many
            }
        }

        public void Complete() => _ready.Writer.TryComplete();

        private void Work()
        {
            ChannelReader<WorkerWaiter?> reader = _ready.Reader;
            while (true)
            {
                if (!reader.TryRead(out WorkerWaiter? waiter))
                {
                    if (!reader.WaitToReadAsync().AsTask().GetAwaiter().GetResult())
                    {
                        return; // shut down
                    }

                    continue;
                }

                if (waiter is not null)
                {
                    waiter.Resume();
                }
                else if (Retire())
                {
                    return;
                }
            }
        }

        private bool Retire()
        {
            lock (_sync)
            {
                if (_alive <= _target)
                {
                    return false;
                }

                _alive--;
                return true;
            }
        }
    }

    /// <summary>A count alone on its cache line (and the lines either side), so that writing it invalidates no other field.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 3 * CacheLineSize)]
    private struct PaddedCount
    {
        [FieldOffset(CacheLineSize)]
        public int Value;

        // The cache line of x64 and of most Arm64 cores.
        private const int CacheLineSize = 64;
    }
}
