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
/// <para>
/// The owner of a use (the thread that armed it and will end it) writes <see cref="_state"/> with plain volatile
/// stores: arming and ending a use take no interlocked instruction, which on the benchmark machines costs 5–6 ns
/// each in a generated call. The timer side, which runs about once per timeout period, pays instead: it publishes what
/// it is about to look at, then issues <see cref="Interlocked.MemoryBarrierProcessWide"/>, then reads the owner's
/// word (an asymmetric Dekker handshake). After that barrier, either the owner's store is visible to the timer, or the
/// owner's next read sees what the timer published. Two handshakes use it: <see cref="Arm"/> against a timer going
/// quiet (<see cref="_due"/>), and <see cref="TryDisarm"/> against a timer expiring the use (<see cref="_expiring"/>,
/// whose decision <see cref="_expiredUse"/> records under the gate).
/// </para>
/// <para>
/// The timer is left running when a use ends. <see cref="_due"/> holds the timestamp it is due at (or
/// <see cref="NotDue"/>), and a new use calls <see cref="ITimer.Change"/> only when that is later than its own deadline.
/// A wake-up for an ended use sets the timer for the rest of the current use, or leaves it quiet when the source is
/// idle. Changing and disposing the timer happen under a small gate, on the slow path only.
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
    private const long NotDue = long.MaxValue;

    private static readonly TimerCallback s_onTimer = static state => ((TimeoutSource)state!).OnTimer();

    private readonly TimeoutStrategy _owner;
    private readonly ITimer _timer;
    private readonly object _timerGate = new();
    private long _state;
    private long _deadline;
    private long _due = NotDue;

    // The armed use the timer is deciding to expire (written before its process-wide barrier), and the armed use it
    // did expire (written under the gate once decided). Generations never repeat, so old values never match a new use.
    private long _expiring = -1;
    private long _expiredUse = -1;

    internal TimeoutSource(TimeoutStrategy owner)
    {
        _owner = owner;
        Cts = new CancellationTokenSource();
        Token = Cts.Token;

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

    internal const int LeaseInUse = 0;
    internal const int LeaseReady = 1;
    internal const int LeaseDead = 2;

    /// <summary>
    /// For a thread's own source (<see cref="IsBound"/>): <see cref="LeaseReady"/> when idle and reusable,
    /// <see cref="LeaseInUse"/> while a use runs, <see cref="LeaseDead"/> once retired. Set to in-use only by the
    /// thread that owns it, and to ready or dead only by whoever ends the use, on any thread.
    /// </summary>
    internal int Lease;

    /// <summary>Whether a thread holds this source as its own; changed only by that thread, while no use runs.</summary>
    internal bool IsBound;

    internal CancellationTokenSource Cts { get; }

    /// <summary><see cref="Cts"/>'s token, read once (the source is never disposed).</summary>
    internal CancellationToken Token { get; }

    internal TimeoutStrategy Owner => _owner;

    /// <summary>Starts a use; returns its armed state value, the key of every later transition.</summary>
    /// <remarks>
    /// Touches the timer only when it is not already due at or before the new deadline: in steady state (short uses,
    /// one after another) the timer set by an earlier use is still pending and simply wakes up early for this one.
    /// </remarks>
    /// <param name="startedAt">The clock reading the use counts from; <see cref="TimeoutStrategy.NoTimestamp"/> to read the clock now.</param>
    internal long Arm(long startedAt)
    {
        long armed = (Volatile.Read(ref _state) & ~StateMask) + GenerationStep + Armed;
        bool fromReading = startedAt != TimeoutStrategy.NoTimestamp;
        long now = fromReading ? startedAt : _owner.GetTimestamp();
        long deadline = now + _owner.TimeoutTimestampTicks;

        // Deadline first: a timer callback that sees the new Armed value also sees the new deadline. Then the state,
        // then _due; OnTimer writes _due, issues a process-wide barrier, then reads the state. After that barrier either
        // OnTimer sees this use, or this use's read of _due comes after OnTimer's write and sees NotDue and sets the
        // timer itself (both may happen; SetTimer checks again under the gate).
        Volatile.Write(ref _deadline, deadline);
        Volatile.Write(ref _state, armed);
        if (Volatile.Read(ref _due) > deadline)
        {
            // The slow path (a first use, or a timer gone quiet): from a reading taken earlier, the time left is counted
            // from the clock as it is now, so the timer is not late by the reading's age.
            SetTimer(fromReading ? _owner.GetTimestamp() : now, deadline);
        }

        return armed;
    }

    /// <summary>Whether the use <paramref name="armed"/> ended because the timer fired.</summary>
    internal bool HasExpired(long armed) => Volatile.Read(ref _state) == (armed & ~StateMask) + Expired;

    /// <summary>Ends the use <paramref name="armed"/>; <see langword="true"/> when the source can be reused.</summary>
    /// <remarks>
    /// Does nothing (and returns <see langword="false"/>) when the use has already ended. Leaves the timer running: when
    /// it fires for an idle source it does nothing and is not set again, and a next use that ends later reuses it.
    /// </remarks>
    internal bool TryDisarm(long armed, out bool retired)
    {
        long generation = armed & ~StateMask;
        long previous = Volatile.Read(ref _state);
        if (previous == armed)
        {
            // Only the owner ends its use, so a plain store does. The timer may be expiring this very use at the same
            // moment: it publishes _expiring, issues a process-wide barrier, then tries to move the state from Armed to
            // Expired. After the barrier either it sees Idle (and leaves the use alone), or the read of _expiring below
            // sees this use, and the timer's decision, made under the gate, is what counts.
            Volatile.Write(ref _state, generation + Idle);
            if (Volatile.Read(ref _expiring) == armed && WasExpiredByTimer(armed))
            {
                retired = true; // the timer cancels (or has cancelled) the source: never reused
                return false;
            }

            // Fails when the caller's token cancelled the source: a cancelled source can never be reused. It is dropped in
            // the Idle state of this generation: nothing reads the state of a dropped source again (a second Dispose of
            // the same use finds the state changed and does nothing, the timer callback finds no armed use).
            retired = !Cts.TryReset();
            return !retired;
        }

        // The timer fired (cancelled source): retire it, once.
        retired = previous == generation + Expired
            && Interlocked.CompareExchange(ref _state, generation + Retired, previous) == previous;
        return false;
    }

    /// <summary>Waits for the timer's decision about the use <paramref name="armed"/> (it is made under the gate).</summary>
    private bool WasExpiredByTimer(long armed)
    {
        lock (_timerGate)
        {
            return _expiredUse == armed;
        }
    }

    /// <summary>Stops the timer for good. The source itself holds no unmanaged resource and is left to the GC.</summary>
    /// <remarks>
    /// The source is not disposed: a timer callback may still be cancelling it, and disposing would make that
    /// callback throw on a timer thread. A source without timer or wait handle needs no disposal. The timer is disposed
    /// under the gate, so that a callback that is setting it again never races with the disposal (not every provider's
    /// timer is safe for that, FakeTimeProvider's is not). Nothing sets the timer afterwards: a retired source is never
    /// armed again (it is not in the pool), <see cref="Arm"/> is the only caller of <see cref="SetTimer"/>, and the
    /// callback sets the timer only for an armed use, whose state it reads under the gate.
    /// </remarks>
    internal void Retire()
    {
        lock (_timerGate)
        {
            _timer.Dispose();
        }
    }

    /// <summary>Sets the timer to fire at <paramref name="deadline"/> unless it is already due at or before it.</summary>
    private void SetTimer(long now, long deadline)
    {
        lock (_timerGate)
        {
            if (_due <= deadline)
            {
                return; // a timer callback set it meanwhile, for this use
            }

            // _due before Change: a provider that runs a due callback inside Change (a test clock) then leaves NotDue.
            Volatile.Write(ref _due, deadline);
            _timer.Change(Max(TimeSpan.Zero, _owner.TimeProvider.GetElapsedTime(now, deadline)), System.Threading.Timeout.InfiniteTimeSpan);
        }
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    private void OnTimer()
    {
        bool expired = false;
        lock (_timerGate)
        {
            // The firing that was pending has happened (or this is a stale one: NotDue then only costs a Change more).
            // Then a process-wide barrier before reading the state: see Arm, whose store to the state is not fenced.
            Interlocked.Exchange(ref _due, NotDue);
            Interlocked.MemoryBarrierProcessWide();
            while (true)
            {
                long state = Volatile.Read(ref _state);
                if ((state & StateMask) != Armed)
                {
                    // Idle, ended or retired: the timer goes quiet. The next use sees NotDue and sets it.
                    break;
                }

                TimeProvider clock = _owner.TimeProvider;
                long now = clock.GetTimestamp();
                long deadline = Volatile.Read(ref _deadline);
                if (now < deadline)
                {
                    // Fired early: for an earlier use that has ended (the timer is left running), or for the clock
                    // (coarse timer ticks). Wait for the rest of the current use's time.
                    Volatile.Write(ref _due, deadline);
                    _timer.Change(clock.GetElapsedTime(now, deadline), System.Threading.Timeout.InfiniteTimeSpan);

                    break;
                }

                // The exact value of the use read above: a use that has ended, or a newer one, is never expired here.
                // Published first, then a process-wide barrier: see TryDisarm, whose store to the state is not fenced.
                Interlocked.Exchange(ref _expiring, state);
                Interlocked.MemoryBarrierProcessWide();
                if (Interlocked.CompareExchange(ref _state, (state & ~StateMask) + Expired, state) == state)
                {
                    _expiredUse = state;
                    expired = true;
                    break;
                }

                // The use ended (and maybe a newer one started) meanwhile: look again.
            }
        }

        if (expired)
        {
            Cts.Cancel(); // outside the gate: it runs the token's callbacks
        }
    }
}
