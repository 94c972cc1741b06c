using System.Collections.Concurrent;

namespace Resilience;

/// <content>Chaos injection: the points where it can happen and their injectors, rebuilt from the options on every change.</content>
public sealed partial class ResilienceRegistry
{
    private readonly ConcurrentDictionary<string, ChaosPoint> _chaosPoints = new(StringComparer.Ordinal);
    private ResilienceChaos? _chaos;

    /// <summary>
    /// This registry's chaos injection: the names a configured fault or result may use, and the source of randomness.
    /// Whether chaos is injected, where and how often, is configuration only (<c>Resilience:Chaos:Enabled</c> and
    /// <c>Resilience:Instances:&lt;name&gt;:Chaos</c>, followed on reload); see docs/chaos.md.
    /// </summary>
    public ResilienceChaos Chaos
    {
        get
        {
            ResilienceChaos? chaos = Volatile.Read(ref _chaos);
            if (chaos is null)
            {
                Interlocked.CompareExchange(ref _chaos, new ResilienceChaos(this), null);
                chaos = _chaos;
            }

            return chaos;
        }
    }

    /// <summary>Whether <c>Resilience:Chaos:Enabled</c> is on in the current options.</summary>
    internal bool ChaosSwitch => Volatile.Read(ref _overrides)?.Chaos.Enabled == true;

    /// <summary>The point of operation <paramref name="operationName"/> with the instance names <paramref name="instanceNames"/>; created once.</summary>
    internal ChaosPoint GetChaosPoint(string operationName, string[] instanceNames)
    {
        string key = instanceNames.Length == 0 ? operationName : operationName + "\n" + string.Join("\n", instanceNames);
        if (_chaosPoints.TryGetValue(key, out ChaosPoint? point))
        {
            return point;
        }

        lock (_createLock)
        {
            if (!_chaosPoints.TryGetValue(key, out point))
            {
                var names = new List<string>(instanceNames.Length + 1) { operationName };
                foreach (string name in instanceNames)
                {
                    if (!names.Contains(name, StringComparer.Ordinal))
                    {
                        names.Add(name);
                    }
                }

                point = new ChaosPoint(operationName, [.. names]);
                List<string>? ignored = null;
                point.Injector = CreateInjector(point, Volatile.Read(ref _overrides), ref ignored);
                _chaosPoints[key] = point;
            }

            return point;
        }
    }

    /// <summary>
    /// Rebuilds every point's injector from the current options (after a registration of a fault or result name). A
    /// name still unknown is not reported here: the reload that configured it did, and the next reload does.
    /// </summary>
    internal void ReconfigureChaos()
    {
        List<string>? ignored = null;
        lock (_createLock)
        {
            ReconfigureChaos(Volatile.Read(ref _overrides), ref ignored);
        }
    }

    /// <summary>Rebuilds every point's injector from <paramref name="options"/>. Call under the creation lock.</summary>
    private void ReconfigureChaos(ResilienceOptions? options, ref List<string>? failures)
    {
        foreach (KeyValuePair<string, ChaosPoint> pair in _chaosPoints)
        {
            pair.Value.Injector = CreateInjector(pair.Value, options, ref failures);
        }
    }

    /// <summary>
    /// The injector of <paramref name="point"/>: from the first of its names with an enabled <c>Chaos</c> section, while
    /// the process-wide switch is on; <see langword="null"/> (nothing injected, nothing read but this field) otherwise. A
    /// fault or result name nobody registered leaves the point without an injector and adds a failure.
    /// </summary>
    private ChaosInjector? CreateInjector(ChaosPoint point, ResilienceOptions? options, ref List<string>? failures)
    {
        if (options is null || !options.Chaos.Enabled || options.Instances.Count == 0)
        {
            return null;
        }

        foreach (string name in point.Names)
        {
            if (!options.Instances.TryGetValue(name, out ResilienceInstanceOptions? instance) || instance?.Chaos is not { Enabled: true } chaos)
            {
                continue;
            }

            string path = $"{ResilienceOptions.SectionName}:Instances:{name}:Chaos";
            Func<Exception>? fault = null;
            if (chaos.Fault is { Length: > 0 } faultName && (fault = Chaos.ResolveFault(faultName, chaos.FaultMessage, name)) is null)
            {
                AddFailure(ref failures, $"{path}:Fault: '{faultName}' is neither a built-in fault (ChaosException, TimeoutException, HttpRequestException, "
                    + "IOException, SocketException, InvalidOperationException) nor a name given to registry.Chaos.AddFault; nothing is injected under this name.");
                return null;
            }

            Delegate? result = null;
            if (chaos.Result is { Length: > 0 } resultName && !Chaos.TryResolveResult(resultName, out result))
            {
                AddFailure(ref failures, $"{path}:Result: '{resultName}' is neither 'default' nor a name given to registry.Chaos.AddResult; nothing is injected under this name.");
                return null;
            }

            return new ChaosInjector(
                Chaos, Telemetry, name, point.OperationName, chaos.InjectionRate ?? 0, fault, chaos.Latency ?? TimeSpan.Zero, chaos.Result is { Length: > 0 }, result);
        }

        return null;
    }

    private static void AddFailure(ref List<string>? failures, string failure)
    {
        failures ??= [];
        if (!failures.Contains(failure))
        {
            failures.Add(failure);
        }
    }
}
