using System.Diagnostics;

namespace Resilience;

/// <summary>
/// What a <see cref="CallScope"/> remembers when its call is measured, traced, injected with chaos or retried. Each
/// thread keeps up to <see cref="SparesPerThread"/> of them (enough for calls nested that deep): <see cref="Rent"/>
/// takes one (or makes one when the thread has none left), <see cref="Return"/> clears it and gives it to the thread that
/// ends the call.
/// </summary>
internal sealed class CallScopeState
{
    internal const byte Success = 0;
    internal const byte Failure = 1;
    internal const byte Rejected = 2;
    internal const byte FellBack = 3;

    internal const int SparesPerThread = 8;

    [ThreadStatic]
    private static CallScopeState? t_spares;

    [ThreadStatic]
    private static int t_spareCount;

    private CallScopeState? _nextSpare;

    internal bool Measured;
    internal bool Ambient;
    internal byte Outcome;
    internal int Retries;
    internal long Started;
    internal Activity? Activity;
    internal CallTelemetry? PreviousAmbient;
    internal ChaosInjector? Chaos;
    internal Activity? Attempt;
    internal Exception? Error;

    // A retry whose delay has been started, reported by the StartAttempt that makes it (see CallScope.RetryDelayAsync).
    internal RetryStrategy? PendingRetry;
    internal Exception? PendingRetryError;
    internal TimeSpan PendingRetryDelay;

    internal static CallScopeState Rent()
    {
        CallScopeState? spare = t_spares;
        if (spare is null)
        {
            return new CallScopeState();
        }

        t_spares = spare._nextSpare;
        t_spareCount--;
        spare._nextSpare = null;
        return spare;
    }

    internal void Return()
    {
        Measured = false;
        Ambient = false;
        Outcome = Success;
        Retries = 0;
        Started = 0;
        Activity = null;
        PreviousAmbient = null;
        Chaos = null;
        Attempt = null;
        Error = null;
        PendingRetry = null;
        PendingRetryError = null;
        PendingRetryDelay = default;
        if (t_spareCount < SparesPerThread)
        {
            _nextSpare = t_spares;
            t_spares = this;
            t_spareCount++;
        }
    }
}
