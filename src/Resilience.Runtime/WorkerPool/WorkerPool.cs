using System.Threading.Channels;

namespace Resilience;

/// <summary>
/// A fixed number of workers running background jobs from a bounded queue, oldest first: <see cref="TrySubmit"/> and
/// <see cref="Submit"/> turn a job away at once when the queue is full, <see cref="SubmitAsync"/> waits for room, and
/// <see cref="ShutdownAsync"/> drains the queue or, at its deadline, cancels what is left.
/// </summary>
/// <remarks>
/// <para>
/// Thread-safe. Built on a bounded <see cref="Channel{T}"/> of <see cref="MaxQueue"/> jobs read by
/// <see cref="MaxConcurrency"/> worker loops on the thread pool. Submitting a job stores only its delegate: with a
/// cached delegate, <see cref="TrySubmit"/> allocates nothing.
/// </para>
/// <para>
/// Every accepted job runs exactly once, or is dropped (never run) when the shutdown deadline passes before a worker
/// takes it. A job receives the pool's stopping token, cancelled at the shutdown deadline. A job that throws is
/// counted (<see cref="FailedCount"/>) and reported (<see cref="JobFailed"/>, and the registry's log when the pool was
/// registered with <c>AddWorkerPool</c>); it never ends a worker or goes unobserved.
/// </para>
/// </remarks>
public sealed class WorkerPool : IAsyncDisposable, IDisposable
{
    private readonly Channel<Func<CancellationToken, ValueTask>> _queue;
    private readonly CancellationTokenSource _stopping = new();
    private readonly TimeProvider _timeProvider;
    private readonly Task _workers;
    private readonly object _shutdownLock = new();
    private Task<WorkerPoolShutdownResult>? _shutdown;
    private bool _closing;
    private int _running;
    private int _dropped;
    private long _submitted;
    private long _completed;
    private long _failed;

    /// <summary>Creates the pool and starts its workers.</summary>
    /// <param name="name">The pool's name, used in rejections and telemetry.</param>
    /// <param name="options">Settings; validated here.</param>
    /// <param name="timeProvider">The clock that times the shutdown deadline; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    public WorkerPool(string name, WorkerPoolOptions options, TimeProvider? timeProvider = null)
        : this(name, options, timeProvider, telemetry: null)
    {
    }

    /// <summary>Creates the pool reporting its rejections and jobs to <paramref name="telemetry"/> (a registry's: <c>AddWorkerPool</c>), and starts its workers.</summary>
    internal WorkerPool(string name, WorkerPoolOptions options, TimeProvider? timeProvider, ResilienceTelemetry? telemetry)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Name = name;
        Telemetry = telemetry;
        MaxConcurrency = options.MaxConcurrency;
        MaxQueue = options.MaxQueue;
        ShutdownTimeout = options.ShutdownTimeout;
        _timeProvider = timeProvider ?? TimeProvider.System;
        _queue = Channel.CreateBounded<Func<CancellationToken, ValueTask>>(new BoundedChannelOptions(options.MaxQueue)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = options.MaxConcurrency == 1,
            SingleWriter = false,
        });

        var workers = new Task[options.MaxConcurrency];
        using (ExecutionContext.SuppressFlow()) // the workers do not carry the creator's async-locals or activity
        {
            for (int i = 0; i < workers.Length; i++)
            {
                workers[i] = Task.Run(WorkAsync);
            }
        }

        _workers = Task.WhenAll(workers);
    }

    /// <summary>The pool's name.</summary>
    public string Name { get; }

    /// <summary>Jobs run at once.</summary>
    public int MaxConcurrency { get; }

    /// <summary>Jobs allowed to wait.</summary>
    public int MaxQueue { get; }

    /// <summary>The deadline the hosted service of <c>AddWorkerPool</c> gives <see cref="ShutdownAsync"/>.</summary>
    public TimeSpan ShutdownTimeout { get; }

    /// <summary>Jobs waiting now.</summary>
    public int QueuedCount => _queue.Reader.Count;

    /// <summary>Jobs running now.</summary>
    public int RunningCount => Volatile.Read(ref _running);

    /// <summary>Jobs accepted so far.</summary>
    public long SubmittedCount => Interlocked.Read(ref _submitted);

    /// <summary>Jobs that ran to completion.</summary>
    public long CompletedCount => Interlocked.Read(ref _completed);

    /// <summary>Jobs that threw.</summary>
    public long FailedCount => Interlocked.Read(ref _failed);

    /// <summary>Jobs dropped by a shutdown without running.</summary>
    public int DroppedCount => Volatile.Read(ref _dropped);

    /// <summary>Whether the pool stopped accepting jobs (<see cref="ShutdownAsync"/> was called).</summary>
    public bool IsShutDown => Volatile.Read(ref _closing);

    /// <summary>Raised on the worker, after the job, when a job throws. A handler that throws is ignored.</summary>
    public event EventHandler<WorkerPoolJobFailedEventArgs>? JobFailed;

    /// <summary>Where rejections and jobs are reported: the registry's, given to the constructor by <c>AddWorkerPool</c>.</summary>
    internal ResilienceTelemetry? Telemetry { get; }

    /// <summary>Queues <paramref name="job"/> if there is room now; never waits.</summary>
    /// <param name="job">The job; it receives the pool's stopping token.</param>
    /// <returns><see langword="false"/> when the queue is full or the pool is shut down.</returns>
    public bool TrySubmit(Func<CancellationToken, ValueTask> job)
    {
        ArgumentNullException.ThrowIfNull(job);
        if (!_queue.Writer.TryWrite(job))
        {
            return false;
        }

        Interlocked.Increment(ref _submitted);
        return true;
    }

    /// <summary>Queues <paramref name="job"/>, or throws at once when the queue is full or the pool is shut down.</summary>
    /// <param name="job">The job; it receives the pool's stopping token.</param>
    /// <exception cref="BulkheadRejectedException">The queue is full (<see cref="BulkheadRejectionReason.QueueFull"/>) or the pool is shut down (<see cref="BulkheadRejectionReason.ShutDown"/>).</exception>
    public void Submit(Func<CancellationToken, ValueTask> job)
    {
        if (!TrySubmit(job))
        {
            throw Rejection(IsShutDown ? BulkheadRejectionReason.ShutDown : BulkheadRejectionReason.QueueFull);
        }
    }

    /// <summary>Queues <paramref name="job"/>, waiting for room in the queue while it is full.</summary>
    /// <param name="job">The job; it receives the pool's stopping token.</param>
    /// <param name="cancellationToken">Ends the wait for room with <see cref="OperationCanceledException"/> (the job is then not queued).</param>
    /// <exception cref="BulkheadRejectedException">The pool is shut down, before or while waiting (<see cref="BulkheadRejectionReason.ShutDown"/>).</exception>
    public async ValueTask SubmitAsync(Func<CancellationToken, ValueTask> job, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(job);
        try
        {
            await _queue.Writer.WriteAsync(job, cancellationToken).ConfigureAwait(false);
        }
        catch (ChannelClosedException)
        {
            throw Rejection(BulkheadRejectionReason.ShutDown);
        }

        Interlocked.Increment(ref _submitted);
    }

    /// <summary>
    /// Stops accepting jobs and lets the workers run the queued ones until <paramref name="deadline"/> (on the pool's
    /// clock); then cancels the stopping token the running jobs received and drops the jobs still queued. Returns once
    /// every worker has stopped, or when <paramref name="cancellationToken"/> is cancelled (a job that ignores the
    /// stopping token then keeps running: see <see cref="WorkerPoolShutdownResult.StillRunning"/>). Later calls return
    /// the first call's task.
    /// </summary>
    /// <param name="deadline">How long queued and running jobs may take; <see cref="TimeSpan.Zero"/> cancels at once.</param>
    /// <param name="cancellationToken">Stops waiting (the deadline is then considered passed).</param>
    public Task<WorkerPoolShutdownResult> ShutdownAsync(TimeSpan deadline, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(deadline, TimeSpan.Zero);
        lock (_shutdownLock)
        {
            if (_shutdown is null)
            {
                Volatile.Write(ref _closing, true);
                _queue.Writer.TryComplete();
                _shutdown = ShutdownCoreAsync(deadline, cancellationToken);
            }

            return _shutdown;
        }
    }

    /// <summary>Shuts down at once: cancels the running jobs and drops the queued ones (<see cref="ShutdownAsync"/> with a zero deadline).</summary>
    public async ValueTask DisposeAsync() => await ShutdownAsync(TimeSpan.Zero).ConfigureAwait(false);

    /// <summary>Starts a shutdown with a zero deadline (running jobs cancelled, queued ones dropped) without waiting for the workers to stop.</summary>
    public void Dispose() => _ = ShutdownAsync(TimeSpan.Zero);

    private async Task<WorkerPoolShutdownResult> ShutdownCoreAsync(TimeSpan deadline, CancellationToken cancellationToken)
    {
        bool drained = _workers.IsCompleted;
        if (!drained && deadline > TimeSpan.Zero)
        {
            try
            {
                // Beyond what a timer can wait (about 49.7 days), the deadline is as good as none.
                await (deadline.TotalMilliseconds > uint.MaxValue - 1
                    ? _workers.WaitAsync(cancellationToken)
                    : _workers.WaitAsync(deadline, _timeProvider, cancellationToken)).ConfigureAwait(false);
                drained = true;
            }
            catch (TimeoutException)
            {
            }
            catch (OperationCanceledException)
            {
            }
        }

        if (!drained)
        {
            await _stopping.CancelAsync().ConfigureAwait(false); // running jobs are told; workers drop the queued ones
            try
            {
                await _workers.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
        }

        return new WorkerPoolShutdownResult(drained, DroppedCount, RunningCount);
    }

    private async Task WorkAsync()
    {
        ChannelReader<Func<CancellationToken, ValueTask>> reader = _queue.Reader;
        CancellationToken stopping = _stopping.Token;
        while (await reader.WaitToReadAsync(CancellationToken.None).ConfigureAwait(false))
        {
            while (reader.TryRead(out Func<CancellationToken, ValueTask>? job))
            {
                if (stopping.IsCancellationRequested)
                {
                    Interlocked.Increment(ref _dropped);
                    Telemetry?.OnWorkerPoolJob(Name, "dropped");
                    continue;
                }

                Interlocked.Increment(ref _running);
                try
                {
                    await job(stopping).ConfigureAwait(false);
                    Interlocked.Increment(ref _completed);
                    Telemetry?.OnWorkerPoolJob(Name, "success");
                }
                catch (Exception exception)
                {
                    Interlocked.Increment(ref _failed);
                    OnJobFailed(exception);
                }
                finally
                {
                    Interlocked.Decrement(ref _running);
                }
            }
        }
    }

    private void OnJobFailed(Exception exception)
    {
        Telemetry?.OnWorkerPoolJob(Name, "failure", exception);
        try
        {
            JobFailed?.Invoke(this, new WorkerPoolJobFailedEventArgs(Name, exception));
        }
        catch (Exception)
        {
            // A failing handler must not end the worker; the job's failure was already counted.
        }
    }

    private BulkheadRejectedException Rejection(BulkheadRejectionReason reason)
    {
        var rejected = new BulkheadRejectedException(Name, MaxConcurrency, MaxQueue, reason, maxWait: null);
        Telemetry?.OnRejected(Name, "worker_pool", rejected);
        return rejected;
    }
}
