namespace Resilience;

/// <summary>A stale cached result answered a failed call.</summary>
public sealed class StaleResultServedEventArgs : EventArgs
{
    /// <summary>Creates the event data.</summary>
    /// <param name="key">The cache key.</param>
    /// <param name="exception">The failure the stale result answered.</param>
    /// <param name="age">How old the result is.</param>
    public StaleResultServedEventArgs(string key, Exception exception, TimeSpan age)
    {
        Key = key;
        Exception = exception;
        Age = age;
    }

    /// <summary>The cache key.</summary>
    public string Key { get; }

    /// <summary>The failure the stale result answered.</summary>
    public Exception Exception { get; }

    /// <summary>How old the result is.</summary>
    public TimeSpan Age { get; }
}
