using System.Diagnostics.CodeAnalysis;

namespace Resilience;

/// <summary>
/// A thread-safe circuit breaker: Closed → Open when its <see cref="ITripPolicy"/> says so, Open rejects for the
/// break duration, Half-open admits a bounded number of probes and closes after
/// <see cref="CircuitBreakerOptions.SuccessThreshold"/> of them succeed in a row.
/// </summary>
/// <remarks>
/// Generated code calls <see cref="TryAcquire(out CircuitBreakerLease, out BrokenCircuitException?)"/> (a rejection
/// is handed back, not thrown; <see cref="Acquire"/> throws it) before the call and exactly one of
/// <see cref="CircuitBreakerLease.RecordSuccess"/>, <see cref="CircuitBreakerLease.RecordFailure"/> or
/// <see cref="CircuitBreakerLease.RecordException"/> after it. None of them allocates while the circuit stays closed.
/// Acquiring while closed takes no lock, and neither does recording a success while closed (one compare-and-swap; see
/// docs/circuit-breaker.md, "Hot path"); a failure, and any outcome in another state, takes a short one. Every state
/// change (and every <see cref="Reset"/>) starts a new period: outcomes recorded on leases from an earlier period are
/// ignored.
/// </remarks>
public sealed class CircuitBreaker
{
    // _status packs the period (generation) and the state: (generation << 2) | state. It is written only under
    // _gate, with Volatile.Write, so the closed fast path can read state and period together without the lock.
    private const long StateMask = 0b11;
    private const long GenerationStep = 0b100;

    private readonly string _name;
    private readonly TimeProvider _timeProvider;

    // The count clock: what the rolling window and the interval are measured with. Environment.TickCount64
    // (milliseconds, a coarse clock that costs a few nanoseconds) when the clock is TimeProvider.System, whose
    // GetTimestamp costs tens on a virtual machine; the provider's own timestamps otherwise, so a fake clock stays exact.
    // Break durations are always measured with the provider's timestamps.
    private readonly bool _coarse;
    private readonly long _countFrequency;
    // The settings, one immutable snapshot swapped whole (under _gate) when configuration is reloaded.
    private Settings _settings;
    private RollingCounts _counts;

    // One key's breaker of a KeyedCircuitBreaker<TKey>: what the keyed breaker keeps about it (the key, the leases in
    // flight); null for a breaker that is not keyed.
    private readonly KeyedCircuitBreakerEntry? _entry;
    private readonly ResilienceTelemetry? _telemetry;
#if NET9_0_OR_GREATER
    private readonly Lock _gate = new();
#else
    private readonly object _gate = new();
#endif

    private long _status;
    private long _openedAt;
    private int _probesInFlight;

    // Half-open: probes that succeeded in this period (any failure ends it). Closed with an interval: when it ends, on the
    // count clock (long.MaxValue without an interval), read without the lock by the success fast path.
    private int _probeSuccesses;
    private long _intervalEndsAt = long.MaxValue;

    /// <summary>Creates a breaker.</summary>
    /// <param name="name">The breaker's name, used in exceptions and events.</param>
    /// <param name="options">Settings; validated here.</param>
    /// <param name="timeProvider">The clock; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="name"/> or <paramref name="options"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">A setting in <paramref name="options"/> is invalid (see <see cref="CircuitBreakerOptions.Validate"/>).</exception>
    public CircuitBreaker(string name, CircuitBreakerOptions options, TimeProvider? timeProvider = null)
        : this(name, options, timeProvider, telemetry: null, entry: null)
    {
    }

    /// <summary>
    /// Creates a breaker reporting to <paramref name="telemetry"/> (a registry's); with <paramref name="entry"/>, the
    /// breaker of one key of a <see cref="KeyedCircuitBreaker{TKey}"/> (which reports the key's transitions and
    /// rejections itself, with the key: this one reports only its interval resets).
    /// </summary>
    internal CircuitBreaker(string name, CircuitBreakerOptions options, TimeProvider? timeProvider, ResilienceTelemetry? telemetry, KeyedCircuitBreakerEntry? entry = null)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();

        _name = name;
        _timeProvider = timeProvider ?? TimeProvider.System;
        _coarse = SystemClock.IsSystem(_timeProvider);
        _countFrequency = _coarse ? 1000 : _timeProvider.TimestampFrequency;
        _settings = new Settings(options, _countFrequency);
        long now = CountNow();
        _counts = new RollingCounts(options.SamplingDuration, _countFrequency, now, _status);
        _intervalEndsAt = IntervalEnd(now);
        _entry = entry;
        _telemetry = telemetry;
    }

    /// <summary>The breaker's name.</summary>
    public string Name => _name;

    /// <summary>
    /// Where rejections, transitions and interval resets are reported: the telemetry the constructor got (from the
    /// registry that made the breaker), else that of the registry that adopted a hand-made one (<see cref="AdoptedTelemetry"/>).
    /// </summary>
    internal ResilienceTelemetry? Telemetry => _telemetry ?? AdoptedTelemetry.Of(this);

    /// <summary>The telemetry the constructor got; <see langword="null"/> for a breaker made with the public constructor.</summary>
    internal ResilienceTelemetry? OwnTelemetry => _telemetry;

    /// <summary>Shares the state with breakers of the same name elsewhere; set before the breaker is handed out, if at all.</summary>
    internal CircuitBreakerCoordinator? Coordinator { get; set; }

    /// <summary>How long the circuit stays open before it admits a probe (the current setting).</summary>
    public TimeSpan BreakDuration => Volatile.Read(ref _settings).BreakDuration;

    /// <summary>How many probes the half-open circuit admits at once (the current setting).</summary>
    public int HalfOpenMaxCalls => Volatile.Read(ref _settings).HalfOpenMaxCalls;

    /// <summary>The keyed breaker's entry of this key's breaker; <see langword="null"/> for a breaker that is not keyed.</summary>
    internal KeyedCircuitBreakerEntry? Entry => _entry;

    /// <summary>The state as stored: an open circuit whose break has elapsed is still open here (unlike <see cref="State"/>) until a call arrives.</summary>
    internal CircuitState StoredState => StateOf(Volatile.Read(ref _status));

    /// <summary>
    /// The current state, read without changing it. An open circuit whose break duration has passed reports
    /// <see cref="CircuitState.HalfOpen"/> (the next call is admitted as a probe), but it moves to half-open, and raises
    /// <see cref="StateChanged"/> for it, only when that call arrives: reading the state (an endpoint, the
    /// <c>resilience.circuit_breaker.state</c> gauge) never makes a transition.
    /// </summary>
    public CircuitState State => ReadState(out _);

    /// <summary>
    /// The state as <see cref="State"/> reports it, read without changing it, and for an open circuit the rest of its
    /// break (the time until it admits a probe; <see langword="null"/> in any other state), read together.
    /// </summary>
    internal CircuitState ReadState(out TimeSpan? retryAfter)
    {
        retryAfter = null;
        long status = Volatile.Read(ref _status);
        if (StateOf(status) != CircuitState.Open)
        {
            return StateOf(status);
        }

        lock (_gate)
        {
            if (StateOf(_status) != CircuitState.Open)
            {
                return StateOf(_status);
            }

            TimeSpan rest = _settings.BreakDuration - _timeProvider.GetElapsedTime(_openedAt, _timeProvider.GetTimestamp());
            if (rest <= TimeSpan.Zero)
            {
                return CircuitState.HalfOpen;
            }

            retryAfter = rest;
            return CircuitState.Open;
        }
    }

    /// <summary>
    /// A snapshot of the counts (window totals as of now, and the current streaks); all zero when the circuit is closed
    /// and its <see cref="CircuitBreakerOptions.Interval"/> has ended (the next outcome clears them first).
    /// </summary>
    public CircuitCounts Counts
    {
        get
        {
            lock (_gate)
            {
                // An ended interval reads as zero counts, as the next outcome will find them; reading clears nothing, so
                // the next interval still starts at that outcome.
                return CountsLocked(CountNow());
            }
        }
    }

    /// <summary>
    /// Raised after every state change, outside the breaker's lock, on the thread that caused it. Its
    /// <see cref="CircuitStateChangedEventArgs.Counts"/> are those just before the change (a reset or a successful probe
    /// clears them afterwards). Changes made at the same moment on different threads may be reported out of order.
    /// </summary>
    public event EventHandler<CircuitStateChangedEventArgs>? StateChanged;

    /// <summary>Asks to make a call. Returns <see langword="false"/> when the circuit rejects it.</summary>
    /// <param name="lease">On success, the lease on which to record the call's outcome exactly once.</param>
    public bool TryAcquire(out CircuitBreakerLease lease)
    {
        long status = Volatile.Read(ref _status);
        if (StateOf(status) == CircuitState.Closed)
        {
            lease = new CircuitBreakerLease(this, status);
            return true;
        }

        return TryAcquireSlow(out lease, out _, out _);
    }

    /// <summary>Asks to make a call; throws <see cref="BrokenCircuitException"/> when the circuit rejects it.</summary>
    /// <returns>The lease on which to record the call's outcome exactly once.</returns>
    /// <exception cref="BrokenCircuitException">
    /// The circuit is open (<see cref="ResilienceRejectedException.RetryAfter"/> is the rest of the break), half-open
    /// with every probe slot taken, or isolated.
    /// </exception>
    public CircuitBreakerLease Acquire()
    {
        long status = Volatile.Read(ref _status);
        if (StateOf(status) == CircuitState.Closed)
        {
            return new CircuitBreakerLease(this, status);
        }

        if (TryAcquireOrReject(out CircuitBreakerLease lease, out BrokenCircuitException? rejection))
        {
            return lease;
        }

        throw rejection;
    }

    /// <summary>
    /// Asks to make a call; when the circuit rejects it, hands back the <see cref="BrokenCircuitException"/> that
    /// <see cref="Acquire"/> would throw, without throwing it (reported to telemetry once, as by <see cref="Acquire"/>).
    /// </summary>
    /// <param name="lease">On success, the lease on which to record the call's outcome exactly once; otherwise the default lease, which records nothing.</param>
    /// <param name="rejection">
    /// On rejection, the not-yet-thrown exception: the circuit is open (<see cref="ResilienceRejectedException.RetryAfter"/>
    /// is the rest of the break), half-open with every probe slot taken, or isolated; <see langword="null"/> on success.
    /// </param>
    /// <returns><see langword="true"/> when the call may go ahead.</returns>
    public bool TryAcquire(out CircuitBreakerLease lease, [NotNullWhen(false)] out BrokenCircuitException? rejection)
    {
        long status = Volatile.Read(ref _status);
        if (StateOf(status) == CircuitState.Closed)
        {
            lease = new CircuitBreakerLease(this, status);
            rejection = null;
            return true;
        }

        return TryAcquireOrReject(out lease, out rejection);
    }

    /// <summary>
    /// Whether <paramref name="exception"/> counts as a failure under <see cref="CircuitBreakerOptions.Handle"/> and
    /// <see cref="CircuitBreakerOptions.HandleException"/> (both must let it through; the predicate is asked only when
    /// <see cref="CircuitBreakerOptions.Handle"/> does).
    /// </summary>
    /// <param name="exception">The exception a call ended with.</param>
    public bool ShouldHandle(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        Settings settings = Volatile.Read(ref _settings);
        if (settings.Handle is { } handle)
        {
            bool listed = false;
            for (int i = 0; i < handle.Length && !listed; i++)
            {
                listed = handle[i].IsInstanceOfType(exception);
            }

            if (!listed)
            {
                return false;
            }
        }

        return settings.HandleException is not { } predicate || predicate(exception);
    }

    /// <summary>Opens the circuit until <see cref="Reset"/> is called. Does nothing when it is already isolated.</summary>
    public void Isolate()
    {
        CircuitStateChangedEventArgs? changed = null;
        lock (_gate)
        {
            if (StateOf(_status) != CircuitState.Isolated)
            {
                long now = _timeProvider.GetTimestamp();
                changed = TransitionTo(CircuitState.Isolated, CircuitTransitionReason.Isolated, now, CountsLocked(CountNowAt(now)));
            }
        }

        Raise(changed);
    }

    /// <summary>
    /// Closes the circuit and clears the counts. Leases taken before are ignored when recorded. Raises
    /// <see cref="StateChanged"/> only when the circuit was not closed already.
    /// </summary>
    public void Reset()
    {
        CircuitStateChangedEventArgs? changed;
        lock (_gate)
        {
            long now = _timeProvider.GetTimestamp();
            changed = TransitionTo(CircuitState.Closed, CircuitTransitionReason.Reset, now, CountsLocked(CountNowAt(now)));
            if (changed is { OldState: CircuitState.Closed })
            {
                changed = null;
            }
        }

        Raise(changed);
    }

    /// <summary>
    /// Opens the circuit because a breaker of the same name elsewhere opened (called by a
    /// <see cref="CircuitBreakerCoordinator"/>; reason <see cref="CircuitTransitionReason.Remote"/>). A closed or half-open
    /// circuit opens, with its break ending after <paramref name="remainingBreak"/> (at most <see cref="BreakDuration"/>);
    /// an open one keeps open at least that long; an isolated one stays isolated.
    /// </summary>
    /// <param name="remainingBreak">The rest of the remote break.</param>
    public void OpenRemotely(TimeSpan remainingBreak)
    {
        CircuitStateChangedEventArgs? changed = null;
        lock (_gate)
        {
            long now = _timeProvider.GetTimestamp();
            TimeSpan breakDuration = _settings.BreakDuration;
            TimeSpan rest = remainingBreak < TimeSpan.Zero ? TimeSpan.Zero : remainingBreak > breakDuration ? breakDuration : remainingBreak;
            long openedAt = now - (long)((breakDuration - rest).TotalSeconds * _timeProvider.TimestampFrequency);
            switch (StateOf(_status))
            {
                case CircuitState.Closed or CircuitState.HalfOpen:
                    changed = TransitionTo(CircuitState.Open, CircuitTransitionReason.Remote, now, _counts.Snapshot(CountNowAt(now)));
                    _openedAt = openedAt;
                    break;
                case CircuitState.Open when openedAt > _openedAt:
                    _openedAt = openedAt;
                    break;
            }
        }

        Raise(changed);
    }

    /// <summary>
    /// Closes an open or half-open circuit because a breaker of the same name elsewhere closed (a probe succeeded there;
    /// called by a <see cref="CircuitBreakerCoordinator"/>; reason <see cref="CircuitTransitionReason.Remote"/>). A closed
    /// or isolated circuit is left as it is.
    /// </summary>
    public void CloseRemotely()
    {
        CircuitStateChangedEventArgs? changed = null;
        lock (_gate)
        {
            if (StateOf(_status) is CircuitState.Open or CircuitState.HalfOpen)
            {
                long now = _timeProvider.GetTimestamp();
                changed = TransitionTo(CircuitState.Closed, CircuitTransitionReason.Remote, now, _counts.Snapshot(CountNowAt(now)));
            }
        }

        Raise(changed);
    }

    /// <summary>
    /// Puts the circuit into <paramref name="state"/> (Resilience.Testing): closed clears the counts, open starts a full
    /// break now, half-open admits probes at once, isolated stays until <see cref="Reset"/>. Raises the transition.
    /// </summary>
    internal void ForceState(CircuitState state)
    {
        CircuitStateChangedEventArgs? changed = null;
        lock (_gate)
        {
            if (StateOf(_status) != state)
            {
                long now = _timeProvider.GetTimestamp();
                changed = TransitionTo(state, CircuitTransitionReason.Forced, now, _counts.Snapshot(CountNowAt(now)));
            }
        }

        Raise(changed);
    }

    /// <summary>Whether a lease taken in period <paramref name="leaseStatus"/> should stop work at once.</summary>
    internal bool IsOpenFor(long leaseStatus)
    {
        long status = Volatile.Read(ref _status);
        CircuitState state = StateOf(status);
        return state is CircuitState.Open or CircuitState.Isolated
            || (state == CircuitState.HalfOpen && status != leaseStatus);
    }

    /// <summary>
    /// Applies new settings to calls from now on, keeping the state and period. Counts are kept unless the sampling
    /// duration changed (then they restart). An open circuit keeps its break but ends it by the new break duration.
    /// </summary>
    /// <param name="options">The new settings; validated here.</param>
    internal void Reconfigure(CircuitBreakerOptions options)
    {
        options.Validate();
        var settings = new Settings(options, _countFrequency);
        lock (_gate)
        {
            long now = CountNow();
            if (settings.SamplingDuration != _settings.SamplingDuration)
            {
                // A success counted lock-free on the old counts at this moment is lost with them.
                Volatile.Write(ref _counts, new RollingCounts(settings.SamplingDuration, _countFrequency, now, _status));
            }

            bool intervalChanged = settings.IntervalTimestamps != _settings.IntervalTimestamps;
            Volatile.Write(ref _settings, settings);
            if (intervalChanged && StateOf(_status) == CircuitState.Closed)
            {
                Volatile.Write(ref _intervalEndsAt, IntervalEnd(now));
            }
        }
    }

    /// <summary>
    /// For a keyed breaker's <see cref="KeyedCircuitBreaker{TKey}.Acquire"/>: asks to make a call, reporting why
    /// it was rejected.
    /// </summary>
    internal bool TryAcquireReporting(out CircuitBreakerLease lease, out CircuitState rejectedIn, out TimeSpan? retryAfter)
    {
        long status = Volatile.Read(ref _status);
        if (StateOf(status) == CircuitState.Closed)
        {
            lease = new CircuitBreakerLease(this, status);
            rejectedIn = CircuitState.Closed;
            retryAfter = null;
            return true;
        }

        return TryAcquireSlow(out lease, out rejectedIn, out retryAfter);
    }

    internal void OnSuccess(long leaseStatus)
    {
        // Closed: no lock. The count is a compare-and-swap on the bucket's word, which fails for a lease of an earlier
        // period (the words are retagged before a new period is published) and when the bucket must move on; an interval
        // that may have ended takes the lock too, so that the counts are cleared before the success is counted.
        if (StateOf(leaseStatus) == CircuitState.Closed)
        {
            long now = CountNow();
            if (now < Volatile.Read(ref _intervalEndsAt) && Volatile.Read(ref _counts).TryAddSuccess(leaseStatus, now))
            {
                _entry?.ExitLease();
                return;
            }
        }

        OnSuccessLocked(leaseStatus);
    }

    private void OnSuccessLocked(long leaseStatus)
    {
        CircuitStateChangedEventArgs? changed = null;
        bool reset = false;
        try
        {
            lock (_gate)
            {
                if (_status != leaseStatus)
                {
                    // A lease from an earlier period; a probe's slot was cleared when its half-open period ended.
                    return;
                }

                long now = CountNow();
                reset = EndIntervalIfElapsed(now);
                _counts.AddSuccess(now);
                if (StateOf(leaseStatus) == CircuitState.HalfOpen)
                {
                    _probesInFlight--;
                    if (++_probeSuccesses >= _settings.SuccessThreshold)
                    {
                        CircuitCounts counts = _counts.Snapshot(now);
                        changed = TransitionTo(CircuitState.Closed, CircuitTransitionReason.ProbeSucceeded, ExactNowAt(now), counts);
                    }
                }
            }
        }
        finally
        {
            // After the state change, so an idle key is never retired between a failure and the trip it causes.
            _entry?.ExitLease();
        }

        ReportIntervalReset(reset);
        Raise(changed);
    }

    internal void OnFailure(long leaseStatus, bool timeout)
    {
        CircuitStateChangedEventArgs? changed = null;
        bool reset = false;
        try
        {
            lock (_gate)
            {
                if (_status != leaseStatus)
                {
                    return;
                }

                long now = CountNow();
                reset = EndIntervalIfElapsed(now);
                _counts.AddFailure(now, timeout);
                CircuitCounts counts = _counts.Snapshot(now, afterFailure: true);
                if (StateOf(leaseStatus) == CircuitState.HalfOpen)
                {
                    _probesInFlight--;
                    changed = TransitionTo(CircuitState.Open, CircuitTransitionReason.ProbeFailed, ExactNowAt(now), counts);
                }
                else if (_settings.TripPolicy.ShouldTrip(in counts))
                {
                    changed = TransitionTo(CircuitState.Open, CircuitTransitionReason.TripPolicy, ExactNowAt(now), counts);
                }
            }
        }
        finally
        {
            // After the state change, so an idle key is never retired between a failure and the trip it causes.
            _entry?.ExitLease();
        }

        ReportIntervalReset(reset);
        Raise(changed);
    }

    /// <summary>An outcome that does not count: only a probe's slot is given back.</summary>
    internal void OnNeutral(long leaseStatus)
    {
        ReleaseProbe(leaseStatus);
        _entry?.ExitLease();
    }

    private void ReleaseProbe(long leaseStatus)
    {
        if (StateOf(leaseStatus) != CircuitState.HalfOpen)
        {
            return;
        }

        lock (_gate)
        {
            if (_status == leaseStatus && _probesInFlight > 0)
            {
                _probesInFlight--;
            }
        }
    }

    private static CircuitState StateOf(long status) => (CircuitState)(status & StateMask);

    /// <summary>The slow path of <see cref="Acquire"/>: on rejection creates the exception (not thrown) and reports it once.</summary>
    private bool TryAcquireOrReject(out CircuitBreakerLease lease, [NotNullWhen(false)] out BrokenCircuitException? rejection)
    {
        if (TryAcquireSlow(out lease, out CircuitState state, out TimeSpan? retryAfter))
        {
            rejection = null;
            return true;
        }

        rejection = new BrokenCircuitException(_name, state, retryAfter);
        Telemetry?.OnRejected(_name, "circuit_breaker", rejection);
        return false;
    }

    private bool TryAcquireSlow(out CircuitBreakerLease lease, out CircuitState rejectedIn, out TimeSpan? retryAfter)
    {
        CircuitStateChangedEventArgs? changed;
        bool granted;
        lock (_gate)
        {
            long now = _timeProvider.GetTimestamp();
            changed = EndBreakIfElapsed(now);
            long status = _status;
            rejectedIn = StateOf(status);
            retryAfter = null;
            granted = false;
            lease = default;
            switch (rejectedIn)
            {
                case CircuitState.Closed:
                    granted = true;
                    break;
                case CircuitState.HalfOpen when _probesInFlight < _settings.HalfOpenMaxCalls:
                    _probesInFlight++;
                    granted = true;
                    break;
                case CircuitState.Open:
                    retryAfter = _settings.BreakDuration - _timeProvider.GetElapsedTime(_openedAt, now);
                    break;
            }

            if (granted)
            {
                lease = new CircuitBreakerLease(this, status);
            }
        }

        if (changed is not null)
        {
            try
            {
                Raise(changed);
            }
            catch
            {
                // The caller never sees the lease, so give its probe slot back before the handler's exception escapes.
                if (granted)
                {
                    ReleaseProbe(lease.Status);
                }

                throw;
            }
        }

        // A coordinator may limit probes across processes: asked outside the lock, after this breaker's own limit.
        if (granted && StateOf(lease.Status) == CircuitState.HalfOpen && Coordinator is { } coordinator && !coordinator.TryAcquireProbe(this, _entry?.Key))
        {
            ReleaseProbe(lease.Status);
            lease = default;
            rejectedIn = CircuitState.HalfOpen;
            granted = false;
        }

        return granted;
    }

    /// <summary>Open → HalfOpen once the break has lasted <see cref="CircuitBreakerOptions.BreakDuration"/>. Call under the lock.</summary>
    private CircuitStateChangedEventArgs? EndBreakIfElapsed(long now)
    {
        if (StateOf(_status) != CircuitState.Open || _timeProvider.GetElapsedTime(_openedAt, now) < _settings.BreakDuration)
        {
            return null;
        }

        return TransitionTo(CircuitState.HalfOpen, CircuitTransitionReason.BreakDurationElapsed, now, _counts.Snapshot(CountNowAt(now)));
    }

    /// <summary>
    /// Starts a new period in <paramref name="state"/> at <paramref name="now"/> (the provider's timestamp). Call under the
    /// lock; raise the result after leaving it.
    /// </summary>
    private CircuitStateChangedEventArgs TransitionTo(CircuitState state, CircuitTransitionReason reason, long now, CircuitCounts countsBefore)
    {
        CircuitState old = StateOf(_status);
        long status = ((_status & ~StateMask) + GenerationStep) | (long)state;
        _probesInFlight = 0;
        _probeSuccesses = 0;

        // Before the new period is published: from here on, a success of the old period counts nothing lock-free.
        _counts.Retag(status);
        if (state == CircuitState.Open)
        {
            _openedAt = now;
        }
        else if (state == CircuitState.Closed)
        {
            _counts.Clear();
            Volatile.Write(ref _intervalEndsAt, IntervalEnd(CountNowAt(now)));
        }

        Volatile.Write(ref _status, status);
        return _entry is { } entry
            ? new CircuitStateChangedEventArgs(_name, entry.Key, old, state, reason, countsBefore)
            : new CircuitStateChangedEventArgs(_name, old, state, reason, countsBefore);
    }

    /// <summary>The end of an interval starting at <paramref name="now"/> (count clock); <see cref="long.MaxValue"/> when no interval is set.</summary>
    private long IntervalEnd(long now)
    {
        long interval = _settings.IntervalTimestamps;
        return interval == 0 || interval > long.MaxValue - now ? long.MaxValue : now + interval;
    }

    /// <summary>The count clock now.</summary>
    private long CountNow() => _coarse ? Environment.TickCount64 : _timeProvider.GetTimestamp();

    /// <summary>The count clock, given the provider's timestamp <paramref name="exactNow"/> just read.</summary>
    private long CountNowAt(long exactNow) => _coarse ? Environment.TickCount64 : exactNow;

    /// <summary>The provider's timestamp, given the count clock <paramref name="countNow"/> just read.</summary>
    private long ExactNowAt(long countNow) => _coarse ? _timeProvider.GetTimestamp() : countNow;

    /// <summary>
    /// Closed with an <see cref="CircuitBreakerOptions.Interval"/>: clears the counts and starts the next interval when
    /// the current one has ended. Call under the lock; report a <see langword="true"/> result after leaving it.
    /// </summary>
    private bool EndIntervalIfElapsed(long now)
    {
        if (!IntervalEnded(now))
        {
            return false;
        }

        _counts.Clear();
        Volatile.Write(ref _intervalEndsAt, IntervalEnd(now));
        return true;
    }

    /// <summary>The counts as of <paramref name="now"/>: zero when the closed circuit's interval has ended. Call under the lock.</summary>
    private CircuitCounts CountsLocked(long now) => IntervalEnded(now) ? default : _counts.Snapshot(now);

    /// <summary>Whether the circuit is closed with an interval that has ended. Call under the lock.</summary>
    private bool IntervalEnded(long now)
        => _settings.IntervalTimestamps != 0 && now >= _intervalEndsAt && StateOf(_status) == CircuitState.Closed;

    private void ReportIntervalReset(bool reset)
    {
        if (reset)
        {
            Telemetry?.OnIntervalReset(_name);
        }
    }

    private void Raise(CircuitStateChangedEventArgs? args)
    {
        if (args is not null)
        {
            if (args.Reason != CircuitTransitionReason.Remote)
            {
                Coordinator?.OnStateChanged(this, args);
            }

            if (_entry is null)
            {
                Telemetry?.OnBreakerStateChanged(args); // a key's breaker: its keyed breaker reports it, with the key
            }

            OnStateChanged(args);
        }
    }

    private void OnStateChanged(CircuitStateChangedEventArgs args) => StateChanged?.Invoke(this, args);

    private sealed class Settings
    {
        public Settings(CircuitBreakerOptions options, long timestampFrequency)
        {
            TripPolicy = options.CreateTripPolicy();
            BreakDuration = options.BreakDuration;
            HalfOpenMaxCalls = options.HalfOpenMaxCalls;
            SamplingDuration = options.SamplingDuration;
            SuccessThreshold = options.SuccessThreshold;
            HandleException = options.HandleException;
            if (options.Interval > TimeSpan.Zero)
            {
                // Rounded up: the counts are never cleared before the whole interval has passed.
                Int128 scaled = (Int128)options.Interval.Ticks * timestampFrequency;
                Int128 timestamps = (scaled + TimeSpan.TicksPerSecond - 1) / TimeSpan.TicksPerSecond;
                IntervalTimestamps = timestamps > long.MaxValue ? long.MaxValue : (long)timestamps;
            }
            if (options.Handle is { } handle)
            {
                Handle = new Type[handle.Count];
                for (int i = 0; i < Handle.Length; i++)
                {
                    Handle[i] = handle[i];
                }
            }
        }

        public ITripPolicy TripPolicy { get; }

        public Type[]? Handle { get; }

        public TimeSpan BreakDuration { get; }

        public int HalfOpenMaxCalls { get; }

        public TimeSpan SamplingDuration { get; }

        public int SuccessThreshold { get; }

        /// <summary><see cref="CircuitBreakerOptions.Interval"/> in count-clock units (at least 1); 0 when off.</summary>
        public long IntervalTimestamps { get; }

        public Func<Exception, bool>? HandleException { get; }
    }
}
