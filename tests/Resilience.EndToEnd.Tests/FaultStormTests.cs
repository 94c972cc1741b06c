using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;

namespace Resilience.EndToEnd.Tests;

public interface IStormService
{
    [Fallback(nameof(Degraded))]
    [CacheFallback(StaleTtlMs = 60_000, KeyParameters = new[] { "key" })]
    [RateLimit(PermitLimit = 400, WindowMs = 100, QueueLimit = 0)]
    [Bulkhead(MaxConcurrency = 4, MaxQueue = 2)]
    [Timeout(30)]
    [CircuitBreaker(FailureThreshold = 25, BreakDurationMs = 5)]
    [Retry(MaxRetries = 2, DelayMs = 1, Backoff = BackoffType.Constant, Jitter = 0, AttemptTimeoutMs = 12, HandleResult = nameof(IsBad))]
    Task<int> CallAsync(int key, int fault, CancellationToken cancellationToken);

    /// <summary>Answers timeouts only: rejections and other failures reach the caller (unless the stale cache answers).</summary>
    Task<int> Degraded(TimeoutException error);

    static bool IsBad(int result) => result < 0;
}

/// <summary>The failure the storm's inner calls throw, tagged so that only this test's unobserved failures are counted.</summary>
public sealed class StormFailureException(Guid tag, string message) : Exception(message)
{
    public Guid Tag { get; } = tag;
}

/// <summary>
/// An inner service that misbehaves on purpose, as <c>fault</c> says: succeeds (at once or later), throws (at once or
/// later), is slow but honours its token, ignores its token and fails only after the storm, or answers a result marked
/// as a failure.
/// Every task it hands out is kept so that the test can wait for the abandoned ones to end.
/// </summary>
public sealed class StormService(Guid tag) : IStormService
{
    public const int Kinds = 10;

    public ConcurrentQueue<Task> Started { get; } = new();

    /// <summary>What the token-ignoring calls wait for: opened by the test only after every caller has its answer.</summary>
    public TaskCompletionSource Gate { get; set; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task<int> CallAsync(int key, int fault, CancellationToken cancellationToken)
    {
        Task<int> task = fault switch
        {
            0 or 1 => Task.FromResult(key),
            2 or 3 => SucceedLater(key),
            4 => throw new StormFailureException(tag, "thrown synchronously"),
            5 => FailLater(tag),
            6 => SlowHonouringToken(key, cancellationToken),
            7 => IgnoringTokenThenFailing(tag, Gate.Task),
            8 => SlowHonouringToken(key, cancellationToken), // the caller cancels this one
            _ => Task.FromResult(-key - 1), // marked as a failure by IsBad
        };
        Started.Enqueue(task);
        return task;
    }

    public Task<int> Degraded(TimeoutException error) => Task.FromResult(-1_000);

    private static async Task<int> SucceedLater(int key)
    {
        await Task.Yield();
        return key;
    }

    private static async Task<int> FailLater(Guid tag)
    {
        await Task.Yield();
        throw new StormFailureException(tag, "failed asynchronously");
    }

    private static async Task<int> SlowHonouringToken(int key, CancellationToken token)
    {
        await Task.Delay(40, token).ConfigureAwait(false);
        return key;
    }

    private static async Task<int> IgnoringTokenThenFailing(Guid tag, Task gate)
    {
        await gate.ConfigureAwait(false);
        throw new StormFailureException(tag, "failed after the caller had gone");
    }
}

/// <summary>
/// A generated proxy with every strategy on, under a mixed fault storm from real threads: every call ends, each is
/// counted once with the outcome its caller saw, nothing is left unobserved, and memory stays roughly flat.
/// </summary>
[Collection(TelemetryAndAllocationCollection.Name)]
public sealed class FaultStormTests : IDisposable
{
    private const int Workers = 8;
    private const int CallsPerWorker = 250;
    private static readonly TimeSpan CallBound = TimeSpan.FromSeconds(20);

    private readonly ResilienceRegistry _registry = new(TimeProvider.System);
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<string, int> _outcomes = new();
    private int _recordedCalls;

    public FaultStormTests()
    {
        Meter meter = _registry.Telemetry.Meter;
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter, meter) && instrument.Name == "resilience.calls")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            foreach (KeyValuePair<string, object?> tag in tags)
            {
                if (tag.Key == "resilience.outcome")
                {
                    _outcomes.AddOrUpdate((string)tag.Value!, (int)value, (_, sum) => sum + (int)value);
                }
            }

            Interlocked.Add(ref _recordedCalls, (int)value);
        });
        _listener.Start();
    }

    public void Dispose()
    {
        _listener.Dispose();
        _registry.Dispose();
    }

    [Fact]
    public async Task Every_call_ends_and_is_counted_once_nothing_is_unobserved_and_memory_stays_flat()
    {
        var tag = Guid.NewGuid();
        int unobserved = 0;
        void OnUnobserved(object? sender, UnobservedTaskExceptionEventArgs e)
        {
            foreach (Exception ex in e.Exception.InnerExceptions)
            {
                if (ex is StormFailureException failure && failure.Tag == tag)
                {
                    Interlocked.Increment(ref unobserved);
                }
            }
        }

        TaskScheduler.UnobservedTaskException += OnUnobserved;
        try
        {
            var inner = new StormService(tag);
            var proxy = new StormServiceResilient(inner, _registry);

            Tally warmUp = await Storm(proxy, inner, seed: 1);
            long before = SettledMemory();
            Tally first = await Storm(proxy, inner, seed: 2);
            Tally second = await Storm(proxy, inner, seed: 3);
            long after = SettledMemory();

            Tally total = warmUp + first + second;
            int calls = 3 * Workers * CallsPerWorker;

            // calls = successes + failures + rejections, as the callers saw them and as telemetry recorded them.
            Assert.Equal(calls, total.Returned + total.Failed + total.Rejected);
            Assert.Equal(calls, Volatile.Read(ref _recordedCalls));
            Assert.Equal(total.Returned, Outcome("success") + Outcome("fallback"));
            Assert.Equal(total.Rejected, Outcome("rejected"));
            Assert.Equal(total.Failed, Outcome("failure"));
            Assert.True(total.Returned > 0 && total.Failed > 0, $"The storm should mix outcomes: {total}.");

            // Nothing is left inside: no bulkhead slot held, no queued caller.
            Assert.True(_registry.TryGetBulkhead("Resilience.EndToEnd.Tests.IStormService.CallAsync", out Bulkhead? bulkhead));
            Assert.Equal(0, bulkhead.RunningCount);
            Assert.Equal(0, bulkhead.QueuedCount);

            // Memory roughly flat: two more storms of 2 000 calls each keep well under a megabyte per thousand calls.
            long growth = after - before;
            Assert.True(growth < 4 * 1024 * 1024, $"Memory grew by {growth} B over {2 * Workers * CallsPerWorker} calls.");

            Assert.Equal(0, Volatile.Read(ref unobserved));
        }
        finally
        {
            TaskScheduler.UnobservedTaskException -= OnUnobserved;
        }
    }

    private int Outcome(string outcome) => _outcomes.TryGetValue(outcome, out int count) ? count : 0;

    /// <summary>Runs one storm from <see cref="Workers"/> threads, then waits (bounded) for every inner task, abandoned ones included.</summary>
    private static async Task<Tally> Storm(StormServiceResilient proxy, StormService inner, int seed)
    {
        var workers = new Task<Tally>[Workers];
        for (int w = 0; w < Workers; w++)
        {
            int worker = w;
            workers[w] = Task.Run(() => Worker(proxy, new Random((seed * 1_000) + worker)));
        }

        // The token-ignoring inner calls end only after every caller has its answer: a timeout that waited for them
        // would never end (each call is bounded by CallBound, and fails the test then).
        Tally[] tallies = await Task.WhenAll(workers).WaitAsync(CallBound * 4);
        inner.Gate.SetResult();
        inner.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        // Waits for the abandoned calls through continuations that never read their failures (Task.WhenAll on the
        // tasks themselves would observe them, and hide what this test checks).
        Task[] ended = inner.Started.Select(static t => t.ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default)).ToArray();
        await Task.WhenAll(ended).WaitAsync(CallBound);
        inner.Started.Clear();

        Tally sum = default;
        foreach (Tally tally in tallies)
        {
            sum += tally;
        }

        return sum;
    }

    private static async Task<Tally> Worker(StormServiceResilient proxy, Random random)
    {
        Tally tally = default;
        for (int i = 0; i < CallsPerWorker; i++)
        {
            int fault = random.Next(StormService.Kinds);
            int key = random.Next(16);
            using var caller = new CancellationTokenSource();
            if (fault == 8)
            {
                caller.CancelAfter(5);
            }

            Task<int> call;
            try
            {
                call = proxy.CallAsync(key, fault, caller.Token);
            }
            catch (Exception ex)
            {
                call = Task.FromException<int>(ex); // a decorated Task method never throws synchronously; counted below if it did
            }

            try
            {
                await call.WaitAsync(CallBound).ConfigureAwait(false);
                tally.Returned++;
            }
            catch (TimeoutException) when (!call.IsCompleted)
            {
                throw new InvalidOperationException($"A call with fault {fault} did not end within {CallBound}.");
            }
            catch (ResilienceRejectedException)
            {
                tally.Rejected++;
            }
            catch (Exception)
            {
                tally.Failed++;
            }
        }

        return tally;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static long SettledMemory()
    {
        for (int i = 0; i < 3; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }

        return GC.GetTotalMemory(forceFullCollection: true);
    }

    private struct Tally
    {
        public int Returned;
        public int Failed;
        public int Rejected;

        public static Tally operator +(Tally a, Tally b) =>
            new() { Returned = a.Returned + b.Returned, Failed = a.Failed + b.Failed, Rejected = a.Rejected + b.Rejected };

        public override readonly string ToString() => $"{Returned} returned, {Failed} failed, {Rejected} rejected";
    }
}
