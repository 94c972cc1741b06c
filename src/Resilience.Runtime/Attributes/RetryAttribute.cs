namespace Resilience;

/// <summary>
/// Retries a failed call. On a method it applies to that method; on an interface it is the default for
/// every method that has no <see cref="RetryAttribute"/> of its own.
/// </summary>
/// <remarks>
/// A permanent failure (a <see cref="PermanentException"/>, also one wrapped by other exceptions, see
/// <see cref="PermanentException.IsPermanent"/>) and the caller's own cancellation are never retried; a
/// <see cref="ResilienceRejectedException"/> is not retried unless listed in <see cref="RetryOn"/>. Delays are measured on the registry's
/// <see cref="TimeProvider"/> and end at once when the call is cancelled.
/// </remarks>
[AttributeUsage(AttributeTargets.Method | AttributeTargets.Interface, AllowMultiple = false, Inherited = false)]
public sealed class RetryAttribute : Attribute
{
    /// <summary>Retries after the first call. Default 3; 0 disables retrying.</summary>
    public int MaxRetries { get; set; } = RetryDefaults.MaxRetries;

    /// <summary>Base delay before the first retry, in milliseconds. Default 200.</summary>
    public int DelayMs { get; set; } = RetryDefaults.DelayMs;

    /// <summary>How the delay grows. Default <see cref="BackoffType.Exponential"/>.</summary>
    public BackoffType Backoff { get; set; } = RetryDefaults.Backoff;

    /// <summary>Growth factor for <see cref="BackoffType.Exponential"/>. Default 2.0; must be at least 1.</summary>
    public double Multiplier { get; set; } = RetryDefaults.Multiplier;

    /// <summary>Upper bound of any single delay, in milliseconds, after jitter. Default 30 000.</summary>
    public int MaxDelayMs { get; set; } = RetryDefaults.MaxDelayMs;

    /// <summary>
    /// Random spread of each delay as a ratio from 0 to 1: a delay <c>d</c> becomes a value in
    /// <c>[d × (1 − Jitter), d × (1 + Jitter)]</c>. Default 0.2.
    /// </summary>
    public double Jitter { get; set; } = RetryDefaults.Jitter;

    /// <summary>Exception types (and their subtypes) that are retried. Default: every exception.</summary>
    public Type[]? RetryOn { get; set; }

    /// <summary>
    /// A type implementing <see cref="IRetryPolicy"/> with a public parameterless constructor that decides which
    /// exceptions are retried and how long to wait. <see cref="MaxRetries"/> still bounds the number of retries.
    /// </summary>
    public Type? Policy { get; set; }

    /// <summary>Timeout of each attempt inside the retry loop, in milliseconds; 0 (the default) means none. An attempt that times out is retried.</summary>
    public int AttemptTimeoutMs { get; set; } = RetryDefaults.AttemptTimeoutMs;

    /// <summary>
    /// The name of a retry budget shared by every retry that names it (one per dependency, such as
    /// <c>"payments-api"</c>): a retry is made only while the retries of the last window stay within a ratio of its calls
    /// (settings under <c>Resilience:RetryBudgets:&lt;name&gt;</c>, see docs/retry-budget.md). A retry the budget refuses
    /// ends the call with its last failure. Default: none.
    /// </summary>
    public string? Budget { get; set; }

    /// <summary>
    /// Name of a static method <c>bool M(TResult result)</c> on the interface that marks a returned value as a failure
    /// (for example an HTTP 5xx). Such a result is retried; one that survives the retries is handed to
    /// <see cref="CacheFallbackAttribute"/> and <see cref="FallbackAttribute"/> like a failure (as a
    /// <see cref="HandledResultException{TResult}"/>), and returned as it is when neither answers it.
    /// </summary>
    public string? HandleResult { get; set; }
}
