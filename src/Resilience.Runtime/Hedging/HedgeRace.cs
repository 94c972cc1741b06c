namespace Resilience;

/// <summary>
/// The race of one hedged call whose first attempt did not answer at once (<see cref="HedgeScope.Race{TResult}"/>).
/// The caller loops on <see cref="NextAsync"/> and starts an attempt (<see cref="Add{TResult}"/>) each time it returns
/// <see langword="true"/>; when it returns <see langword="false"/> the race is over: <see cref="Error"/> is
/// <see langword="null"/> and <see cref="GetResult{TResult}"/> holds the first successful answer, or <see cref="Error"/>
/// holds the failure of the attempt that ended last (a result marked as a failure by <c>HandleResult</c>, carried as a
/// <see cref="HandledResultException"/>, is kept over a later exception).
/// </summary>
/// <remarks>
/// Another attempt is due when the latest one has not answered within the delay, or (with
/// <see cref="HedgeOptions.OnFailure"/>) at once when one fails, while fewer than <c>1 + MaxHedges</c> have started and
/// the token is not cancelled. When the race ends with attempts still running, their token is cancelled; every
/// attempt's outcome is observed by the race, so no failure is left unobserved. Only the slow path allocates it.
/// </remarks>
public sealed class HedgeRace
{
    private static readonly Action<Task, object?> s_onCompleted = static (task, state) =>
    {
        var attempt = (Attempt)state!;
        attempt.Race.OnCompleted(task, attempt.Number);
    };

    private static readonly TimerCallback s_onDelay = static state => ((HedgeRace)state!).OnDelay();

    private readonly HedgeStrategy _owner;
    private readonly CancellationTokenSource? _source;
    private readonly CancellationToken _token;
    private readonly HedgeOptions _options;
    private readonly object _gate = new();
    private readonly CancellationTokenRegistration _cancellation;
    private ITimer? _timer;
    private TaskCompletionSource? _signal;
    private Task? _winner;
    private Exception? _lastError;
    private int _started;
    private int _running;
    private bool _due;
    private bool _ended;

    internal HedgeRace(HedgeStrategy owner, CancellationTokenSource? source, CancellationToken token, Task first)
    {
        _owner = owner;
        _source = source;
        _token = token;
        _options = owner.CurrentOptions;
        _cancellation = token.CanBeCanceled ? token.UnsafeRegister(static state => ((HedgeRace)state!).Signal(), this) : default;
        Add(first);
    }

    /// <summary>Attempts started so far, the first included.</summary>
    public int Started => Volatile.Read(ref _started);

    /// <summary>
    /// After the race: the failure of the attempt that ended last (a marked result is kept over a later exception), or
    /// <see langword="null"/> when one succeeded.
    /// </summary>
    public Exception? Error { get; private set; }

    /// <summary>The winning attempt's result, after <see cref="NextAsync"/> returned <see langword="false"/> with no <see cref="Error"/>.</summary>
    /// <typeparam name="TResult">The attempts' result type.</typeparam>
    public TResult GetResult<TResult>() => ((Task<TResult>)_winner!).Result;

    /// <summary>Adds an attempt started because <see cref="NextAsync"/> returned <see langword="true"/>.</summary>
    /// <typeparam name="TResult">The attempt's result type.</typeparam>
    /// <param name="attempt">The attempt, started with <see cref="HedgeScope.Token"/>.</param>
    public void Add<TResult>(ValueTask<TResult> attempt) => Add(attempt.AsTask());

    /// <summary>Adds an attempt of a call without a result.</summary>
    /// <param name="attempt">The attempt, started with <see cref="HedgeScope.Token"/>.</param>
    public void Add(ValueTask attempt) => Add(attempt.AsTask());

    /// <summary>
    /// Waits until another attempt is due (<see langword="true"/>: start one and <see cref="Add{TResult}"/> it) or the
    /// race is over (<see langword="false"/>).
    /// </summary>
    public async ValueTask<bool> NextAsync()
    {
        while (true)
        {
            Task wait;
            lock (_gate)
            {
                bool more = _started <= _options.MaxHedges && !_token.IsCancellationRequested;
                if (_winner is null && more && (_due || _options.Delay == TimeSpan.Zero))
                {
                    _due = false;
                    return true;
                }

                if (_winner is not null || _running == 0 || _token.IsCancellationRequested)
                {
                    break;
                }

                _signal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                wait = _signal.Task;
            }

            await wait.ConfigureAwait(false);
        }

        End();
        return false;
    }

    private void Add(Task attempt)
    {
        int number;
        lock (_gate)
        {
            number = ++_started;
            _running++;
            if (_options.Delay > TimeSpan.Zero && number <= _options.MaxHedges)
            {
                _timer ??= _owner.TimeProvider.CreateTimer(s_onDelay, this, System.Threading.Timeout.InfiniteTimeSpan, System.Threading.Timeout.InfiniteTimeSpan);
                _timer.Change(_options.Delay, System.Threading.Timeout.InfiniteTimeSpan);
            }
        }

        if (number > 1)
        {
            _owner.Telemetry?.OnHedge(_owner);
        }

        attempt.ContinueWith(s_onCompleted, new Attempt(this, number), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    private void OnCompleted(Task attempt, int number)
    {
        // Read here, for every attempt (losers too): observed, never left to the finalizer.
        Exception? error = attempt.IsCompletedSuccessfully ? null : GeneratedCodeHelpers.GetException(attempt);
        lock (_gate)
        {
            _running--;
            if (_winner is not null || _ended)
            {
                return;
            }

            if (error is null)
            {
                _winner = attempt;
                if (number > 1)
                {
                    _owner.Telemetry?.OnHedgeWin(_owner);
                }
            }
            else
            {
                // A result HandleResult marked as a failure is still an answer: a later exception does not replace it.
                if (_lastError is not HandledResultException || error is HandledResultException)
                {
                    _lastError = error;
                }

                _due |= _options.OnFailure;
            }

            _signal?.TrySetResult();
        }
    }

    private void OnDelay()
    {
        lock (_gate)
        {
            if (_ended || _winner is not null)
            {
                return;
            }

            _due = true;
            _signal?.TrySetResult();
        }
    }

    private void Signal()
    {
        lock (_gate)
        {
            _signal?.TrySetResult();
        }
    }

    private void End()
    {
        bool cancel;
        lock (_gate)
        {
            _ended = true;
            cancel = _running > 0;
            Error = _winner is not null ? null
                : cancel || _lastError is null ? new OperationCanceledException(_token)
                : _lastError;
        }

        _timer?.Dispose();
        _cancellation.Dispose();
        if (cancel)
        {
            // Losers (or attempts still running when the caller cancelled): cancelled through their token. Their
            // outcomes are still observed by OnCompleted. The cancelled source is never pooled again.
            _source?.Cancel();
        }
    }

    private sealed class Attempt(HedgeRace race, int number)
    {
        public HedgeRace Race { get; } = race;

        public int Number { get; } = number;
    }
}
