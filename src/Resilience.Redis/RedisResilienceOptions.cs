namespace Resilience.Redis;

/// <summary>How the Redis backends reach the server and how long they wait for it.</summary>
public sealed class RedisResilienceOptions
{
    /// <summary>The configuration section, <c>Resilience:Redis</c>.</summary>
    public const string SectionName = "Resilience:Redis";

    /// <summary>
    /// A StackExchange.Redis configuration string (<c>"host:port,..."</c>). Leave empty to use an
    /// <see cref="StackExchange.Redis.IConnectionMultiplexer"/> registered in the container.
    /// </summary>
    public string? Configuration { get; set; }

    /// <summary>A prefix for every key the backends write, so several applications can share one server. Default <c>resilience:</c>.</summary>
    public string KeyPrefix { get; set; } = "resilience:";

    /// <summary>
    /// How long one Redis operation may take before the call it serves goes on with the local strategy instead.
    /// Default 250 ms.
    /// </summary>
    public TimeSpan OperationTimeout { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// How often a background PING checks whether Redis is back while it is unavailable (calls never wait for it).
    /// Default 500 ms.
    /// </summary>
    public TimeSpan AvailabilityProbeInterval { get; set; } = TimeSpan.FromMilliseconds(500);
}
