namespace Resilience;

/// <summary>
/// The retry decision and the wait between attempts, for generated code and <see cref="ResilientCall"/>. The loop
/// itself is written inline by the caller:
/// <code>
/// for (int attempt = 1; ; attempt++)
/// {
///     try { return await inner(...); }
///     catch (Exception ex) when (retry.ShouldRetry(ex, attempt, token)) { await retry.DelayAsync(attempt, token); }
/// }
/// </code>
/// The decision (<see cref="ShouldRetry"/>, <see cref="ShouldRetryResult"/>) is thread-safe and allocates nothing
/// with the built-in policies.
/// </summary>
public sealed class RetryStrategy
{
    private readonly TimeProvider _timeProvider;
    private Settings _settings;

    /// <summary>Creates the strategy.</summary>
    /// <param name="name">The strategy's name, used in telemetry and exceptions.</param>
    /// <param name="options">Settings; validated here, and read only here.</param>
    /// <param name="timeProvider">The clock delays wait on; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    /// <remarks>A retry made here draws from no budget (<see cref="RetryOptions.Budget"/> names one of a registry: <see cref="ResilienceRegistry.GetOrAddRetry"/>).</remarks>
    public RetryStrategy(string name, RetryOptions options, TimeProvider? timeProvider = null)
        : this(name, options, timeProvider, telemetry: null, budget: null)
    {
    }

    /// <summary>Creates the strategy reporting to <paramref name="telemetry"/> (its attempt timeout too), drawing from <paramref name="budget"/>.</summary>
    internal RetryStrategy(string name, RetryOptions options, TimeProvider? timeProvider, ResilienceTelemetry? telemetry, RetryBudget? budget)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(options);

        _settings = new Settings(options.MaxRetries, CreatePolicy(options)); // validates
        _timeProvider = timeProvider ?? TimeProvider.System;
        Name = name;
        Telemetry = telemetry;
        Budget = budget;
        AttemptTimeout = options.AttemptTimeout > TimeSpan.Zero
            ? new TimeoutStrategy($"{name}.attempt", options.AttemptTimeout, _timeProvider, telemetry)
            : null;
    }

    /// <summary>The strategy's name.</summary>
    public string Name { get; }

    /// <summary>The retry budget this retry draws from (<see cref="RetryOptions.Budget"/>), or <see langword="null"/>.</summary>
    public RetryBudget? Budget { get; }

    /// <summary>Where refused retries are counted: the registry's that created the instance (given to the constructor).</summary>
    internal ResilienceTelemetry? Telemetry { get; }

    /// <summary>Retries after the first call (the current setting; it changes when configuration is reloaded).</summary>
    public int MaxRetries => Volatile.Read(ref _settings).MaxRetries;

    /// <summary>The policy that decides which exceptions are retried and how long to wait (the current one; replaced when configuration is reloaded).</summary>
    public IRetryPolicy Policy => Volatile.Read(ref _settings).Policy;

    /// <summary>
    /// The per-attempt timeout named <c>"{Name}.attempt"</c>, or <see langword="null"/> when none is set. The same
    /// instance for the strategy's lifetime: a reload changes its length, never whether there is one.
    /// </summary>
    public TimeoutStrategy? AttemptTimeout { get; }

    /// <summary>
    /// Whether to make retry <paramref name="attempt"/> after <paramref name="exception"/>: never beyond
    /// <see cref="MaxRetries"/>, never once <paramref name="sequenceToken"/> is cancelled (the caller cancelled or the
    /// outer timeout fired), never for a permanent failure (<see cref="PermanentException.IsPermanent"/>: a
    /// <see cref="PermanentException"/>, or one found among its inner exceptions, whatever a custom policy says), never for an
    /// <see cref="OperationCanceledException"/> carrying a cancelable <paramref name="sequenceToken"/>; otherwise the
    /// policy decides. An <see cref="OperationCanceledException"/> from some other token (an HTTP client's own timeout,
    /// say) is an ordinary failure and may be retried.
    /// </summary>
    /// <param name="exception">The exception the last attempt ended with.</param>
    /// <param name="attempt">The retry being considered, from 1.</param>
    /// <param name="sequenceToken">The token of the whole retry sequence (not a per-attempt token).</param>
    public bool ShouldRetry(Exception exception, int attempt, CancellationToken sequenceToken)
    {
        ArgumentNullException.ThrowIfNull(exception);

        Settings settings = Volatile.Read(ref _settings);
        if (attempt > settings.MaxRetries || sequenceToken.IsCancellationRequested || PermanentException.IsPermanent(exception))
        {
            return false;
        }

        if (exception is OperationCanceledException canceled && sequenceToken.CanBeCanceled && canceled.CancellationToken == sequenceToken)
        {
            return false;
        }

        return settings.Policy.ShouldRetry(exception, attempt) && FitsBudget();
    }

    /// <summary>
    /// Counts a call (a retry sequence about to make its first attempt) in <see cref="Budget"/>; generated code calls it
    /// only for a retry declared with a budget. Does nothing without one.
    /// </summary>
    public void RecordCall() => Budget?.RecordCall();

    /// <summary>Whether to make retry <paramref name="attempt"/> after a result marked as a failure by <c>HandleResult</c>.</summary>
    /// <param name="attempt">The retry being considered, from 1.</param>
    /// <param name="sequenceToken">The token of the whole retry sequence.</param>
    public bool ShouldRetryResult(int attempt, CancellationToken sequenceToken) =>
        attempt <= MaxRetries && !sequenceToken.IsCancellationRequested && FitsBudget();

    /// <summary>Whether the budget (if any) allows one more retry; a refusal is counted.</summary>
    private bool FitsBudget()
    {
        if (Budget is not { } budget || budget.TryRetry())
        {
            return true;
        }

        Telemetry?.OnRetryBudgetExhausted(budget, this);
        return false;
    }

    /// <summary>
    /// Waits the policy's delay before retry <paramref name="attempt"/> (as <see cref="GetDelay(int)"/> bounds it) on the
    /// strategy's clock; ends at once with <see cref="OperationCanceledException"/> when
    /// <paramref name="cancellationToken"/> is cancelled. A zero delay completes synchronously without allocating
    /// (unless the token is already cancelled).
    /// </summary>
    /// <param name="attempt">The retry about to be made, from 1.</param>
    /// <param name="cancellationToken">Ends the wait.</param>
    public ValueTask DelayAsync(int attempt, CancellationToken cancellationToken) => WaitAsync(GetDelay(attempt), cancellationToken);

    /// <summary>
    /// The delay before retry <paramref name="attempt"/>: the policy's, clamped to [0, <see cref="LongestDelay"/>]. A
    /// custom policy may return anything a <see cref="TimeSpan"/> holds; a negative delay (also what a NaN turns into
    /// when cast to ticks) waits nothing, and a longer one than <see cref="LongestDelay"/> (about 24.8 days) waits that
    /// long, so that a policy's odd value never replaces the failure being retried with the timer's own exception.
    /// The built-in policies never leave this range.
    /// </summary>
    /// <param name="attempt">The retry about to be made, from 1.</param>
    public TimeSpan GetDelay(int attempt)
    {
        TimeSpan delay = Policy.GetDelay(attempt);
        return delay <= TimeSpan.Zero ? TimeSpan.Zero : delay > LongestDelay ? LongestDelay : delay;
    }

    /// <summary>
    /// The delay before retry <paramref name="attempt"/> after <paramref name="outcome"/>: the policy's
    /// <see cref="IRetryPolicy.GetDelay{TResult}(int, in RetryOutcome{TResult})"/>, clamped like
    /// <see cref="GetDelay(int)"/>. What the retry loops of generated code and <see cref="ResilientCall"/> wait.
    /// </summary>
    /// <typeparam name="TResult">The call's result type (<see cref="object"/> for an exception).</typeparam>
    /// <param name="attempt">The retry about to be made, from 1.</param>
    /// <param name="outcome">What the previous attempt ended with.</param>
    public TimeSpan GetDelay<TResult>(int attempt, in RetryOutcome<TResult> outcome)
    {
        TimeSpan delay = Policy.GetDelay(attempt, in outcome);
        return delay <= TimeSpan.Zero ? TimeSpan.Zero : delay > LongestDelay ? LongestDelay : delay;
    }

    /// <summary>
    /// The longest delay <see cref="GetDelay(int)"/> returns: <see cref="int.MaxValue"/> milliseconds (about 24.8 days), the
    /// largest <see cref="RetryOptions.MaxDelay"/> accepted.
    /// </summary>
    public static TimeSpan LongestDelay => RetryOptions.MaxSupportedDuration;

    /// <summary>
    /// Applies new settings to decisions and delays from now on (configuration reload). Each decision reads one
    /// consistent snapshot (<see cref="MaxRetries"/> with its policy); a retry sequence already running makes its next
    /// decisions under the new settings, and a delay already being waited is not changed. The per-attempt timeout
    /// changes its length for attempts started from now on, but can be neither added nor removed.
    /// </summary>
    /// <param name="options">The new settings; validated here. A custom <see cref="RetryOptions.Policy"/> is kept as given.</param>
    /// <exception cref="ArgumentException"><paramref name="options"/> are invalid, or would add or remove the per-attempt timeout (nothing changes then).</exception>
    internal void Reconfigure(RetryOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var settings = new Settings(options.MaxRetries, CreatePolicy(options)); // validates
        if ((AttemptTimeout is null) != (options.AttemptTimeout == TimeSpan.Zero))
        {
            throw new ArgumentOutOfRangeException(
                nameof(RetryOptions.AttemptTimeout),
                AttemptTimeout is null
                    ? "AttemptTimeout can't be added by reconfiguring: this retry was declared without a per-attempt timeout; declare one on the attribute (AttemptTimeoutMs) first."
                    : "AttemptTimeout can't be removed by reconfiguring (0 means none): this retry was declared with a per-attempt timeout; set a positive value.");
        }

        AttemptTimeout?.Reconfigure(options.AttemptTimeout);
        Volatile.Write(ref _settings, settings);
    }

    /// <summary>Waits <paramref name="delay"/> on the strategy's clock (see <see cref="DelayAsync"/>).</summary>
    internal ValueTask WaitAsync(TimeSpan delay, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled(cancellationToken);
        }

        if (delay <= TimeSpan.Zero)
        {
            return default;
        }

        return new ValueTask(Task.Delay(delay, _timeProvider, cancellationToken));
    }

    /// <summary>Blocks for the policy's delay before retry <paramref name="attempt"/>; for synchronous methods.</summary>
    /// <param name="attempt">The retry about to be made, from 1.</param>
    /// <param name="cancellationToken">Ends the wait with <see cref="OperationCanceledException"/>.</param>
    public void Delay(int attempt, CancellationToken cancellationToken)
    {
        ValueTask wait = DelayAsync(attempt, cancellationToken);
        if (wait.IsCompletedSuccessfully)
        {
            return;
        }

        wait.AsTask().GetAwaiter().GetResult();
    }

    private static IRetryPolicy CreatePolicy(RetryOptions options)
    {
        if (options.Policy is { } custom)
        {
            options.Validate();
            return custom;
        }

        return RetryPolicy.Create(options); // validates
    }

    /// <summary>The retry limit and the policy, swapped as one.</summary>
    private sealed class Settings(int maxRetries, IRetryPolicy policy)
    {
        public int MaxRetries { get; } = maxRetries;

        public IRetryPolicy Policy { get; } = policy;
    }
}
