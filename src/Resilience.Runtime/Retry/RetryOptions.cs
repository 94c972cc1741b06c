namespace Resilience;

/// <summary>Settings of a <see cref="RetryStrategy"/> and the built-in <see cref="RetryPolicy"/> kinds. Read and validated once, at construction.</summary>
public sealed class RetryOptions : IEquatable<RetryOptions>
{
    /// <summary>Retries after the first call. Default 3; 0 disables retrying.</summary>
    public int MaxRetries { get; set; } = 3;

    /// <summary>Base delay before the first retry. Default 200 ms.</summary>
    public TimeSpan Delay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>How the delay grows. Default <see cref="BackoffType.Exponential"/>.</summary>
    public BackoffType Backoff { get; set; } = BackoffType.Exponential;

    /// <summary>Growth factor of <see cref="BackoffType.Exponential"/>; at least 1. Default 2.0.</summary>
    public double Multiplier { get; set; } = 2.0;

    /// <summary>Upper bound of one delay, after jitter. Default 30 seconds.</summary>
    public TimeSpan MaxDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Random spread of each delay, a ratio in [0, 1]. Default 0.2.</summary>
    public double Jitter { get; set; } = 0.2;

    /// <summary>Exception types (and subtypes) that are retried; <see langword="null"/> (the default) retries every exception.</summary>
    public IReadOnlyList<Type>? RetryOn { get; set; }

    /// <summary>A custom policy; replaces the backoff settings and <see cref="RetryOn"/>. <see cref="MaxRetries"/> still applies.</summary>
    public IRetryPolicy? Policy { get; set; }

    /// <summary>Timeout of each attempt; <see cref="TimeSpan.Zero"/> (the default) means none. A timed-out attempt is retried.</summary>
    public TimeSpan AttemptTimeout { get; set; }

    /// <summary>The source of jitter; <see cref="System.Random.Shared"/> when <see langword="null"/>. Set a seeded instance to make delays repeatable in tests.</summary>
    public Random? Random { get; set; }

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the setting to change when a value is invalid.</summary>
    public void Validate() => throw new NotImplementedException();

    /// <inheritdoc />
    public bool Equals(RetryOptions? other) => throw new NotImplementedException();

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as RetryOptions);

    /// <inheritdoc />
    public override int GetHashCode() => throw new NotImplementedException();
}
