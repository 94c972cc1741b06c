namespace Resilience;

/// <summary>
/// A non-reentrant spin lock for short critical sections that call nothing outside their owner: entering is one
/// compare-and-swap, leaving is a plain release store. <c>System.Threading.Lock</c> (and a <c>Monitor</c>) pays a
/// second interlocked instruction to leave, and reads the current thread's id to enter, because it must be reentrant
/// and must know whom to wake; on the hot path of a rate limit that is about a tenth of the call.
/// </summary>
/// <remarks>
/// The same scheme as <see cref="CancellationTokenSource"/>'s registration lock. A contended enter spins with
/// <see cref="SpinWait"/>, which yields the processor and, as it goes on, sleeps, so a preempted holder gets to run.
/// Nothing waits on a kernel object, so a holder must never block, wait or call code that may enter the gate again
/// (a cancellation callback, a timer's <c>Change</c> on a provider that runs due callbacks inside it): entering twice on
/// one thread spins forever.
/// </remarks>
internal sealed class SpinGate
{
    private int _held;

    /// <summary>Enters the gate; dispose the scope (a <see langword="using"/> block) to leave it.</summary>
    public Scope EnterScope()
    {
        if (Interlocked.CompareExchange(ref _held, 1, 0) != 0)
        {
            EnterContended();
        }

        return new Scope(this);
    }

    private void EnterContended()
    {
        SpinWait spin = default;
        do
        {
            spin.SpinOnce();
        }
        while (Volatile.Read(ref _held) != 0 || Interlocked.CompareExchange(ref _held, 1, 0) != 0);
    }

    /// <summary>The gate held; <see cref="Dispose"/> leaves it.</summary>
    public readonly ref struct Scope
    {
        private readonly SpinGate _gate;

        internal Scope(SpinGate gate) => _gate = gate;

        /// <summary>Leaves the gate: a release store, so what the holder wrote is seen by the next holder.</summary>
        public void Dispose() => Volatile.Write(ref _gate._held, 0);
    }
}
