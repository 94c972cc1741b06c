namespace Resilience.Testing;

/// <summary>
/// Records what the kit's registry does (calls, retries, rejections, timeouts, breaker transitions, chaos injections)
/// per name, synchronously, through the registry's telemetry hub: no <c>MeterListener</c>, nothing global, so parallel
/// tests with their own kits never see each other's calls.
/// </summary>
public sealed class ResilienceRecorder
{
    private readonly object _gate = new();
    private readonly Dictionary<string, Counts> _counts = new(StringComparer.Ordinal);

    internal ResilienceRecorder()
    {
        Observer = new RecordingObserver(this);
    }

    internal IResilienceObserver Observer { get; }

    /// <summary>What happened under <paramref name="name"/> so far (all zero when nothing did).</summary>
    /// <param name="name">A method's full name (<c>"Shop.IUserService.GetUserAsync"</c>), an interface's, or an instance's.</param>
    public InstanceRecord this[string name]
    {
        get
        {
            ArgumentNullException.ThrowIfNull(name);
            lock (_gate)
            {
                return _counts.TryGetValue(name, out Counts? counts) ? counts.ToRecord(name) : new InstanceRecord { Name = name };
            }
        }
    }

    /// <summary>Every name something happened under, ordinal order.</summary>
    public IReadOnlyList<string> Names
    {
        get
        {
            lock (_gate)
            {
                return [.. _counts.Keys.Order(StringComparer.Ordinal)];
            }
        }
    }

    /// <summary>Forgets everything recorded so far (e.g. after the arrange part of a test).</summary>
    public void Clear()
    {
        lock (_gate)
        {
            _counts.Clear();
        }
    }

    private void Update(string name, Action<Counts> update)
    {
        lock (_gate)
        {
            if (!_counts.TryGetValue(name, out Counts? counts))
            {
                counts = new Counts();
                _counts[name] = counts;
            }

            update(counts);
        }
    }

    private sealed class Counts
    {
        public int Calls;
        public int Succeeded;
        public int Failed;
        public int RejectedCalls;
        public int FellBack;
        public int Retries;
        public int Rejections;
        public int Timeouts;
        public int ChaosInjections;
        public List<BreakerTransition> Transitions = [];

        public InstanceRecord ToRecord(string name) => new()
        {
            Name = name,
            Calls = Calls,
            Succeeded = Succeeded,
            Failed = Failed,
            RejectedCalls = RejectedCalls,
            FellBack = FellBack,
            Retries = Retries,
            Rejections = Rejections,
            Timeouts = Timeouts,
            ChaosInjections = ChaosInjections,
            Transitions = [.. Transitions],
        };
    }

    private sealed class RecordingObserver(ResilienceRecorder recorder) : IResilienceObserver
    {
        public void CallEnded(CallTelemetry call, string outcome, Exception? error)
        {
            foreach (string name in call.ChaosPoint.Names)
            {
                recorder.Update(name, counts =>
                {
                    counts.Calls++;
                    switch (outcome)
                    {
                        case "success":
                            counts.Succeeded++;
                            break;
                        case "rejected":
                            counts.RejectedCalls++;
                            break;
                        case "fallback":
                            counts.FellBack++;
                            break;
                        default:
                            counts.Failed++;
                            break;
                    }
                });
            }
        }

        public void Retried(CallTelemetry call, string instanceName, int attempt, Exception? error)
        {
            recorder.Update(instanceName, counts => counts.Retries++);
            if (call.OperationName != instanceName)
            {
                recorder.Update(call.OperationName, counts => counts.Retries++);
            }
        }

        public void Rejected(string instanceName, string strategy, ResilienceRejectedException exception)
            => recorder.Update(instanceName, counts => counts.Rejections++);

        public void TimedOut(string instanceName) => recorder.Update(instanceName, counts => counts.Timeouts++);

        public void Transitioned(CircuitStateChangedEventArgs args)
            => recorder.Update(args.Name, counts => counts.Transitions.Add(new BreakerTransition(args.OldState, args.NewState, args.Reason)));

        public void ChaosInjected(string instanceName, string operationName, string kind)
        {
            recorder.Update(instanceName, counts => counts.ChaosInjections++);
            if (operationName != instanceName)
            {
                recorder.Update(operationName, counts => counts.ChaosInjections++);
            }
        }
    }
}
