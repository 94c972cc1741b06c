namespace Resilience;

/// <summary>
/// Told synchronously of what a registry's decorators and instances do, through its <see cref="ResilienceTelemetry"/>
/// (<see cref="ResilienceTelemetry.Observer"/>): the recorder of Resilience.Testing reads it, so tests need no
/// <c>MeterListener</c>. Calls are reported only while an observer is set; nothing is reported otherwise.
/// </summary>
internal interface IResilienceObserver
{
    /// <summary>A call of <paramref name="call"/> ended with <paramref name="outcome"/> (<c>success</c>, <c>failure</c>, <c>rejected</c>, <c>fallback</c>).</summary>
    void CallEnded(CallTelemetry call, string outcome, Exception? error);

    /// <summary>The retry <paramref name="instanceName"/> of <paramref name="call"/> made retry <paramref name="attempt"/> (from 1).</summary>
    void Retried(CallTelemetry call, string instanceName, int attempt, Exception? error);

    void Rejected(string instanceName, string strategy, ResilienceRejectedException exception);

    void TimedOut(string instanceName);

    void Transitioned(CircuitStateChangedEventArgs args);

    void ChaosInjected(string instanceName, string operationName, string kind);
}
