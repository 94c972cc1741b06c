using System.Diagnostics;

namespace Resilience;

/// <summary>
/// The chaos one operation injects under one configured name: an immutable snapshot, replaced whole on reload. Each
/// attempt draws once; an injection waits the latency (on the registry's clock, cancellable), then throws the fault or
/// hands back the result, or lets the inner call run.
/// </summary>
internal sealed class ChaosInjector
{
    internal const string Fault = "fault";
    internal const string Latency = "latency";
    internal const string Result = "result";

    private readonly ResilienceChaos _chaos;
    private readonly ResilienceTelemetry _telemetry;
    private readonly double _rate;
    private readonly Func<Exception>? _fault;
    private readonly TimeSpan _latency;
    private readonly bool _substitutes;
    private readonly Delegate? _result;

    internal ChaosInjector(
        ResilienceChaos chaos, ResilienceTelemetry telemetry, string instanceName, string operationName,
        double rate, Func<Exception>? fault, TimeSpan latency, bool substitutes, Delegate? result)
    {
        _chaos = chaos;
        _telemetry = telemetry;
        InstanceName = instanceName;
        OperationName = operationName;
        _rate = rate;
        _fault = fault;
        _latency = latency;
        _substitutes = substitutes;
        _result = result;
    }

    /// <summary>The configured name whose <c>Chaos</c> section this is (<c>resilience.instance</c> of the injections).</summary>
    public string InstanceName { get; }

    public string OperationName { get; }

    /// <summary>
    /// Decides and injects for one attempt. Returns <see langword="true"/> when the inner call is to be skipped and
    /// <see cref="GetResult{T}"/> returned instead; throws the injected fault (or the cancellation of the latency wait).
    /// </summary>
    public ValueTask<bool> InjectAsync(CancellationToken cancellationToken)
    {
        if (!Draw())
        {
            return new ValueTask<bool>(false);
        }

        if (_latency > TimeSpan.Zero)
        {
            return DelayThenInjectAsync(cancellationToken);
        }

        return new ValueTask<bool>(InjectOutcome());
    }

    /// <summary>Like <see cref="InjectAsync"/>, blocking the thread for the latency; for synchronous methods.</summary>
    public bool Inject(CancellationToken cancellationToken)
    {
        if (!Draw())
        {
            return false;
        }

        if (_latency > TimeSpan.Zero)
        {
            Report(Latency);
            Task.Delay(_latency, _telemetry.TimeProvider, cancellationToken).GetAwaiter().GetResult();
        }

        return InjectOutcome();
    }

    /// <summary>The substituted result: the type's default, or the registered provider's value when it makes a <typeparamref name="T"/>.</summary>
    public T GetResult<T>()
    {
        if (_result is null)
        {
            return default!;
        }

        if (_result is Func<T> provider)
        {
            return provider();
        }

        Type made = _result.GetType().GetGenericArguments() is [var type] ? type : _result.GetType();
        throw new InvalidOperationException(
            $"Chaos: the result configured for '{InstanceName}' makes {made}, which '{OperationName}' cannot return as {typeof(T)}. "
            + "Configure a result of the method's type (or 'default') for this name.");
    }

    private bool Draw() => _rate >= 1 || (_rate > 0 && _chaos.NextDouble() < _rate);

    private async ValueTask<bool> DelayThenInjectAsync(CancellationToken cancellationToken)
    {
        Report(Latency);
        await Task.Delay(_latency, _telemetry.TimeProvider, cancellationToken).ConfigureAwait(false);
        return InjectOutcome();
    }

    private bool InjectOutcome()
    {
        if (_fault is not null)
        {
            Report(Fault);
            throw _fault();
        }

        if (_substitutes)
        {
            Report(Result);
            return true;
        }

        return false;
    }

    private void Report(string kind) => _telemetry.OnChaosInjected(this, kind, Activity.Current);
}
