namespace Resilience;

/// <summary>A stale cached result answered a failed call.</summary>
public sealed class StaleResultServedEventArgs : EventArgs
{
    private string? _key;

    /// <summary>Creates the event data.</summary>
    /// <param name="key">The cache key.</param>
    /// <param name="exception">The failure the stale result answered.</param>
    /// <param name="age">How old the result is.</param>
    public StaleResultServedEventArgs(string key, Exception exception, TimeSpan age)
        : this(CacheKey.FromText(key), exception, age)
    {
    }

    /// <summary>Creates the event data; the key's text is made only if <see cref="Key"/> is read.</summary>
    /// <param name="key">The cache key.</param>
    /// <param name="exception">The failure the stale result answered.</param>
    /// <param name="age">How old the result is.</param>
    public StaleResultServedEventArgs(CacheKey key, Exception exception, TimeSpan age)
    {
        CacheKey = key;
        Exception = exception;
        Age = age;
    }

    /// <summary>The cache key's text (made when first read: it holds argument values, and logs include it only when asked to).</summary>
    public string Key => _key ??= CacheKey.ToString();

    /// <summary>The cache key.</summary>
    public CacheKey CacheKey { get; }

    /// <summary>The failure the stale result answered.</summary>
    public Exception Exception { get; }

    /// <summary>How old the result is.</summary>
    public TimeSpan Age { get; }
}
