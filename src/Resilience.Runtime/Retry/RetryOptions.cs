using System.Globalization;

namespace Resilience;

/// <summary>Settings of a <see cref="RetryStrategy"/> and the built-in <see cref="RetryPolicy"/> kinds. Read and validated once, at construction.</summary>
/// <remarks>
/// Two instances are equal when every setting is equal: <see cref="RetryOn"/> is compared as an ordered sequence,
/// <see cref="Policy"/> by its runtime type, and <see cref="Random"/> is ignored.
/// </remarks>
public sealed class RetryOptions : IEquatable<RetryOptions>
{
    /// <summary>The largest <see cref="MaxDelay"/> and <see cref="AttemptTimeout"/> accepted: <see cref="int.MaxValue"/> milliseconds (about 24.8 days).</summary>
    internal static readonly TimeSpan MaxSupportedDuration = TimeSpan.FromMilliseconds(int.MaxValue);

    /// <summary>Retries after the first call. Default 3; 0 disables retrying.</summary>
    public int MaxRetries { get; set; } = RetryDefaults.MaxRetries;

    /// <summary>Base delay before the first retry; zero or more. Default 200 ms.</summary>
    public TimeSpan Delay { get; set; } = TimeSpan.FromMilliseconds(RetryDefaults.DelayMs);

    /// <summary>How the delay grows. Default <see cref="BackoffType.Exponential"/>.</summary>
    public BackoffType Backoff { get; set; } = RetryDefaults.Backoff;

    /// <summary>Growth factor of <see cref="BackoffType.Exponential"/>; finite and at least 1. Default 2.0.</summary>
    public double Multiplier { get; set; } = RetryDefaults.Multiplier;

    /// <summary>Upper bound of one delay, after jitter; positive, at least <see cref="Delay"/> and at most <see cref="int.MaxValue"/> ms. Default 30 seconds.</summary>
    public TimeSpan MaxDelay { get; set; } = TimeSpan.FromMilliseconds(RetryDefaults.MaxDelayMs);

    /// <summary>Random spread of each delay, a ratio in [0, 1]: a delay <c>d</c> becomes a value in <c>[d × (1 − Jitter), d × (1 + Jitter)]</c>, then capped at <see cref="MaxDelay"/>. Default 0.2.</summary>
    public double Jitter { get; set; } = RetryDefaults.Jitter;

    /// <summary>
    /// Exception types (and subtypes) that are retried; <see langword="null"/> (the default) retries every exception.
    /// A <see cref="ResilienceRejectedException"/> is retried only when it is listed here itself (or through
    /// <see cref="ResilienceRejectedException"/> or another base that derives from it), never through
    /// <see cref="Exception"/>.
    /// </summary>
    public IReadOnlyList<Type>? RetryOn { get; set; }

    /// <summary>A custom policy; replaces the backoff settings and <see cref="RetryOn"/>. <see cref="MaxRetries"/> still applies.</summary>
    public IRetryPolicy? Policy { get; set; }

    /// <summary>Timeout of each attempt; <see cref="TimeSpan.Zero"/> (the default) means none; at most <see cref="int.MaxValue"/> ms. A timed-out attempt is retried.</summary>
    public TimeSpan AttemptTimeout { get; set; }

    /// <summary>
    /// The name of the <see cref="RetryBudget"/> this retry draws from (shared by every retry naming it), or
    /// <see langword="null"/> (the default) for none. The registry creates the budget on first use, with the settings of
    /// <see cref="ResilienceOptions.RetryBudgets"/> (configuration <c>Resilience:RetryBudgets:&lt;name&gt;</c>) or the defaults.
    /// </summary>
    public string? Budget { get; set; }

    /// <summary>The source of jitter; <see cref="System.Random.Shared"/> when <see langword="null"/>. Set a seeded instance to make delays repeatable in tests (the policy serialises its use, so it may be shared by threads).</summary>
    public Random? Random { get; set; }

    /// <summary>
    /// Throws <see cref="ArgumentOutOfRangeException"/> (or <see cref="ArgumentException"/> for a bad
    /// <see cref="RetryOn"/> entry) naming the setting to change and the value it had, when a value is invalid.
    /// </summary>
    public void Validate()
    {
        if (MaxRetries < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxRetries), Invariant($"MaxRetries must be 0 or more; got {MaxRetries}."));
        }

        if (Delay < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(Delay), Invariant($"Delay must be 0 ms or more; got {Delay.TotalMilliseconds} ms."));
        }

        if (Backoff is not (BackoffType.Constant or BackoffType.Linear or BackoffType.Exponential))
        {
            throw new ArgumentOutOfRangeException(nameof(Backoff), Invariant($"Backoff must be Constant, Linear or Exponential; got {(int)Backoff}."));
        }

        if (!(Multiplier >= 1.0) || double.IsInfinity(Multiplier))
        {
            throw new ArgumentOutOfRangeException(nameof(Multiplier), Invariant($"Multiplier must be a finite number of at least 1; got {Multiplier}."));
        }

        if (MaxDelay <= TimeSpan.Zero || MaxDelay > MaxSupportedDuration)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxDelay), Invariant($"MaxDelay must be in (0, {int.MaxValue}] ms; got {MaxDelay.TotalMilliseconds} ms."));
        }

        if (MaxDelay < Delay)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxDelay), Invariant($"MaxDelay must be at least Delay ({Delay.TotalMilliseconds} ms); got {MaxDelay.TotalMilliseconds} ms."));
        }

        if (!(Jitter >= 0.0 && Jitter <= 1.0))
        {
            throw new ArgumentOutOfRangeException(nameof(Jitter), Invariant($"Jitter must be in [0, 1]; got {Jitter}."));
        }

        if (AttemptTimeout < TimeSpan.Zero || AttemptTimeout > MaxSupportedDuration)
        {
            throw new ArgumentOutOfRangeException(nameof(AttemptTimeout), Invariant($"AttemptTimeout must be in [0, {int.MaxValue}] ms (0 = none); got {AttemptTimeout.TotalMilliseconds} ms."));
        }

        if (Budget is not null && string.IsNullOrWhiteSpace(Budget))
        {
            throw new ArgumentException("Budget must name a retry budget, or be null for none; got a blank name.", nameof(Budget));
        }

        if (RetryOn is { } retryOn)
        {
            for (int i = 0; i < retryOn.Count; i++)
            {
                Type? type = retryOn[i];
                if (type is null || !typeof(Exception).IsAssignableFrom(type))
                {
                    throw new ArgumentException(
                        Invariant($"RetryOn[{i}] must be an exception type (System.Exception or a subtype); got {type?.FullName ?? "null"}."),
                        nameof(RetryOn));
                }
            }
        }
    }

    /// <inheritdoc />
    public bool Equals(RetryOptions? other)
    {
        if (ReferenceEquals(this, other))
        {
            return true;
        }

        return other is not null
            && MaxRetries == other.MaxRetries
            && Delay == other.Delay
            && Backoff == other.Backoff
            && Multiplier.Equals(other.Multiplier)
            && MaxDelay == other.MaxDelay
            && Jitter.Equals(other.Jitter)
            && AttemptTimeout == other.AttemptTimeout
            && Policy?.GetType() == other.Policy?.GetType()
            && string.Equals(Budget, other.Budget, StringComparison.Ordinal)
            && ExceptionTypeList.Equal(RetryOn, other.RetryOn);
    }

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as RetryOptions);

    /// <inheritdoc />
    public override int GetHashCode()
    {
        var hash = default(HashCode);
        hash.Add(MaxRetries);
        hash.Add(Delay);
        hash.Add(Backoff);
        hash.Add(Multiplier);
        hash.Add(MaxDelay);
        hash.Add(Jitter);
        hash.Add(AttemptTimeout);
        hash.Add(Policy?.GetType());
        hash.Add(Budget, StringComparer.Ordinal);
        ExceptionTypeList.AddTo(ref hash, RetryOn);

        return hash.ToHashCode();
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
