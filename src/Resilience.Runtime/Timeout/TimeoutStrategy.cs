using System.ComponentModel;
using System.Globalization;
using System.Runtime.CompilerServices;

namespace Resilience;

/// <summary>
/// Bounds the time of everything inside it with a pooled <see cref="CancellationTokenSource"/> linked to the caller's
/// token. <see cref="Start(CancellationToken)"/> allocates nothing when a pooled source is free, which is the case after warm-up as long
/// as scopes end without being cancelled.
/// </summary>
/// <remarks>
/// Each pooled source owns one timer from the <see cref="TimeProvider"/>, so timeouts follow any clock, including a
/// test clock. A source cancelled by the timer or by the caller is never reused. Thread-safe.
/// </remarks>
public sealed class TimeoutStrategy
{
    // Each thread's own source (TimeoutSource.IsBound), in front of the shared pool: the thread starts on it again
    // whenever it is idle, and ending a use of it (on any thread) only marks it ready. So a thread that ends a scope and
    // starts the next one (the common case) takes no interlocked instruction and writes no thread-local storage. It may
    // be any strategy's source; starting another strategy's scope hands it back to its own strategy's pool.
    [ThreadStatic]
    private static TimeoutSource? t_spare;

    private readonly TimeoutSource?[] _pool;
    private readonly ResilienceTelemetry? _telemetry;
    private readonly bool _systemClock;
    private TimeoutSource? _first;
    private Settings _settings;

    /// <summary>"No clock reading": given to <see cref="Start(CancellationToken, long)"/>, it reads the clock itself.</summary>
    public const long NoTimestamp = long.MinValue;

    /// <summary>Creates the strategy.</summary>
    /// <param name="name">The strategy's name, used in <see cref="ResilienceTimeoutException"/>.</param>
    /// <param name="timeout">The limit; must be positive and at most <see cref="int.MaxValue"/> milliseconds (about 24.8 days).</param>
    /// <param name="timeProvider">The clock; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    public TimeoutStrategy(string name, TimeSpan timeout, TimeProvider? timeProvider = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        Validate(timeout, nameof(timeout));
        Name = name;
        TimeProvider = timeProvider ?? TimeProvider.System;
        _systemClock = SystemClock.IsSystem(TimeProvider);
        _settings = new Settings(timeout, TimeProvider);
        _pool = new TimeoutSource?[Math.Clamp(Environment.ProcessorCount * 2, 4, 64) - 1];
    }

    /// <summary>Creates the strategy reporting its timeouts to <paramref name="telemetry"/> (a registry's).</summary>
    internal TimeoutStrategy(string name, TimeSpan timeout, TimeProvider? timeProvider, ResilienceTelemetry? telemetry)
        : this(name, timeout, timeProvider)
    {
        _telemetry = telemetry;
    }

    /// <summary>The strategy's name.</summary>
    public string Name { get; }

    /// <summary>The limit of scopes started from now on (it changes when configuration is reloaded).</summary>
    public TimeSpan Timeout => Volatile.Read(ref _settings).Timeout;

    internal TimeProvider TimeProvider { get; }

    /// <summary>Reads <see cref="TimeProvider"/>'s clock (see <see cref="SystemClock"/>).</summary>
    internal long GetTimestamp() => SystemClock.GetTimestamp(TimeProvider, _systemClock);

    /// <summary>
    /// Where timeouts are reported: the telemetry the constructor got (from the registry that made the instance), else
    /// that of the registry that adopted a hand-made one (<see cref="AdoptedTelemetry"/>).
    /// </summary>
    internal ResilienceTelemetry? Telemetry => _telemetry ?? AdoptedTelemetry.Of(this);

    /// <summary>The telemetry the constructor got; <see langword="null"/> for an instance made with the public constructor.</summary>
    internal ResilienceTelemetry? OwnTelemetry => _telemetry;

    /// <summary><see cref="Timeout"/> in units of <see cref="System.TimeProvider.GetTimestamp"/>.</summary>
    internal long TimeoutTimestampTicks => Volatile.Read(ref _settings).TimestampTicks;

    /// <summary>Starts the timer. Dispose the scope when the work inside it has ended.</summary>
    /// <param name="callerToken">The caller's token; cancelling it cancels <see cref="TimeoutScope.Token"/> too.</param>
    /// <returns>The running scope; when <paramref name="callerToken"/> is already cancelled, a scope whose token is <paramref name="callerToken"/> and that starts no timer.</returns>
    public TimeoutScope Start(CancellationToken callerToken) => Start(callerToken, NoTimestamp);

    /// <summary>
    /// Starts the timer as <see cref="Start(CancellationToken)"/> does, counting the limit from a clock reading taken just
    /// before instead of reading the clock again: a rate limit's admission
    /// (<see cref="RateLimitStrategy.AdmitAsync(CancellationToken, out long)"/>) hands one back. For generated code.
    /// </summary>
    /// <param name="callerToken">As for <see cref="Start(CancellationToken)"/>.</param>
    /// <param name="startedAt">
    /// A <see cref="System.TimeProvider.GetTimestamp"/> of this strategy's clock, taken before this call; the limit counts
    /// from it (so the scope ends no later than it would have, counted from this call). <see cref="NoTimestamp"/> to read
    /// the clock here.
    /// </param>
    /// <returns>As for <see cref="Start(CancellationToken)"/>.</returns>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public TimeoutScope Start(CancellationToken callerToken, long startedAt)
    {
        if (callerToken.IsCancellationRequested)
        {
            return new TimeoutScope(null, 0, callerToken, default);
        }

        TimeoutSource source = Rent();
        long armed = source.Arm(startedAt);
        CancellationTokenRegistration registration = callerToken.CanBeCanceled
            ? callerToken.UnsafeRegister(static state => ((CancellationTokenSource)state!).Cancel(), source.Cts)
            : default;
        return new TimeoutScope(source, armed, callerToken, registration);
    }

    /// <summary>The exception to throw when <see cref="TimeoutScope.IsExpired"/> is true.</summary>
    /// <param name="innerException">The cancellation the inner work ended with, if any.</param>
    public ResilienceTimeoutException CreateException(Exception? innerException = null)
    {
        Telemetry?.OnTimeout(this);
        return new(Name, Timeout, innerException);
    }

    /// <summary>
    /// Applies a new limit to scopes started from now on (configuration reload); running scopes keep the limit they
    /// started with.
    /// </summary>
    /// <param name="timeout">The new limit; must be positive and at most <see cref="int.MaxValue"/> milliseconds.</param>
    internal void Reconfigure(TimeSpan timeout)
    {
        Validate(timeout, "Timeout");
        Volatile.Write(ref _settings, new Settings(timeout, TimeProvider));
    }

    internal void Return(TimeoutSource source, long armed)
    {
        if (!source.TryDisarm(armed, out bool retired))
        {
            if (retired)
            {
                source.Retire();
                if (source.IsBound)
                {
                    source.Lease = TimeoutSource.LeaseDead; // its thread binds another one at its next start
                }
            }

            return;
        }

        if (source.IsBound)
        {
            // A thread's own source: ready for that thread's next start, wherever this use ended. No thread-static
            // access and no interlocked instruction.
            Volatile.Write(ref source.Lease, TimeoutSource.LeaseReady);
            return;
        }

        ReturnUnbound(source);
    }

    /// <summary>Ends the use of a source that is no thread's own: it becomes this thread's own when it has none, else goes back to the shared pool.</summary>
    private void ReturnUnbound(TimeoutSource source)
    {
        if (t_spare is null)
        {
            Bind(source);
            Volatile.Write(ref source.Lease, TimeoutSource.LeaseReady);
            return;
        }

        ReturnShared(source);
    }

    /// <summary>Makes <paramref name="source"/> this thread's own.</summary>
    private static void Bind(TimeoutSource source)
    {
        source.IsBound = true;
        t_spare = source;
    }

    /// <summary>Puts an idle source into the shared pool, or retires it when the pool is full.</summary>
    private void ReturnShared(TimeoutSource source)
    {
        if (Interlocked.CompareExchange(ref _first, source, null) is null)
        {
            return;
        }

        TimeoutSource?[] pool = _pool;
        for (int i = 0; i < pool.Length; i++)
        {
            if (Interlocked.CompareExchange(ref pool[i], source, null) is null)
            {
                return;
            }
        }

        source.Retire(); // pool full
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)] // the thread's own source, taken in Start's own frame
    private TimeoutSource Rent()
    {
        TimeoutSource? source = t_spare;
        if (source is not null && source.Owner == this && Volatile.Read(ref source.Lease) == TimeoutSource.LeaseReady)
        {
            source.Lease = TimeoutSource.LeaseInUse;
            return source;
        }

        return RentSlow(source);
    }

    /// <summary>
    /// The thread has no ready source of this strategy: when its own source is idle (another strategy's) or dead, it is
    /// let go and one of this strategy's becomes the thread's own; when it is in use (a nested scope, or a scope that is
    /// still running elsewhere), this start takes a source that stays no thread's own.
    /// </summary>
    private TimeoutSource RentSlow(TimeoutSource? own)
    {
        if (own is not null)
        {
            int lease = Volatile.Read(ref own.Lease);
            if (lease == TimeoutSource.LeaseInUse)
            {
                return RentShared() ?? new TimeoutSource(this);
            }

            t_spare = null;
            own.IsBound = false;
            if (lease == TimeoutSource.LeaseReady)
            {
                own.Lease = TimeoutSource.LeaseInUse;
                own.Owner.ReturnShared(own);
            }
        }

        TimeoutSource source = RentShared() ?? new TimeoutSource(this);
        Bind(source);
        source.Lease = TimeoutSource.LeaseInUse;
        return source;
    }

    private TimeoutSource? RentShared()
    {
        TimeoutSource? source = Interlocked.Exchange(ref _first, null);
        if (source is not null)
        {
            return source;
        }

        TimeoutSource?[] pool = _pool;
        for (int i = 0; i < pool.Length; i++)
        {
            if (Volatile.Read(ref pool[i]) is not null && (source = Interlocked.Exchange(ref pool[i], null)) is not null)
            {
                return source;
            }
        }

        return null;
    }

    private static void Validate(TimeSpan timeout, string parameterName)
    {
        if (timeout <= TimeSpan.Zero || timeout > TimeSpan.FromMilliseconds(int.MaxValue))
        {
            throw new ArgumentOutOfRangeException(
                parameterName,
                string.Create(CultureInfo.InvariantCulture, $"Timeout must be in (0, {int.MaxValue}] ms; got {timeout.TotalMilliseconds} ms."));
        }
    }

    /// <summary>The limit and its length in timestamp units, swapped as one.</summary>
    private sealed class Settings
    {
        public Settings(TimeSpan timeout, TimeProvider timeProvider)
        {
            Timeout = timeout;
            TimestampTicks = (long)Math.Ceiling(timeout.Ticks * ((double)timeProvider.TimestampFrequency / TimeSpan.TicksPerSecond));
        }

        public TimeSpan Timeout { get; }

        public long TimestampTicks { get; }
    }
}
