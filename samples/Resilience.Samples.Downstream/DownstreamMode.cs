namespace Resilience.Samples.Downstream;

/// <summary>How the downstream answers its business endpoints (<c>/forecast/{city}</c>, <c>/status</c>).</summary>
public enum DownstreamMode
{
    /// <summary>Every request answers 200.</summary>
    Healthy = 0,

    /// <summary>The next N requests answer 503, then every request answers 200 (N = <c>failures</c>, default 2).</summary>
    Transient = 1,

    /// <summary>Every request answers a server error (<c>status</c>, default 503).</summary>
    Dead = 2,

    /// <summary>Every request waits (<c>delayMs</c>, default 10 000) before answering 200; an aborted request stops waiting.</summary>
    Slow = 3,
}
