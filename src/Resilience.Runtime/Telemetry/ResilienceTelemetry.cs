using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Reflection;
using Microsoft.Extensions.Logging;

namespace Resilience;

/// <summary>
/// The metrics and traces of one <see cref="ResilienceRegistry"/>: a <see cref="System.Diagnostics.Metrics.Meter"/> and
/// an <see cref="System.Diagnostics.ActivitySource"/>, both named <see cref="Name"/> ("Resilience"). Listen with
/// OpenTelemetry (<c>.AddMeter("Resilience")</c>, <c>.AddSource("Resilience")</c>), <c>dotnet-counters</c>, or a
/// <see cref="MeterListener"/> / <see cref="ActivityListener"/>.
/// </summary>
/// <remarks>
/// Nothing is measured, traced, logged or allocated while nobody listens: every instrument is checked with
/// <see cref="Instrument.Enabled"/> and spans are only started when <see cref="ActivitySource.HasListeners"/>.
/// Instruments (see docs/telemetry.md for the full table):
/// <list type="bullet">
/// <item><c>resilience.calls</c> (counter, <c>{call}</c>): resilient calls by outcome (<c>success</c>, <c>failure</c>, <c>rejected</c>, <c>fallback</c>).</item>
/// <item><c>resilience.call.duration</c> (histogram, <c>s</c>): duration of a resilient call, all attempts and waits included.</item>
/// <item><c>resilience.retry.attempts</c> (counter, <c>{attempt}</c>): retries made (the first call is not counted).</item>
/// <item><c>resilience.circuit_breaker.transitions</c> (counter, <c>{transition}</c>): breaker state changes.</item>
/// <item><c>resilience.circuit_breaker.state</c> (observable gauge, <c>{state}</c>): current state per breaker that is not keyed: 0 closed, 1 open, 2 half-open, 3 isolated.</item>
/// <item><c>resilience.circuit_breaker.keys</c> (observable up-down counter, <c>{key}</c>): keys held per keyed breaker and circuit state.</item>
/// <item><c>resilience.rejections</c> (counter, <c>{rejection}</c>): calls rejected by a rate limit, bulkhead or open circuit.</item>
/// <item><c>resilience.timeouts</c> (counter, <c>{timeout}</c>): timeouts (whole call or one attempt) that expired.</item>
/// <item><c>resilience.bulkhead.queued</c> (observable up-down counter, <c>{call}</c>): calls waiting per bulkhead, jobs waiting per worker pool.</item>
/// <item><c>resilience.worker_pool.jobs</c> (counter, <c>{job}</c>): jobs of the worker pools registered with <c>AddWorkerPool</c>, by outcome (<c>success</c>, <c>failure</c>, <c>dropped</c>).</item>
/// <item><c>resilience.chaos.injections</c> (counter, <c>{injection}</c>): chaos injected (fault, latency, result); see docs/chaos.md.</item>
/// </list>
/// </remarks>
public sealed class ResilienceTelemetry : IDisposable
{
    /// <summary>The name of the meter and of the activity source: "Resilience".</summary>
    public const string Name = "Resilience";

    internal const string InstanceTag = "resilience.instance";

    internal const string ReservationTag = "resilience.rate_limit.reservation";
    internal const string OperationTag = "resilience.operation";
    internal const string InterfaceTag = "resilience.interface";
    internal const string MethodTag = "resilience.method";
    internal const string StrategyTag = "resilience.strategy";
    internal const string OutcomeTag = "resilience.outcome";
    internal const string ErrorTypeTag = "error.type";
    internal const string AttemptTag = "resilience.attempt";
    internal const string StateTag = "resilience.circuit_breaker.state";
    internal const string PreviousStateTag = "resilience.circuit_breaker.previous_state";
    internal const string KeyTag = "resilience.circuit_breaker.key";
    internal const string RetryBudgetTag = "resilience.retry.budget";
    internal const string HedgeAttemptTag = "resilience.hedge.attempt";
    internal const string BulkheadReasonTag = "resilience.bulkhead.reason";
    internal const string TimeoutExceptionType = "Resilience.ResilienceTimeoutException";
    internal const string ChaosKindTag = "resilience.chaos.kind";
    internal const string ChaosInjectedTag = "resilience.chaos.injected";

#if NET9_0_OR_GREATER
    private static readonly double[] DurationBuckets = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];
#endif

    private static readonly string? s_version = typeof(ResilienceTelemetry).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;

    private readonly ResilienceRegistry _registry;
    private readonly bool _ownsMeter;
    private readonly ILogger? _logger;
    private IResilienceObserver? _observer;

    internal ResilienceTelemetry(ResilienceRegistry registry, IMeterFactory? meterFactory, ILoggerFactory? loggerFactory)
    {
        _registry = registry;
        if (meterFactory is not null)
        {
            Meter = meterFactory.Create(new MeterOptions(Name) { Version = s_version });
        }
        else
        {
            Meter = new Meter(Name, s_version);
            _ownsMeter = true;
        }

        try
        {
            // Notifies every ActivityListener (ShouldListenTo) before returning.
            ActivitySource = new ActivitySource(Name, s_version);
        }
        catch when (_ownsMeter)
        {
            Meter.Dispose(); // a listener threw (e.g. reading registry.Telemetry re-entrantly): do not leak our meter
            throw;
        }
        _logger = loggerFactory?.CreateLogger(Name);
        TimeProvider = registry.TimeProvider;

        // Creating an instrument notifies every MeterListener at once; one that reads registry.Telemetry there gets this
        // instance (its Meter and ActivitySource are set) instead of starting another one.
        registry.OnTelemetryPublishing(this);

        Calls = Meter.CreateCounter<long>("resilience.calls", "{call}", "Resilient calls by outcome: success, failure, rejected or fallback.");
#if NET9_0_OR_GREATER
        // Bucket boundaries in seconds (those OpenTelemetry recommends for request durations), so that exporters whose
        // defaults are made for milliseconds do not put every call in the first bucket.
        CallDuration = Meter.CreateHistogram<double>(
            "resilience.call.duration",
            "s",
            "Duration of a resilient call, including every attempt, wait and fallback.",
            tags: null,
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets });
#else
        CallDuration = Meter.CreateHistogram<double>("resilience.call.duration", "s", "Duration of a resilient call, including every attempt, wait and fallback.");
#endif
        RetryAttempts = Meter.CreateCounter<long>("resilience.retry.attempts", "{attempt}", "Retries made after a failed attempt (the first attempt is not counted).");
        Transitions = Meter.CreateCounter<long>("resilience.circuit_breaker.transitions", "{transition}", "Circuit breaker state changes.");
        Meter.CreateObservableGauge("resilience.circuit_breaker.state", registry.ObserveBreakerStates, "{state}", "Current state of each circuit breaker that is not keyed: 0 closed, 1 open, 2 half-open, 3 isolated.");
        Meter.CreateObservableUpDownCounter("resilience.circuit_breaker.keys", registry.ObserveKeyStates, "{key}", "Keys held by each keyed circuit breaker, by circuit state.");
        Rejections = Meter.CreateCounter<long>("resilience.rejections", "{rejection}", "Calls rejected by a rate limit, a bulkhead or an open circuit breaker.");
        Timeouts = Meter.CreateCounter<long>("resilience.timeouts", "{timeout}", "Timeouts that expired (a whole call's or one attempt's).");
        IntervalResets = Meter.CreateCounter<long>(
            "resilience.circuit_breaker.interval_resets",
            "{reset}",
            "Counts of a closed circuit breaker cleared because its Interval ended.");
        HedgeAttempts = Meter.CreateCounter<long>("resilience.hedge.attempts", "{attempt}", "Hedged attempts started (the first attempt is not counted).");
        HedgeWins = Meter.CreateCounter<long>("resilience.hedge.wins", "{win}", "Hedged calls answered by a hedged attempt rather than the first.");
        RetryBudgetExhausted = Meter.CreateCounter<long>("resilience.retry.budget_exhausted", "{retry}", "Retries refused by a retry budget (the call ends with its last failure).");
        Meter.CreateObservableUpDownCounter("resilience.bulkhead.queued", registry.ObserveQueued, "{call}", "Calls waiting for a slot of each bulkhead, and jobs waiting for a worker of each worker pool.");
        WorkerPoolJobs = Meter.CreateCounter<long>("resilience.worker_pool.jobs", "{job}", "Jobs of the worker pools by outcome: success, failure or dropped (never run: still queued at the shutdown deadline).");
        Reservations = Meter.CreateCounter<long>(
            "resilience.rate_limit.reservations",
            "{reservation}",
            "Rate limit reservations by outcome: immediate, delayed, refused or cancelled.");
        ChaosInjections = Meter.CreateCounter<long>("resilience.chaos.injections", "{injection}", "Chaos injected into inner calls, by kind: fault, latency or result.");
    }

    /// <summary>The meter named "Resilience" (created by the <see cref="IMeterFactory"/> when the registry got one).</summary>
    public Meter Meter { get; }

    /// <summary>The activity source named "Resilience": a span per resilient call, a child span per attempt when retrying.</summary>
    public ActivitySource ActivitySource { get; }

    internal TimeProvider TimeProvider { get; }

    internal Counter<long> Calls { get; }

    internal Histogram<double> CallDuration { get; }

    internal Counter<long> RetryAttempts { get; }

    internal Counter<long> Transitions { get; }

    internal Counter<long> Rejections { get; }

    internal Counter<long> Timeouts { get; }

    internal Counter<long> IntervalResets { get; }

    internal Counter<long> HedgeAttempts { get; }

    internal Counter<long> HedgeWins { get; }

    internal Counter<long> RetryBudgetExhausted { get; }

    internal Counter<long> WorkerPoolJobs { get; }

    internal Counter<long> Reservations { get; }

    internal Counter<long> ChaosInjections { get; }

    /// <summary>Told of every call, retry, rejection, timeout, transition and injection (Resilience.Testing's recorder); <see langword="null"/> when none.</summary>
    internal IResilienceObserver? Observer
    {
        get => Volatile.Read(ref _observer);
        set => Volatile.Write(ref _observer, value);
    }

    internal ILogger? Logger => _logger;

    /// <summary>
    /// Whether a call has anything to record when it starts: a call metric, a rejection or timeout counter, a span
    /// listener or an observer. When not, <see cref="CallTelemetry.Start"/> keeps no state for the call.
    /// </summary>
    internal bool IsListened
        => Calls.Enabled || CallDuration.Enabled || Rejections.Enabled || Timeouts.Enabled || ActivitySource.HasListeners() || Observer is not null;

    internal ResilienceRegistry Registry => _registry;

    /// <summary>
    /// Creates the descriptor of one decorated method; generated decorators create one per method in their constructor
    /// and call <see cref="CallTelemetry.Start"/> on every call.
    /// </summary>
    /// <param name="interfaceName">The interface's full name (<c>"N.IUserService"</c>), the <c>resilience.interface</c> tag.</param>
    /// <param name="methodName">The method's name, the <c>resilience.method</c> tag.</param>
    public CallTelemetry CreateCall(string interfaceName, string methodName)
    {
        ArgumentException.ThrowIfNullOrEmpty(interfaceName);
        ArgumentException.ThrowIfNullOrEmpty(methodName);
        return new CallTelemetry(this, interfaceName, methodName, []);
    }

    /// <summary>
    /// Creates the descriptor of one decorated method whose strategies include instances named otherwise than the method
    /// and its interface (<paramref name="instanceNames"/>): chaos configured under any of those names, or under the
    /// method's or the interface's full name, is injected into its inner calls.
    /// </summary>
    /// <param name="interfaceName">The interface's full name (<c>"N.IUserService"</c>), the <c>resilience.interface</c> tag.</param>
    /// <param name="methodName">The method's name, the <c>resilience.method</c> tag.</param>
    /// <param name="instanceNames">The names of the method's instances other than its own and its interface's full name, outermost first.</param>
    public CallTelemetry CreateCall(string interfaceName, string methodName, params string[] instanceNames)
    {
        ArgumentException.ThrowIfNullOrEmpty(interfaceName);
        ArgumentException.ThrowIfNullOrEmpty(methodName);
        ArgumentNullException.ThrowIfNull(instanceNames);
        return new CallTelemetry(this, interfaceName, methodName, instanceNames);
    }

    /// <summary>The descriptor of a <see cref="ResilientCall{T}"/>: tagged <c>resilience.operation</c> = <paramref name="operationName"/>, no interface or method.</summary>
    internal CallTelemetry CreateOperation(string operationName, string[] instanceNames) => new(this, operationName, instanceNames);

    /// <summary>Disposes the meter (unless an <see cref="IMeterFactory"/> owns it) and the activity source.</summary>
    public void Dispose()
    {
        if (_ownsMeter)
        {
            Meter.Dispose();
        }

        ActivitySource.Dispose();
    }

    internal static string StateName(CircuitState state) => state switch
    {
        CircuitState.Closed => "closed",
        CircuitState.Open => "open",
        CircuitState.HalfOpen => "half_open",
        _ => "isolated",
    };

    /// <summary>
    /// The strategy (<c>rate_limit</c>, <c>bulkhead</c>, <c>circuit_breaker</c>, <c>timeout</c>) and instance behind
    /// <paramref name="exception"/> when it is one of the library's rejections or timeouts; else <see langword="null"/>.
    /// </summary>
    internal static string? StrategyOf(Exception exception, out string? instance)
    {
        switch (exception)
        {
            case ResilienceTimeoutException timeout:
                instance = timeout.InstanceName;
                return "timeout";
            case BrokenCircuitException rejected:
                instance = rejected.InstanceName;
                return "circuit_breaker";
            case BulkheadRejectedException rejected:
                instance = rejected.InstanceName;
                return "bulkhead";
            case RateLimitRejectedException rejected:
                instance = rejected.InstanceName;
                return "rate_limit";
            default:
                instance = null;
                return null;
        }
    }

    /// <summary>The call span the current code runs in, if it is one of ours.</summary>
    internal Activity? CurrentCallSpan()
    {
        for (Activity? activity = Activity.Current; activity is not null; activity = activity.Parent)
        {
            if (ReferenceEquals(activity.Source, ActivitySource) && activity.GetCustomProperty(CallTelemetry.CallSpanMarker) is not null)
            {
                return activity;
            }
        }

        return null;
    }

    /// <summary>
    /// The call of this registry the current code runs in: found through its span when traced, else through the ambient
    /// call that <see cref="CallTelemetry.Start"/> sets while a rejection or timeout counter is listened to.
    /// </summary>
    internal CallTelemetry? CurrentCall(Activity? span)
    {
        if (span?.GetCustomProperty(CallTelemetry.CallSpanMarker) is CallTelemetry traced)
        {
            return traced;
        }

        CallTelemetry? ambient = CallTelemetry.Ambient;
        return ambient is not null && ReferenceEquals(ambient.Telemetry, this) ? ambient : null;
    }

    internal void OnBreakerStateChanged(CircuitStateChangedEventArgs args)
    {
        // The key is never a metric tag (a keyed breaker may hold a million keys): it is on the span event, the log and
        // the event args only.
        if (Transitions.Enabled)
        {
            Transitions.Add(
                1,
                new KeyValuePair<string, object?>(InstanceTag, args.Name),
                new KeyValuePair<string, object?>(StrategyTag, "circuit_breaker"),
                new KeyValuePair<string, object?>(PreviousStateTag, StateName(args.OldState)),
                new KeyValuePair<string, object?>(StateTag, StateName(args.NewState)));
        }

        if (CurrentCallSpan() is { } span)
        {
            var tags = new ActivityTagsCollection
            {
                { InstanceTag, args.Name },
                { PreviousStateTag, StateName(args.OldState) },
                { StateTag, StateName(args.NewState) },
            };
            if (args.IsKeyed)
            {
                tags.Add(KeyTag, KeyString(args.Key));
            }

            span.AddEvent(new ActivityEvent("resilience.circuit_breaker.transition", tags: tags));
        }

        if (_logger is not null)
        {
            LogLevel level = ResilienceLog.LevelOf(args.NewState);
            if (args.IsKeyed)
            {
                // The key is an argument value (a host, a tenant, a user id): logged only when the user opts in.
                ResilienceLog.KeyedBreakerStateChanged(_logger, level, args.Name, _registry.LogArgumentValues ? args.Key : ResilienceLog.Hidden, args.OldState, args.NewState, args.Reason);
            }
            else
            {
                ResilienceLog.BreakerStateChanged(_logger, level, args.Name, args.OldState, args.NewState, args.Reason);
            }
        }

        Observer?.Transitioned(args);
        _registry.RaiseBreakerStateChanged(args);
    }

    /// <summary>A closed breaker's counts were cleared because its <see cref="CircuitBreakerOptions.Interval"/> ended.</summary>
    internal void OnIntervalReset(string instanceName)
    {
        if (IntervalResets.Enabled)
        {
            IntervalResets.Add(
                1,
                new KeyValuePair<string, object?>(InstanceTag, instanceName),
                new KeyValuePair<string, object?>(StrategyTag, "circuit_breaker"));
        }
    }

    /// <summary>A rate limit reservation was made (<c>immediate</c>, <c>delayed</c>, <c>refused</c>) or gave permits back (<c>cancelled</c>).</summary>
    internal void OnReservation(string instanceName, ReservationOutcome outcome)
    {
        if (Reservations.Enabled)
        {
            Reservations.Add(
                1,
                new KeyValuePair<string, object?>(InstanceTag, instanceName),
                new KeyValuePair<string, object?>(StrategyTag, "rate_limit"),
                new KeyValuePair<string, object?>(ReservationTag, outcome switch
                {
                    ReservationOutcome.Immediate => "immediate",
                    ReservationOutcome.Delayed => "delayed",
                    ReservationOutcome.Refused => "refused",
                    _ => "cancelled",
                }));
        }
    }

    internal void OnRejected(string instanceName, string strategy, ResilienceRejectedException exception)
        => OnRejected(instanceName, strategy, exception, null, keyed: false);

    /// <summary>Reports a rejection; <paramref name="key"/> (when <paramref name="keyed"/>) goes on the span event only.</summary>
    internal void OnRejected(string instanceName, string strategy, ResilienceRejectedException exception, object? key, bool keyed)
    {
        Activity? span = CurrentCallSpan();
        string? errorType = exception.GetType().FullName;
        if (Rejections.Enabled)
        {
            var tags = new TagList
            {
                { InstanceTag, instanceName },
                { StrategyTag, strategy },
                { ErrorTypeTag, errorType },
            };
            if (exception is BulkheadRejectedException bulkhead)
            {
                tags.Add(BulkheadReasonTag, BulkheadRejectedException.TagOf(bulkhead.Reason));
            }

            CurrentCall(span)?.AddTags(ref tags);
            Rejections.Add(1, tags);
        }

        if (span is not null)
        {
            var tags = new ActivityTagsCollection
            {
                { InstanceTag, instanceName },
                { StrategyTag, strategy },
                { ErrorTypeTag, errorType },
            };
            if (keyed)
            {
                tags.Add(KeyTag, KeyString(key));
            }

            if (exception is BulkheadRejectedException bulkhead)
            {
                tags.Add(BulkheadReasonTag, BulkheadRejectedException.TagOf(bulkhead.Reason));
            }

            span.AddEvent(new ActivityEvent("resilience.rejection", tags: tags));
        }

        if (_logger is not null)
        {
            ResilienceLog.Rejected(_logger, instanceName, strategy, exception.RetryAfter);
        }

        Observer?.Rejected(instanceName, strategy, exception);
        _registry.RaiseRejected(instanceName, strategy, exception);
    }

    internal void OnTimeout(TimeoutStrategy timeout)
    {
        Activity? span = CurrentCallSpan();
        if (Timeouts.Enabled)
        {
            var tags = new TagList
            {
                { InstanceTag, timeout.Name },
                { StrategyTag, "timeout" },
                { ErrorTypeTag, TimeoutExceptionType },
            };
            CurrentCall(span)?.AddTags(ref tags);
            Timeouts.Add(1, tags);
        }

        span?.AddEvent(new ActivityEvent("resilience.timeout", tags: new ActivityTagsCollection
        {
            { InstanceTag, timeout.Name },
            { "resilience.timeout.ms", timeout.Timeout.TotalMilliseconds },
        }));

        if (_logger is not null)
        {
            ResilienceLog.TimedOut(_logger, timeout.Name, timeout.Timeout.TotalMilliseconds);
        }

        Observer?.TimedOut(timeout.Name);
    }

    /// <summary>Reports one injection: the counter, a tag and an event on the call span (and on the attempt span), the observer.</summary>
    internal void OnChaosInjected(ChaosInjector injector, string kind, Activity? current)
    {
        if (ChaosInjections.Enabled)
        {
            ChaosInjections.Add(
                1,
                new KeyValuePair<string, object?>(InstanceTag, injector.InstanceName),
                new KeyValuePair<string, object?>(StrategyTag, "chaos"),
                new KeyValuePair<string, object?>(ChaosKindTag, kind),
                new KeyValuePair<string, object?>(OperationTag, injector.OperationName));
        }

        if (CurrentCallSpan() is { } span)
        {
            span.SetTag(ChaosInjectedTag, true);
            if (current is not null && !ReferenceEquals(current, span) && ReferenceEquals(current.Source, ActivitySource))
            {
                current.SetTag(ChaosInjectedTag, true); // the attempt span
            }

            span.AddEvent(new ActivityEvent("resilience.chaos.injection", tags: new ActivityTagsCollection
            {
                { InstanceTag, injector.InstanceName },
                { ChaosKindTag, kind },
            }));
        }

        Observer?.ChaosInjected(injector.InstanceName, injector.OperationName, kind);
    }

    internal void OnHedge(HedgeStrategy hedge) => AddHedgeCount(HedgeAttempts, hedge);

    internal void OnHedgeWin(HedgeStrategy hedge) => AddHedgeCount(HedgeWins, hedge);

    private void AddHedgeCount(Counter<long> counter, HedgeStrategy hedge)
    {
        if (counter.Enabled)
        {
            var tags = new TagList { { InstanceTag, hedge.Name }, { StrategyTag, "hedge" } };
            CurrentCall(CurrentCallSpan())?.AddTags(ref tags);
            counter.Add(1, tags);
        }
    }

    internal void OnRetryBudgetExhausted(RetryBudget budget, RetryStrategy retry)
    {
        if (RetryBudgetExhausted.Enabled)
        {
            var tags = new TagList { { InstanceTag, retry.Name }, { StrategyTag, "retry" }, { RetryBudgetTag, budget.Name } };
            CurrentCall(CurrentCallSpan())?.AddTags(ref tags);
            RetryBudgetExhausted.Add(1, tags);
        }

        CurrentCallSpan()?.AddEvent(new ActivityEvent("resilience.retry.budget_exhausted", tags: new ActivityTagsCollection
        {
            { InstanceTag, retry.Name },
            { RetryBudgetTag, budget.Name },
        }));
    }

    /// <summary>Counts a worker pool's job by outcome; logs a failed one (Error, with the exception).</summary>
    internal void OnWorkerPoolJob(string instanceName, string outcome, Exception? exception = null)
    {
        if (WorkerPoolJobs.Enabled)
        {
            WorkerPoolJobs.Add(
                1,
                new KeyValuePair<string, object?>(InstanceTag, instanceName),
                new KeyValuePair<string, object?>(StrategyTag, "worker_pool"),
                new KeyValuePair<string, object?>(OutcomeTag, outcome));
        }

        if (exception is not null && _logger is not null)
        {
            ResilienceLog.WorkerPoolJobFailed(_logger, instanceName, exception);
        }
    }

    private static string KeyString(object? key) => key?.ToString() ?? "(null)";

    internal void OnStaleResultServed(string instanceName, StaleResultServedEventArgs args)
    {
        if (_logger is not null)
        {
            // The cache key is built from the call's arguments: logged only when the user opts in.
            ResilienceLog.StaleResultServed(_logger, instanceName, _registry.LogArgumentValues ? args.Key : ResilienceLog.Hidden, args.Age.TotalMilliseconds, args.Exception);
        }
    }
}
