using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Resilience.Testing;

/// <summary>
/// A <see cref="ResilienceRegistry"/> for one test: on a <see cref="FakeTimeProvider"/>, with a seeded chaos source,
/// options the test changes in code, breakers put into any state before the first call, failures injected into one
/// named instance (disposable), and a <see cref="Recorder"/> of what happened. Pass <see cref="Registry"/> to the
/// generated decorator (<c>new UserServiceResilient(inner, kit.Registry)</c>) or register it in a container.
/// </summary>
/// <remarks>
/// Injection reuses chaos injection (docs/chaos.md): the kit turns on <c>Resilience:Chaos:Enabled</c> and the name's
/// <c>Chaos</c> section in its own options, so the failure enters where configured chaos would, inside every strategy,
/// and the breaker, retry, timeout and fallback react as in production.
/// </remarks>
public sealed class ResilienceTestKit : IDisposable
{
    private readonly KitOptionsMonitor _options = new();
    private readonly Dictionary<string, int> _injections = new(StringComparer.Ordinal);
    private int _nextName;

    /// <summary>Creates the kit.</summary>
    /// <param name="seed">Seeds the draws of injections with a rate below 1, so runs repeat.</param>
    /// <param name="start">The fake clock's start; <see cref="FakeTimeProvider"/>'s default (2000-01-01 UTC) when <see langword="null"/>.</param>
    public ResilienceTestKit(int seed = 0, DateTimeOffset? start = null)
    {
        Time = start is { } at ? new FakeTimeProvider(at) : new FakeTimeProvider();
        Recorder = new ResilienceRecorder();
        Registry = new ResilienceRegistry(Time, cacheStore: null, meterFactory: null, loggerFactory: null, options: _options);
        Registry.Telemetry.Observer = Recorder.Observer;
        var random = new Random(seed);
        Registry.Chaos.RandomSource = () =>
        {
            lock (random)
            {
                return random.NextDouble();
            }
        };
    }

    /// <summary>The clock of every instance of <see cref="Registry"/>: advance it to end delays, breaks and timeouts.</summary>
    public FakeTimeProvider Time { get; }

    /// <summary>
    /// Advances <see cref="Time"/> by <paramref name="by"/> with no <see cref="SynchronizationContext"/> on the thread,
    /// so the work each fired timer releases (a retry delay ending, a timeout cancelling, an injected latency ending)
    /// runs inline and has armed its next timer when this returns. Prefer it to <c>Time.Advance</c>: under a test
    /// framework's synchronization context (xUnit's) the released work is queued instead, and a second advance can run
    /// before the next retry delay exists, which then never ends.
    /// </summary>
    /// <param name="by">How far to move the clock.</param>
    public void Advance(TimeSpan by)
    {
        SynchronizationContext? context = SynchronizationContext.Current;
        SynchronizationContext.SetSynchronizationContext(null);
        try
        {
            Time.Advance(by);
        }
        finally
        {
            SynchronizationContext.SetSynchronizationContext(context);
        }
    }

    /// <summary>The registry to hand to the decorators under test.</summary>
    public ResilienceRegistry Registry { get; }

    /// <summary>What happened, per name: calls, retries, rejections, timeouts, transitions, injections.</summary>
    public ResilienceRecorder Recorder { get; }

    /// <summary>The current options (overrides per instance name); change them with <see cref="Configure"/>.</summary>
    public ResilienceOptions Options => _options.CurrentValue;

    /// <summary>Changes the options as configuration would, validates them and reloads the registry.</summary>
    /// <param name="change">Edits the options (e.g. <c>o =&gt; o.Instances["users-db"] = new() { Bulkhead = new() { MaxConcurrency = 1 } }</c>).</param>
    /// <exception cref="OptionsValidationException">The changed options are invalid (the change stays, the registry keeps its settings).</exception>
    public void Configure(Action<ResilienceOptions> change)
    {
        ArgumentNullException.ThrowIfNull(change);
        _options.Change(change);
    }

    /// <summary>
    /// Puts the circuit breaker <paramref name="name"/> (not keyed) into <paramref name="state"/>: at once when it
    /// exists, else as soon as it is created (by the decorator's constructor), so before the first call either way.
    /// Open starts a full break now (advance <see cref="Time"/> by the break duration to reach half-open); half-open
    /// admits the next calls as probes; isolated stays open until <see cref="CircuitBreaker.Reset"/>.
    /// </summary>
    /// <param name="name">The breaker's name (its <c>Name</c>, or the interface or method full name).</param>
    /// <param name="state">The state.</param>
    public void SetBreakerState(string name, CircuitState state)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (!Enum.IsDefined(state))
        {
            throw new ArgumentOutOfRangeException(nameof(state), state, "Closed, Open, HalfOpen or Isolated.");
        }

        Registry.SetBreakerState(name, state);
    }

    /// <summary>
    /// Makes the calls that carry <paramref name="name"/> fail with <paramref name="fault"/> until the returned scope is
    /// disposed: every call when <paramref name="injectionRate"/> is 1, else a seeded share of the attempts.
    /// </summary>
    /// <param name="name">A method's full name, its interface's, or one of its instances' (see docs/chaos.md).</param>
    /// <param name="fault">Makes the exception; a <see cref="ChaosException"/> naming the instance when <see langword="null"/>.</param>
    /// <param name="injectionRate">The share of attempts that fail, in [0, 1].</param>
    /// <returns>Dispose it to stop injecting (and restore the name's chaos settings as they were).</returns>
    public IDisposable InjectFault(string name, Func<Exception>? fault = null, double injectionRate = 1)
    {
        string faultName = "resilience-testing-fault-" + Interlocked.Increment(ref _nextName);
        Registry.Chaos.AddFault(faultName, fault ?? (() => new ChaosException($"Chaos: fault injected by a test into '{name}'.")));
        IDisposable scope = Inject(name, new ChaosOverrides { Enabled = true, InjectionRate = injectionRate, Fault = faultName });
        return new Scope(() =>
        {
            scope.Dispose();
            Registry.Chaos.RemoveFault(faultName);
        });
    }

    /// <summary>Delays the calls that carry <paramref name="name"/> by <paramref name="latency"/> (on <see cref="Time"/>) until the scope is disposed.</summary>
    /// <param name="name">A method's full name, its interface's, or one of its instances'.</param>
    /// <param name="latency">The delay before each inner call.</param>
    /// <param name="injectionRate">The share of attempts delayed, in [0, 1].</param>
    /// <returns>Dispose it to stop injecting.</returns>
    public IDisposable InjectLatency(string name, TimeSpan latency, double injectionRate = 1)
        => Inject(name, new ChaosOverrides { Enabled = true, InjectionRate = injectionRate, Latency = latency });

    /// <summary>
    /// Injects <paramref name="chaos"/> (any chaos settings: fault, latency, result) under <paramref name="name"/> until
    /// the scope is disposed; the name's earlier chaos settings come back then.
    /// </summary>
    /// <param name="name">A method's full name, its interface's, or one of its instances'.</param>
    /// <param name="chaos">The settings, as configuration would give them.</param>
    /// <returns>Dispose it to stop injecting.</returns>
    public IDisposable Inject(string name, ChaosOverrides chaos)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(chaos);
        ChaosOverrides? previous = null;
        bool switchWasOn = false;
        Configure(options =>
        {
            ResilienceInstanceOptions instance = options.Instances.TryGetValue(name, out ResilienceInstanceOptions? existing) && existing is not null
                ? existing
                : options.Instances[name] = new ResilienceInstanceOptions();
            previous = instance.Chaos;
            instance.Chaos = chaos;
            switchWasOn = options.Chaos.Enabled;
            options.Chaos.Enabled = true;
            _injections[name] = _injections.GetValueOrDefault(name) + 1;
        });

        return new Scope(() => Configure(options =>
        {
            if (options.Instances.TryGetValue(name, out ResilienceInstanceOptions? instance) && ReferenceEquals(instance.Chaos, chaos))
            {
                instance.Chaos = previous;
            }

            if (--_injections[name] == 0)
            {
                _injections.Remove(name);
            }

            options.Chaos.Enabled = switchWasOn || _injections.Count != 0;
        }));
    }

    /// <summary>Disposes the registry.</summary>
    public void Dispose() => Registry.Dispose();

    private sealed class Scope(Action dispose) : IDisposable
    {
        private Action? _dispose = dispose;

        public void Dispose() => Interlocked.Exchange(ref _dispose, null)?.Invoke();
    }
}
