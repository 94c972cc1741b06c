namespace Resilience;

/// <summary>
/// A reusable timeout: a timer-less <see cref="CancellationTokenSource"/> plus one <see cref="ITimer"/> from the
/// strategy's <see cref="TimeProvider"/>, pooled by <see cref="TimeoutStrategy"/>.
/// </summary>
/// <remarks>
/// Why not <c>new CancellationTokenSource(Timeout.InfiniteTimeSpan, timeProvider)</c> with <c>CancelAfter</c>: its
/// <see cref="CancellationTokenSource.TryReset"/> succeeds only with <see cref="TimeProvider.System"/>'s own timer and
/// always fails with any other provider, so such sources could never be reused under a test clock. Owning the timer
/// works the same on every provider.
/// <para>
/// <see cref="_state"/> packs a use number (generation) and a state (<see cref="Idle"/>, <see cref="Armed"/>,
/// <see cref="Expired"/>, <see cref="Retired"/>) in one <see cref="long"/>, so a timer callback that belongs to an
/// earlier use, or a second <c>Dispose</c>, can never act on a later use: every transition is a compare-and-swap of the
/// exact value of the use it belongs to.
/// </para>
/// </remarks>
internal sealed class TimeoutSource
{
    internal const long Idle = 0;
    internal const long Armed = 1;
    internal const long Expired = 2;
    internal const long Retired = 3;
    private const long StateMask = 3;
    private const long GenerationStep = 4;

    private static readonly TimerCallback s_onTimer = static state => ((TimeoutSource)state!).OnTimer();

    private readonly TimeoutStrategy _owner;
    private readonly ITimer _timer;
    private long _state;
    private long _deadline;

    internal TimeoutSource(TimeoutStrategy owner)
    {
        _owner = owner;
        Cts = new CancellationTokenSource();

        // Do not capture the first caller's ExecutionContext (its AsyncLocals) in a timer that outlives the call.
        bool restoreFlow = false;
        if (!ExecutionContext.IsFlowSuppressed())
        {
            ExecutionContext.SuppressFlow();
            restoreFlow = true;
        }

        try
        {
            _timer = owner.TimeProvider.CreateTimer(s_onTimer, this, System.Threading.Timeout.InfiniteTimeSpan, System.Threading.Timeout.InfiniteTimeSpan);
        }
        finally
        {
            if (restoreFlow)
            {
                ExecutionContext.RestoreFlow();
            }
        }
    }

    internal CancellationTokenSource Cts { get; }

    internal TimeoutStrategy Owner => _owner;

    /// <summary>Starts a use; returns its armed state value, the key of every later transition.</summary>
    internal long Arm()
    {
        long armed = (Volatile.Read(ref _state) & ~StateMask) + GenerationStep + Armed;

        // Deadline first: a timer callback that sees the new Armed value also sees the new deadline.
        Volatile.Write(ref _deadline, _owner.TimeProvider.GetTimestamp() + _owner.TimeoutTimestampTicks);
        Volatile.Write(ref _state, armed);
        _timer.Change(_owner.Timeout, System.Threading.Timeout.InfiniteTimeSpan);
        return armed;
    }

    /// <summary>Whether the use <paramref name="armed"/> ended because the timer fired.</summary>
    internal bool HasExpired(long armed) => Volatile.Read(ref _state) == (armed & ~StateMask) + Expired;

    /// <summary>Ends the use <paramref name="armed"/>; <see langword="true"/> when the source can be reused.</summary>
    /// <remarks>Does nothing (and returns <see langword="false"/>) when the use has already ended.</remarks>
    internal bool TryDisarm(long armed, out bool retired)
    {
        long generation = armed & ~StateMask;
        long previous = Interlocked.CompareExchange(ref _state, generation + Idle, armed);
        if (previous == armed)
        {
            _timer.Change(System.Threading.Timeout.InfiniteTimeSpan, System.Threading.Timeout.InfiniteTimeSpan);

            // Fails when the caller's token cancelled the source: a cancelled source can never be reused.
            retired = !Cts.TryReset();
            if (retired)
            {
                Volatile.Write(ref _state, generation + Retired);
            }

            return !retired;
        }

        // The timer fired (cancelled source): retire it, once.
        retired = previous == generation + Expired
            && Interlocked.CompareExchange(ref _state, generation + Retired, previous) == previous;
        return false;
    }

    /// <summary>Stops the timer for good. The source itself holds no unmanaged resource and is left to the GC.</summary>
    /// <remarks>
    /// The source is not disposed: a timer callback may still be cancelling it, and disposing would make that
    /// callback throw on a timer thread. A source without timer or wait handle needs no disposal.
    /// </remarks>
    internal void Retire() => _timer.Dispose();

    private void OnTimer()
    {
        long state = Volatile.Read(ref _state);
        if ((state & StateMask) != Armed)
        {
            return; // a late callback of a use that has ended
        }

        TimeProvider clock = _owner.TimeProvider;
        long now = clock.GetTimestamp();
        long deadline = Volatile.Read(ref _deadline);
        if (now < deadline)
        {
            // The timer fired early for the clock (coarse timer ticks), or this is a late callback and the source has
            // been re-armed meanwhile: wait for the rest. The CAS below keeps a stale callback from expiring a newer use.
            try
            {
                _timer.Change(clock.GetElapsedTime(now, deadline), System.Threading.Timeout.InfiniteTimeSpan);
            }
            catch (ObjectDisposedException)
            {
                // Retired meanwhile.
            }

            return;
        }

        if (Interlocked.CompareExchange(ref _state, (state & ~StateMask) + Expired, state) == state)
        {
            Cts.Cancel();
        }
    }
}
