namespace Resilience;

/// <summary>
/// Hedging for generated code and <see cref="ResilientCall{T}"/>: <see cref="Start"/> gives a scope whose token every
/// attempt runs with; when the first attempt has not answered synchronously, <see cref="HedgeScope.Race{TResult}"/>
/// starts the race that decides when to start another attempt and which answer wins. The attempts themselves are
/// started by the caller, so no delegate is needed:
/// <code>
/// var scope = hedge.Start(token);
/// try
/// {
///     var first = AttemptAsync(scope.Token);
///     if (first.IsCompletedSuccessfully) return first.Result;          // nothing allocated
///     var race = scope.Race(first);
///     while (await race.NextAsync()) race.Add(AttemptAsync(scope.Token));
///     if (race.Error is { } error) throw error;
///     return race.GetResult&lt;T&gt;();
/// }
/// finally { scope.Dispose(); }
/// </code>
/// </summary>
/// <remarks>
/// The scope's token comes from a pooled <see cref="CancellationTokenSource"/> linked to the caller's token: a call whose
/// first attempt answers synchronously allocates nothing after warm-up. When a race ends with attempts still running,
/// the source is cancelled (so are they) and never reused. Thread-safe.
/// </remarks>
public sealed class HedgeStrategy
{
    private readonly CancellationTokenSource?[] _pool = new CancellationTokenSource?[Math.Clamp(Environment.ProcessorCount * 2, 4, 64)];
    private HedgeOptions _options;

    /// <summary>Creates the strategy.</summary>
    /// <param name="name">The strategy's name, the <c>resilience.instance</c> tag of its telemetry.</param>
    /// <param name="options">Settings; validated here.</param>
    /// <param name="timeProvider">The clock of the hedging delay; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    public HedgeStrategy(string name, HedgeOptions options, TimeProvider? timeProvider = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Name = name;
        _options = Copy(options);
        TimeProvider = timeProvider ?? TimeProvider.System;
    }

    /// <summary>Creates the strategy counting its hedges and wins in <paramref name="telemetry"/> (a registry's).</summary>
    internal HedgeStrategy(string name, HedgeOptions options, TimeProvider? timeProvider, ResilienceTelemetry? telemetry)
        : this(name, options, timeProvider)
    {
        Telemetry = telemetry;
    }

    /// <summary>The strategy's name.</summary>
    public string Name { get; }

    /// <summary>The settings of races started from now on (they change when configuration is reloaded).</summary>
    public HedgeOptions Options => Copy(Volatile.Read(ref _options));

    internal TimeProvider TimeProvider { get; }

    /// <summary>Where hedges and wins are counted: the registry's that created the instance (given to the constructor).</summary>
    internal ResilienceTelemetry? Telemetry { get; }

    internal HedgeOptions CurrentOptions => Volatile.Read(ref _options);

    /// <summary>Starts a hedged call. Dispose the scope when the call has ended.</summary>
    /// <param name="callerToken">The caller's token (or an outer timeout's); cancelling it cancels <see cref="HedgeScope.Token"/>.</param>
    public HedgeScope Start(CancellationToken callerToken)
    {
        if (callerToken.IsCancellationRequested)
        {
            return new HedgeScope(this, null, callerToken, default);
        }

        CancellationTokenSource source = Rent() ?? new CancellationTokenSource();
        CancellationTokenRegistration registration = callerToken.CanBeCanceled
            ? callerToken.UnsafeRegister(static state => ((CancellationTokenSource)state!).Cancel(), source)
            : default;
        return new HedgeScope(this, source, callerToken, registration);
    }

    /// <summary>Applies new settings to races started from now on (configuration reload).</summary>
    /// <param name="options">The new settings; validated here.</param>
    internal void Reconfigure(HedgeOptions options)
    {
        options.Validate();
        Volatile.Write(ref _options, Copy(options));
    }

    internal void Return(CancellationTokenSource source)
    {
        if (!source.TryReset())
        {
            return; // cancelled: never reused
        }

        CancellationTokenSource?[] pool = _pool;
        for (int i = 0; i < pool.Length; i++)
        {
            if (Interlocked.CompareExchange(ref pool[i], source, null) is null)
            {
                return;
            }
        }
    }

    private CancellationTokenSource? Rent()
    {
        CancellationTokenSource?[] pool = _pool;
        for (int i = 0; i < pool.Length; i++)
        {
            CancellationTokenSource? source;
            if (Volatile.Read(ref pool[i]) is not null && (source = Interlocked.Exchange(ref pool[i], null)) is not null)
            {
                return source;
            }
        }

        return null;
    }

    private static HedgeOptions Copy(HedgeOptions options)
        => new() { Delay = options.Delay, MaxHedges = options.MaxHedges, OnFailure = options.OnFailure };
}
