namespace Resilience;

/// <summary>
/// A concurrency limit with a bounded queue. Every successful <see cref="TryEnter"/>, <see cref="Enter"/> or
/// <see cref="EnterAsync"/> must be matched by exactly one <see cref="Release"/>, also when the call throws.
/// </summary>
/// <remarks>
/// Thread-safe. Taking a free slot is one compare-and-swap and allocates nothing. Waiting callers are served oldest
/// first: <see cref="Release"/> hands the freed slot to the oldest waiter, and <see cref="TryEnter"/> does not overtake
/// callers already waiting. A waiter whose token is cancelled leaves the queue at once and frees its place.
/// </remarks>
public sealed class Bulkhead
{
    private static readonly Action<object?> CancelWaiter = static state => ((Waiter)state!).Owner.Cancel((Waiter)state);

    private readonly object _lock = new();
    private readonly LinkedList<Waiter> _queue = new();
    private int _running;
    private int _queued;
    private int _maxConcurrency;
    private int _maxQueue;

    /// <summary>Creates a bulkhead.</summary>
    /// <param name="name">The bulkhead's name, used in <see cref="BulkheadRejectedException"/>.</param>
    /// <param name="options">Settings; validated here.</param>
    public Bulkhead(string name, BulkheadOptions options)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Name = name;
        _maxConcurrency = options.MaxConcurrency;
        _maxQueue = options.MaxQueue;
    }

    /// <summary>The bulkhead's name.</summary>
    public string Name { get; }

    /// <summary>Calls allowed to run at once. Changes only when configuration is reloaded (see <see cref="ResilienceOptions"/>).</summary>
    public int MaxConcurrency => Volatile.Read(ref _maxConcurrency);

    /// <summary>Calls allowed to wait. Changes only when configuration is reloaded (see <see cref="ResilienceOptions"/>).</summary>
    public int MaxQueue => Volatile.Read(ref _maxQueue);

    /// <summary>Calls running now.</summary>
    public int RunningCount => Volatile.Read(ref _running);

    /// <summary>Calls waiting now.</summary>
    public int QueuedCount => Volatile.Read(ref _queued);

    /// <summary>Where rejections, timeouts and transitions are reported; set by the registry that created the instance.</summary>
    internal ResilienceTelemetry? Telemetry { get; set; }

    /// <summary>Takes a slot if one is free now and nobody is waiting; never waits.</summary>
    public bool TryEnter() => Volatile.Read(ref _queued) == 0 && TryTakeSlot();

    /// <summary>
    /// Takes a slot, waiting in the queue if there is room; throws <see cref="BulkheadRejectedException"/> when both
    /// are full. Completes synchronously, without allocating, when a slot is free.
    /// </summary>
    /// <param name="cancellationToken">Ends the wait in the queue with <see cref="OperationCanceledException"/>.</param>
    /// <exception cref="BulkheadRejectedException">Every slot is busy and the queue is full (returned in the task).</exception>
    public ValueTask EnterAsync(CancellationToken cancellationToken) => TryEnter() ? default : EnterSlow(cancellationToken);

    /// <summary>Takes a slot, blocking in the queue if there is room; for synchronous methods.</summary>
    /// <param name="cancellationToken">Ends the wait in the queue with <see cref="OperationCanceledException"/>.</param>
    /// <exception cref="BulkheadRejectedException">Every slot is busy and the queue is full.</exception>
    public void Enter(CancellationToken cancellationToken)
    {
        if (TryEnter())
        {
            return;
        }

        ValueTask wait = EnterSlow(cancellationToken);
        if (wait.IsCompleted)
        {
            wait.GetAwaiter().GetResult();
        }
        else
        {
            wait.AsTask().GetAwaiter().GetResult();
        }
    }

    /// <summary>Frees a slot taken by a successful enter, handing it to the oldest waiter if there is one.</summary>
    /// <exception cref="InvalidOperationException">More releases than successful enters.</exception>
    public void Release()
    {
        int running = Volatile.Read(ref _running);
        while (true)
        {
            if (running <= 0)
            {
                throw new InvalidOperationException(
                    $"Bulkhead '{Name}' was released more times than it was entered. Call Release exactly once per successful TryEnter, Enter or EnterAsync, and not after a rejected or cancelled one.");
            }

            int seen = Interlocked.CompareExchange(ref _running, running - 1, running);
            if (seen == running)
            {
                break;
            }

            running = seen;
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
    /// the calls already running or waiting finish, and only new arrivals see the new limits.
    /// </summary>
    /// <param name="options">The new settings; validated here.</param>
    internal void Reconfigure(BulkheadOptions options)
    {
        options.Validate();
        lock (_lock)
        {
            Volatile.Write(ref _maxConcurrency, options.MaxConcurrency);
            Volatile.Write(ref _maxQueue, options.MaxQueue);
            DrainLocked();
        }
    }

    private bool TryTakeSlot()
    {
        int running = Volatile.Read(ref _running);
        while (running < MaxConcurrency)
        {
            int seen = Interlocked.CompareExchange(ref _running, running + 1, running);
            if (seen == running)
            {
                return true;
            }

            running = seen;
        }

        return false;
    }

    private ValueTask EnterSlow(CancellationToken cancellationToken)
    {
        Waiter waiter;
        lock (_lock)
        {
            if (_queue.Count == 0 && TryTakeSlot())
            {
                return default;
            }

            if (_queue.Count >= MaxQueue)
            {
                var rejected = new BulkheadRejectedException(Name, MaxConcurrency, MaxQueue);
                Telemetry?.OnRejected(Name, "bulkhead", rejected);
                return ValueTask.FromException(rejected);
            }

            if (cancellationToken.IsCancellationRequested)
            {
                return ValueTask.FromCanceled(cancellationToken);
            }

            waiter = new Waiter(this, cancellationToken);
            waiter.Node = _queue.AddLast(waiter);
            Interlocked.Increment(ref _queued);

            // A Release that ran between TryTakeSlot above and the increment may not have seen this waiter.
            DrainLocked();

            if (waiter.Node is not null)
            {
                // If the token is cancelled meanwhile, the callback runs right here and re-enters the (reentrant) lock.
                waiter.Registration = cancellationToken.UnsafeRegister(CancelWaiter, waiter);
            }
        }

        return new ValueTask(waiter.Task);
    }

    private void DrainLocked()
    {
        while (_queue.First is { } node && TryTakeSlot())
        {
            Waiter waiter = node.Value;
            _queue.RemoveFirst();
            waiter.Node = null;
            Interlocked.Decrement(ref _queued);
            waiter.Registration.Unregister();
            waiter.TrySetResult();
        }
    }

    private void Cancel(Waiter waiter)
    {
        lock (_lock)
        {
            if (waiter.Node is null)
            {
                return; // already given a slot
            }

            _queue.Remove(waiter.Node);
            waiter.Node = null;
            Interlocked.Decrement(ref _queued);
            waiter.TrySetCanceled(waiter.CancellationToken);
            DrainLocked();
        }
    }

    private sealed class Waiter : TaskCompletionSource
    {
        public Waiter(Bulkhead owner, CancellationToken cancellationToken)
            : base(TaskCreationOptions.RunContinuationsAsynchronously)
        {
            Owner = owner;
            CancellationToken = cancellationToken;
        }

        public Bulkhead Owner { get; }

        public CancellationToken CancellationToken { get; }

        public LinkedListNode<Waiter>? Node { get; set; }

        public CancellationTokenRegistration Registration { get; set; }
    }
}
