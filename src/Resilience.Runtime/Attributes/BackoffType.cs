namespace Resilience;

/// <summary>How the delay between retries grows with the retry number.</summary>
public enum BackoffType
{
    /// <summary>Every retry waits <see cref="RetryAttribute.DelayMs"/>.</summary>
    Constant = 0,

    /// <summary>Retry <c>n</c> waits <c>DelayMs × n</c>.</summary>
    Linear = 1,

    /// <summary>Retry <c>n</c> waits <c>DelayMs × Multiplier^(n-1)</c>. The default.</summary>
    Exponential = 2,
}
