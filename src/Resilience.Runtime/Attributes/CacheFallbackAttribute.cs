namespace Resilience;

/// <summary>
/// Remembers successful results. A fresh entry (younger than <see cref="TtlMs"/>) is returned without calling; when a
/// call fails, an entry younger than <see cref="TtlMs"/> + <see cref="StaleTtlMs"/> is returned instead of the failure.
/// </summary>
/// <remarks>
/// The cache key is the method's full name, the closed type arguments of a generic interface or method, and the
/// arguments (or those named in <see cref="KeyParameters"/>), each quoted and formatted with the invariant culture —
/// or the string <see cref="KeyMethod"/> makes of them. See docs/cache-fallback.md for the exact shape.
/// </remarks>
[AttributeUsage(AttributeTargets.Method | AttributeTargets.Interface, AllowMultiple = false, Inherited = false)]
public sealed class CacheFallbackAttribute : Attribute
{
    /// <summary>How long a result is fresh, in milliseconds; 0 (the default) means results are only used as stale fallbacks.</summary>
    public int TtlMs { get; set; } = CacheFallbackDefaults.TtlMs;

    /// <summary>How long after <see cref="TtlMs"/> a result may still answer a failed call, in milliseconds. Default 300 000 (5 minutes).</summary>
    public int StaleTtlMs { get; set; } = CacheFallbackDefaults.StaleTtlMs;

    /// <summary>Names of the parameters that form the cache key. Default: every parameter except a <see cref="CancellationToken"/>.</summary>
    public string[]? KeyParameters { get; set; }

    /// <summary>
    /// The name of a static method on the interface, <c>static string M(...)</c>, taking the key parameters (those of
    /// <see cref="KeyParameters"/>, or by default every parameter except a <see cref="CancellationToken"/>) in order,
    /// whose result stands for them in the key. Use it when a key parameter's type has no value-based
    /// <c>ToString</c> (RES0021), e.g. <c>KeyMethod = nameof(KeyOf)</c> with
    /// <c>static string KeyOf(SearchRequest request) =&gt; $"{request.Tenant}/{request.Query}"</c>.
    /// </summary>
    public string? KeyMethod { get; set; }

    /// <summary>
    /// Whether a stale result also answers a result that <c>HandleResult</c> marks as a failure and that survived the
    /// retries (as it answers a failure). Default <see langword="true"/>; with <see langword="false"/> only real
    /// failures are answered from the cache. Marked results are never stored.
    /// </summary>
    public bool AnswerMarkedResults { get; set; } = CacheFallbackDefaults.AnswerMarkedResults;
}
