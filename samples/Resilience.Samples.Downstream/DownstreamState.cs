namespace Resilience.Samples.Downstream;

/// <summary>
/// The scripted behaviour of the downstream and the count of requests its business endpoints received.
/// Thread-safe; one instance per app, registered as a singleton.
/// </summary>
public sealed class DownstreamState
{
    /// <summary>Transient failures before recovering when <c>failures</c> is not given. 2.</summary>
    public const int DefaultTransientFailures = 2;

    /// <summary>Status code of a dead downstream when <c>status</c> is not given. 503.</summary>
    public const int DefaultDeadStatus = 503;

    /// <summary>Delay of a slow downstream when <c>delayMs</c> is not given, in milliseconds. 10 000.</summary>
    public const int DefaultSlowDelayMs = 10_000;

    private readonly Lock _lock = new();
    private readonly List<(int Count, TaskCompletionSource<int> Reached)> _waiters = [];
    private DownstreamMode _mode;
    private int _transientFailuresLeft;
    private int _deadStatus = DefaultDeadStatus;
    private TimeSpan _slowDelay = TimeSpan.FromMilliseconds(DefaultSlowDelayMs);
    private int _hits;

    /// <summary>Requests received by the business endpoints since start or the last <see cref="Reset"/>.</summary>
    public int Hits
    {
        get
        {
            lock (_lock)
            {
                return _hits;
            }
        }
    }

    /// <summary>The current mode.</summary>
    public DownstreamMode Mode
    {
        get
        {
            lock (_lock)
            {
                return _mode;
            }
        }
    }

    /// <summary>Switches the mode. Arguments not relevant to <paramref name="mode"/> are ignored.</summary>
    /// <param name="mode">The new mode.</param>
    /// <param name="failures">For <see cref="DownstreamMode.Transient"/>: requests that fail before recovering; at least 0.</param>
    /// <param name="status">For <see cref="DownstreamMode.Dead"/>: the status code to answer, in [500, 599].</param>
    /// <param name="delay">For <see cref="DownstreamMode.Slow"/>: how long each request waits; not negative.</param>
    public void SetMode(DownstreamMode mode, int failures = DefaultTransientFailures, int status = DefaultDeadStatus, TimeSpan? delay = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(failures);
        if (status is < 500 or > 599)
        {
            throw new ArgumentOutOfRangeException(nameof(status), status, $"status must be a server error in [500, 599]; got {status}.");
        }

        TimeSpan slowDelay = delay ?? TimeSpan.FromMilliseconds(DefaultSlowDelayMs);
        ArgumentOutOfRangeException.ThrowIfLessThan(slowDelay, TimeSpan.Zero, nameof(delay));

        lock (_lock)
        {
            _mode = mode;
            _transientFailuresLeft = failures;
            _deadStatus = status;
            _slowDelay = slowDelay;
        }
    }

    /// <summary>Back to <see cref="DownstreamMode.Healthy"/> with a hit count of zero.</summary>
    public void Reset()
    {
        lock (_lock)
        {
            _mode = DownstreamMode.Healthy;
            _transientFailuresLeft = 0;
            _deadStatus = DefaultDeadStatus;
            _slowDelay = TimeSpan.FromMilliseconds(DefaultSlowDelayMs);
            _hits = 0;
        }
    }

    /// <summary>Counts one request and decides how to answer it.</summary>
    /// <returns>The status code to answer and how long to wait before answering.</returns>
    public (int StatusCode, TimeSpan Delay) RecordHit()
    {
        (int, TimeSpan) answer;
        List<TaskCompletionSource<int>>? reached = null;
        int hits;
        lock (_lock)
        {
            hits = ++_hits;
            switch (_mode)
            {
                case DownstreamMode.Transient when _transientFailuresLeft > 0:
                    _transientFailuresLeft--;
                    answer = (503, TimeSpan.Zero);
                    break;
                case DownstreamMode.Dead:
                    answer = (_deadStatus, TimeSpan.Zero);
                    break;
                case DownstreamMode.Slow:
                    answer = (200, _slowDelay);
                    break;
                default:
                    answer = (200, TimeSpan.Zero);
                    break;
            }

            for (int i = _waiters.Count - 1; i >= 0; i--)
            {
                if (_waiters[i].Count <= hits)
                {
                    (reached ??= []).Add(_waiters[i].Reached);
                    _waiters.RemoveAt(i);
                }
            }
        }

        if (reached is not null)
        {
            foreach (TaskCompletionSource<int> waiter in reached)
            {
                waiter.TrySetResult(hits);
            }
        }

        return answer;
    }

    /// <summary>Completes once the business endpoints have received at least <paramref name="count"/> requests.</summary>
    /// <param name="count">The hit count to wait for.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>The hit count when it was reached.</returns>
    public Task<int> WaitForHitsAsync(int count, CancellationToken cancellationToken)
    {
        Task<int> reached;
        lock (_lock)
        {
            if (_hits >= count)
            {
                return Task.FromResult(_hits);
            }

            var waiter = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((count, waiter));
            reached = waiter.Task;
        }

        return reached.WaitAsync(cancellationToken);
    }
}
