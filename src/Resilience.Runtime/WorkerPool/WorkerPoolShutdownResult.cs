namespace Resilience;

/// <summary>What <see cref="WorkerPool.ShutdownAsync"/> did.</summary>
/// <param name="Drained">Every accepted job finished (ran to completion or failed) before the deadline.</param>
/// <param name="Dropped">Queued jobs that never ran: still waiting when the deadline passed.</param>
/// <param name="StillRunning">Jobs still running when the shutdown returned (only when its token was cancelled before they ended).</param>
public readonly record struct WorkerPoolShutdownResult(bool Drained, int Dropped, int StillRunning);
