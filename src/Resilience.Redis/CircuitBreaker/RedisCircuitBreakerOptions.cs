namespace Resilience.Redis;

/// <summary>How one breaker shares its state on Redis (set with <see cref="RedisCircuitBreakerBuilderExtensions.AddCircuitBreaker"/> or in configuration).</summary>
public sealed class RedisCircuitBreakerOptions
{
    /// <summary>
    /// For a keyed breaker (<c>KeyParameter</c>): the keys whose circuits are shared, compared with the key's text
    /// (<c>ToString()</c>, invariant culture). Other keys keep a local circuit. Ignored for a breaker that is not keyed.
    /// Configuration: <c>Resilience:Instances:&lt;name&gt;:CircuitBreaker:SharedKeys</c> (an array, or one comma-separated string).
    /// </summary>
    public IList<string> SharedKeys { get; } = new List<string>();
}

/// <summary>The breakers opted into Redis in code.</summary>
internal sealed class RedisCircuitBreakerSelection
{
    public HashSet<string> Names { get; } = new(StringComparer.Ordinal);
}
