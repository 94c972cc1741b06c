namespace Resilience;

/// <summary>The part of <see cref="KeyedRateLimitStrategy{TKey}"/> that does not depend on the key type, for the registry.</summary>
internal interface IKeyedRateLimit
{
    /// <summary>
    /// Applies new settings from now on (configuration reload): every held key's limit counts on under them in place
    /// (see <see cref="RateLimitStrategy.Reconfigure"/>), new keys get them, and MaxKeys and KeyIdleTimeout apply from
    /// the next new key and the next sweep.
    /// </summary>
    /// <param name="options">The new settings; validated here.</param>
    void Reconfigure(RateLimitOptions options);

    /// <summary>Keys currently held.</summary>
    int KeyCount { get; }
}
